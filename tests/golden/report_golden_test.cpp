// Golden reports: the per-layer and total statistics of a few small runs, diffed against files
// committed in tests/golden/data/. A difference means the timing model, the compiler or the
// accounting changed; if that is intended, regenerate with
//   SYSTOLE_UPDATE_GOLDEN=1 ctest -L golden
// and explain the change in the commit message. Input paths and hashes are left out of the
// comparison (they change whenever a comment in an input file does).
#include <gtest/gtest.h>

#include <ostream>

#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

struct GoldenCase {
  std::string name;
  std::string args;
};

std::ostream& operator<<(std::ostream& os, const GoldenCase& c) {
  return os << c.name;
}

nlohmann::json comparable(const nlohmann::json& report) {
  nlohmann::json out = {{"config", report["config"]},
                        {"layers", report["layers"]},
                        {"total", report["total"]},
                        {"memory", report["memory"]},
                        {"stats", report["stats"]}};
  // A multi-core run's per-core results and its network (links, flows, latency).
  for (const char* key : {"cores", "noc"}) {
    if (report.contains(key)) out[key] = report[key];
  }
  return out;
}

// Writes `actual` over the golden file when SYSTOLE_UPDATE_GOLDEN=1 (and skips), else diffs it.
void check_golden(const std::string& name, const nlohmann::json& actual) {
  const std::filesystem::path golden =
      std::filesystem::path(SYSTOLE_SOURCE_DIR) / "tests" / "golden" / "data" / (name + ".json");
  if (const char* update = std::getenv("SYSTOLE_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    testing::write_file(golden, actual.dump(2) + "\n");
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(std::filesystem::exists(golden)) << golden << " is missing; run with SYSTOLE_UPDATE_GOLDEN=1";
  const nlohmann::json expected = nlohmann::json::parse(testing::read_file(golden));
  const nlohmann::json patch = nlohmann::json::diff(expected, actual);
  EXPECT_TRUE(patch.empty()) << "result differs from " << golden << " (JSON patch expected -> actual):\n"
                             << patch.dump(2).substr(0, 4000);
}

class GoldenReport : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenReport, MatchesCommittedGolden) {
  const GoldenCase& c = GetParam();
  const auto dir = testing::fresh_dir("golden_" + c.name);
  const auto r = testing::run_systole(c.args + " --quiet --out '" + (dir / "out").string() + "'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  check_golden(c.name, comparable(nlohmann::json::parse(testing::read_file(dir / "out" / "report.json"))));
}

// `systole noctest --json`: the network alone under synthetic traffic (every key: the run has no
// paths or times in it).
class GoldenNoc : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenNoc, MatchesCommittedGolden) {
  const GoldenCase& c = GetParam();
  const auto dir = testing::fresh_dir("golden_" + c.name);
  const auto r = testing::run_systole(c.args + " --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  check_golden(c.name, nlohmann::json::parse(r.out));
}

INSTANTIATE_TEST_SUITE_P(
    Runs, GoldenReport,
    ::testing::Values(
        GoldenCase{"gemm_scalesim_os",
                   "run --arch arch/scalesim_default.yaml --workload workloads/scalesim/gemm_example.csv"},
        GoldenCase{"alexnet_default_ws", "run --arch arch/default.yaml --workload workloads/alexnet.yaml"},
        GoldenCase{
            "alexnet_cycle_lpddr5",
            "run --workload workloads/alexnet.yaml --set dram.kind=cycle --set dram.preset=lpddr5-6400 "
            "--set core.dma.completion=out_of_order"},
        GoldenCase{"bert_tpu_v1", "run --arch arch/tpu_v1.yaml --workload workloads/bert_base_encoder.yaml"},
        GoldenCase{"mobilenet_v2_os_16x8",
                   "run --workload workloads/mobilenet_v2.yaml --set core.array.dataflow=os --set "
                   "core.array.rows=16 "
                   "--set core.array.cols=8"},
        GoldenCase{"alexnet_4cores_mesh", "run --workload workloads/alexnet.yaml --set cores.count=4"},
        GoldenCase{"alexnet_6cores_ring_cycle",
                   "run --workload workloads/alexnet.yaml --set cores.count=6 --set noc.topology=ring "
                   "--set noc.x=6 --set noc.y=1 --set dram.kind=cycle --set compiler.partition=spatial"},
        GoldenCase{"alexnet_hetero_4cores",
                   "run --workload workloads/alexnet.yaml --set cores.count=4 --set cores.2-3.array.rows=16 "
                   "--set cores.2-3.array.cols=16 --set cores.3.array.dataflow=os "
                   "--set cores.3.scratchpads.ifmap.capacity_kib=64"},
        GoldenCase{"alexnet_pipeline_4cores_batch4",
                   "run --workload workloads/alexnet.yaml --batch 4 --set cores.count=4 "
                   "--set compiler.partition=pipeline --set compiler.pipeline_microbatch=2"}),
    [](const ::testing::TestParamInfo<GoldenCase>& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Runs, GoldenNoc,
    ::testing::Values(
        GoldenCase{"noctest_mesh4x4_uniform", "noctest --rate 0.3 --cycles 3000 --warmup 300"},
        GoldenCase{"noctest_mesh8x8_transpose_saturated",
                   "noctest --set noc.x=8 --set noc.y=8 --pattern transpose --rate 0.9 --packet-flits 4 "
                   "--cycles 1500 --warmup 300"},
        GoldenCase{"noctest_ring_hotspot",
                   "noctest --set noc.topology=ring --set noc.x=8 --set noc.y=1 "
                   "--pattern hotspot --rate 0.4 --packet-flits 3 --set noc.vcs=4 "
                   "--cycles 3000 --warmup 300"},
        GoldenCase{"noctest_crossbar_uniform",
                   "noctest --set noc.topology=crossbar --rate 0.8 "
                   "--set noc.buffer_flits=2 --cycles 3000 --warmup 300"}),
    [](const ::testing::TestParamInfo<GoldenCase>& info) { return info.param.name; });

}  // namespace
}  // namespace systole
