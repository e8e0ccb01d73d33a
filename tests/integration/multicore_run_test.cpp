// Multi-core NPUs as a user runs them (docs/multicore.md): every partitioning strategy computes
// bit-exactly what one core computes, the report has each core and the NoC, runs are
// deterministic, and a compute-bound layer speeds up with the cores.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

// conv (batch 2, fused relu) -> maxpool -> residual add -> 1x1 conv -> fc -> concat of two fcs.
const char* kNet = R"(name: mc
dtype: int8
inputs:
  - {name: x, shape: [2, 8, 16, 16]}
layers:
  - {name: conv, type: conv2d, out_channels: 40, kernel: 3, padding: 1}
  - {name: relu, type: relu}
  - {name: conv2, type: conv2d, out_channels: 40, kernel: 3, padding: 1}
  - {name: res, type: add, inputs: [conv2, relu]}
  - {name: pool, type: pool, mode: max, kernel: 2, stride: 2}
  - {name: proj, type: conv2d, out_channels: 24, kernel: 1}
  - {name: flat, type: reshape, shape: [2, 1536]}
  - {name: fc_a, type: fc, out_features: 40}
  - {name: fc_b, type: fc, input: flat, out_features: 24}
  - {name: cat, type: concat, inputs: [fc_a, fc_b], axis: 1}
)";

