// End-to-end runs of the `systole` binary: ResNet-18 on the default arch, determinism, outputs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/process.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_systole;

TEST(Run, Resnet18EndToEnd) {
  auto dir = fresh_dir("resnet18");
  auto r = run_systole("run --workload workloads/resnet18.yaml --out '" + dir.string() + "/out'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("total:"), std::string::npos);
  const auto report = nlohmann::json::parse(read_file(dir / "out" / "report.json"));
  const Network net = load_network(std::string(SYSTOLE_SOURCE_DIR) + "/workloads/resnet18.yaml");

  ASSERT_EQ(report["layers"].size(), net.layers.size());
  int64_t cycles = 0, macs = 0, dram_reads = 0;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const auto& l = report["layers"][i];
    EXPECT_EQ(l["name"], net.layers[i].name);
    EXPECT_EQ(l["macs"].get<int64_t>(), net.layers[i].macs);
    EXPECT_EQ(l["compute_cycles"].get<int64_t>() + l["stall_cycles"].get<int64_t>(),
              l["cycles"].get<int64_t>());
    EXPECT_GE(l["stall_cycles"].get<int64_t>(), 0);
    const double u = l["utilization"].get<double>();
    EXPECT_GE(u, 0.0);
    EXPECT_LE(u, 1.0);
    cycles += l["cycles"].get<int64_t>();
    macs += l["macs"].get<int64_t>();
    dram_reads += l["dram_reads_bytes"].get<int64_t>();
  }
  const auto& total = report["total"];
  EXPECT_EQ(total["cycles"].get<int64_t>(), cycles);
  EXPECT_EQ(total["macs"].get<int64_t>(), net.total_macs());
  EXPECT_EQ(total["macs"].get<int64_t>(), macs);
  EXPECT_EQ(total["dram_reads_bytes"].get<int64_t>(), dram_reads);
  // Every weight byte is read from DRAM at least once: ResNet-18 has ~11.7 M int8 weights.
  EXPECT_GT(dram_reads, 11'000'000);
  // 1.81 GMACs on 32x32 MACs can't take fewer than macs / 1024 cycles.
  EXPECT_GE(cycles, net.total_macs() / (32 * 32));
  EXPECT_EQ(report["config"]["core"]["array"]["rows"], 32);
  EXPECT_EQ(report["inputs"]["workload"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "layers.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "summary.txt"));
}

TEST(Run, SameInputsGiveByteIdenticalReports) {
  auto dir = fresh_dir("determinism");
  const std::string args =
      "run --workload workloads/mobilenet_v2.yaml --set core.array.rows=16 --quiet --out '";
  ASSERT_EQ(run_systole(args + dir.string() + "/a'", dir).exit_code, 0);
  ASSERT_EQ(run_systole(args + dir.string() + "/b'", dir).exit_code, 0);
  EXPECT_EQ(read_file(dir / "a" / "report.json"), read_file(dir / "b" / "report.json"));
  EXPECT_EQ(read_file(dir / "a" / "layers.csv"), read_file(dir / "b" / "layers.csv"));
  EXPECT_FALSE(read_file(dir / "a" / "report.json").empty());
}

TEST(Run, OverridesReachTheResolvedConfigAndChangeTheResult) {
  auto dir = fresh_dir("override");
  ASSERT_EQ(run_systole("run --workload resnet18 --quiet --out '" + dir.string() + "/a'", dir).exit_code, 0);
  ASSERT_EQ(
      run_systole(
          "run --workload resnet18 --set core.array.dataflow=os --quiet --out '" + dir.string() + "/b'", dir)
          .exit_code,
      0);
  const auto a = nlohmann::json::parse(read_file(dir / "a" / "report.json"));
  const auto b = nlohmann::json::parse(read_file(dir / "b" / "report.json"));
  EXPECT_EQ(b["config"]["core"]["array"]["dataflow"], "os");
  EXPECT_EQ(b["inputs"]["overrides"][0], "core.array.dataflow=os");
  EXPECT_NE(a["total"]["cycles"], b["total"]["cycles"]);
}

TEST(Run, CompilePrintsTheStreamAndMapping) {
  auto dir = fresh_dir("compile");
  auto r = run_systole("compile --workload resnet18", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("MATMUL"), std::string::npos);
  EXPECT_NE(r.out.find("LOAD"), std::string::npos);
  EXPECT_NE(r.out.find("STORE"), std::string::npos);
  auto j = run_systole("compile --workload resnet18 --json", dir);
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto program = nlohmann::json::parse(j.out);
  EXPECT_GT(program["instructions"].size(), 100u);
  const Network net = load_network(std::string(SYSTOLE_SOURCE_DIR) + "/workloads/resnet18.yaml");
  ASSERT_EQ(program["layers"].size(), net.layers.size());
  EXPECT_EQ(program["layers"][0]["dataflow"], "ws");  // each layer carries its mapping record
  EXPECT_GT(program["layers"][0]["tiles"].get<int64_t>(), 0);
  EXPECT_FALSE(program["layers"][0]["reason"].get<std::string>().empty());
}

TEST(Run, ScaleSimCfgIsAcceptedAsArch) {
  auto dir = fresh_dir("cfg");
  testing::write_file(dir / "scale.cfg",
                      "[general]\nrun_name = test\n\n[architecture_presets]\nArrayHeight: 16\nArrayWidth: 8\n"
                      "IfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nIfmapOffset: 0\n"
                      "FilterOffset: 10000000\nOfmapOffset: 20000000\nDataflow: os\nBandwidth: 10\n\n"
                      "[run_presets]\nInterfaceBandwidth: USER\n");
  auto r = run_systole(
      "run --arch '" + (dir / "scale.cfg").string() +
          "' --workload workloads/scalesim/gemm_example.csv --set core.array.cols=4 --quiet --out '" +
          dir.string() + "/out'",
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir / "out" / "report.json"));
  EXPECT_EQ(report["config"]["core"]["array"]["rows"], 16);
  EXPECT_EQ(report["config"]["core"]["array"]["cols"], 4);
  EXPECT_EQ(report["config"]["core"]["array"]["dataflow"], "os");
  EXPECT_EQ(report["config"]["core"]["array"]["scalesim_compat"], true);
}

TEST(Run, ConfigReferenceIsGeneratedFromTheSchema) {
  auto dir = fresh_dir("configdoc");
  auto r = run_systole("config-doc", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read_file(std::string(SYSTOLE_SOURCE_DIR) + "/docs/config-reference.md"));
}

}  // namespace
}  // namespace systole