Json run_report(const fs::path& dir, const std::string& name, const std::string& args) {
  const auto r =
      run_systole("run --workload " + q(dir / "net.yaml") + " " + args + " -q -o " + q(dir / name), dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return Json();
  return Json::parse(read_file(dir / name / "report.json"));
}

TEST(MulticoreRun, EveryStrategyIsBitExactOnTwoAndFourCores) {
  const auto dir = fresh_dir("multicore_functional");
  write_file(dir / "net.yaml", kNet);
  const Json one = run_report(dir, "one", "--functional");
  ASSERT_EQ(one["functional"]["verified"], true);
  for (const char* cores : {"2", "4"}) {
    for (const char* strategy : {"auto", "output_channels", "spatial", "batch"}) {
      SCOPED_TRACE(std::string(cores) + " cores, " + strategy);
      const Json r = run_report(dir, std::string("c") + cores + strategy,
                                std::string("--functional --set cores.count=") + cores +
                                    " --set compiler.partition=" + strategy +
                                    " --set core.array.rows=8 "
                                    "--set core.array.cols=8");
      ASSERT_TRUE(r.contains("functional"));
      EXPECT_EQ(r["functional"]["verified"], true);
      for (const Json& l : r["layers"]) EXPECT_NE(l.value("verified", Json()), false) << l["name"];
      EXPECT_EQ(r["total"]["macs"], one["total"]["macs"]);
      EXPECT_EQ(r["cores"].size(), static_cast<size_t>(std::stoi(cores)));
    }
  }
}

TEST(MulticoreRun, TheReportHasEachCoreAndTheNocAndRepeatsByteForByte) {
  const auto dir = fresh_dir("multicore_report");
  write_file(dir / "net.yaml", kNet);
  const std::string args = "--set cores.count=4 --set noc.x=2 --set noc.y=2";
  const Json r = run_report(dir, "a", args + " --trace perfetto");
  ASSERT_TRUE(r.contains("cores"));
  ASSERT_EQ(r["cores"].size(), 4u);
  int64_t macs = 0, dram = 0;
  for (const Json& c : r["cores"]) {
    macs += c["macs"].get<int64_t>();
    dram += c["dram_reads_bytes"].get<int64_t>() + c["dram_writes_bytes"].get<int64_t>();
    int64_t causes = 0;
    for (const auto& [k, v] : c["cycle_breakdown"].items()) causes += v.get<int64_t>();
    EXPECT_EQ(causes, r["total"]["cycles"].get<int64_t>()) << "each core's every cycle has a cause";
  }
  EXPECT_EQ(macs, r["total"]["macs"].get<int64_t>());
  EXPECT_EQ(dram,
            r["total"]["dram_reads_bytes"].get<int64_t>() + r["total"]["dram_writes_bytes"].get<int64_t>());
  const Json& noc = r["noc"];
  EXPECT_EQ(noc["topology"], "mesh");
  EXPECT_EQ(noc["links"].size(), 8u);  // 2x2 mesh: 4 links, both directions
  EXPECT_GT(noc["flit_hops"].get<int64_t>(), 0);
  ASSERT_EQ(noc["cores"].size(), 4u);
  int64_t read = 0;
  for (const Json& c : noc["cores"]) {
    EXPECT_GT(c["barriers"].get<int64_t>(), 0);
    read += c["read_bytes"].get<int64_t>();
  }
  EXPECT_EQ(read, r["total"]["dram_reads_bytes"].get<int64_t>()) << "every DRAM read crossed the NoC";
  for (const Json& l : r["layers"]) {
    if (l["mapping"]["dataflow"] == "ws") {
      EXPECT_FALSE(l["mapping"].contains("partition") && l["mapping"]["partition"].empty());
    }
  }
  const std::string summary = read_file(dir / "a" / "summary.txt");
  EXPECT_NE(summary.find("cores (each over the whole run):"), std::string::npos);
  EXPECT_NE(summary.find("NoC mesh 2x2"), std::string::npos);
  // The trace has a process per core (core 0 keeps pid 1), each with its units' slices.
  const Json trace = Json::parse(read_file(dir / "a" / "trace.json"));
  std::map<int, int> slices;
  std::set<std::string> processes;
  for (const Json& e : trace["traceEvents"]) {
    if (e["ph"] == "X") ++slices[e["pid"].get<int>()];
    if (e["ph"] == "M" && e["name"] == "process_name") processes.insert(e["args"]["name"].get<std::string>());
  }
  for (const int pid : {1, 101, 102, 103}) EXPECT_GT(slices[pid], 0) << "pid " << pid;
  EXPECT_EQ(processes.count("core 3: systole-default-edge-npu"), 1u);
  run_report(dir, "b", args + " --trace perfetto");
  EXPECT_EQ(read_file(dir / "a" / "report.json"), read_file(dir / "b" / "report.json"));
}

TEST(MulticoreRun, RegisterLevelArraysMatchTheTileModelOnEveryCore) {
  const auto dir = fresh_dir("multicore_rtl");
  write_file(dir / "net.yaml", kNet);
  const std::string args = "--functional --set cores.count=2 --set core.array.rows=8 --set core.array.cols=8";
  const Json tile = run_report(dir, "tile", args + " --fidelity tile");
  const Json rtl = run_report(dir, "rtl", args + " --fidelity rtl");
  ASSERT_TRUE(tile.contains("cores") && rtl.contains("cores"));
  EXPECT_EQ(rtl["functional"]["verified"], true);
  EXPECT_EQ(rtl["cores"], tile["cores"]) << "every core's cycles, causes and counts";
  EXPECT_EQ(rtl["total"]["cycles"], tile["total"]["cycles"]);
  EXPECT_EQ(rtl["noc"], tile["noc"]);
}

TEST(MulticoreRun, AComputeBoundConvolutionSpeedsUpWithTheCores) {
  const auto dir = fresh_dir("multicore_speedup");
  write_file(dir / "net.yaml", R"(name: big
dtype: int8
inputs:
  - {name: x, shape: [1, 64, 56, 56]}
layers:
  - {name: conv, type: conv2d, out_channels: 256, kernel: 3, padding: 1}
)");
  const std::string ideal = " --set dram.kind=ideal";
  const int64_t one = run_report(dir, "one", ideal)["total"]["cycles"].get<int64_t>();
  const int64_t four =
      run_report(dir, "four", ideal + " --set cores.count=4")["total"]["cycles"].get<int64_t>();
  EXPECT_LT(four * 3, one) << one << " cycles on one core, " << four << " on four";
  EXPECT_GT(four * 4, one) << "four cores cannot beat a quarter of one core's time";
}

TEST(MulticoreRun, BadMultiCoreConfigsAreUserErrorsNamingTheKey) {
  const auto dir = fresh_dir("multicore_bad");
  write_file(dir / "net.yaml", kNet);
  const auto r = run_systole(
      "run --workload " + q(dir / "net.yaml") + " --set cores.count=20 -q -o " + q(dir / "out"), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cores.count"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("has 16"), std::string::npos) << r.err;
  const auto k =
      run_systole("run --workload " + q(dir / "net.yaml") +
                      " --set cores.count=2 --set compiler.resident_kib=64 -q -o " + q(dir / "out"),
                  dir);
  EXPECT_EQ(k.exit_code, 2);
  EXPECT_NE(k.err.find("compiler.resident_kib"), std::string::npos) << k.err;
}

}  // namespace
}  // namespace systole
