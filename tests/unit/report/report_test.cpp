// report.json / layers.csv / summary.txt built from hand-made results (no simulation).
#include "systole/report/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "support/process.h"
#include "systole/common/error.h"
#include "systole/report/sha256.h"

namespace systole {
namespace {

SimResult two_layer_result() {
  SimResult r;
  LayerStats a;
  a.name = "conv1";
  a.type = "conv2d";
  a.macs = 1000;
  a.cycles = 40;
  a.compute_cycles = 30;
  a.stall_cycles = 10;
  a.utilization = 0.5;
  a.dram_reads_bytes = 2048;
  LayerStats b;
  b.name = "relu, \"quoted\"";
  b.type = "activation";
  b.vector_ops = 64;
  b.cycles = 2;
  b.compute_cycles = 2;
  r.layers = {a, b};
  r.total.name = "TOTAL";
  r.total.macs = 1000;
  r.total.vector_ops = 64;
  r.total.cycles = 42;
  r.total.compute_cycles = 32;
  r.total.stall_cycles = 10;
  r.total.dram_reads_bytes = 2048;
  r.total_cycles = 42;
  r.simulated_ns = 42.0;
  return r;
}

RunInputs inputs_in(const std::filesystem::path& dir) {
  testing::write_file(dir / "a.yaml", "arch");
  testing::write_file(dir / "w.yaml", "workload");
  return RunInputs{(dir / "a.yaml").string(), {"core.array.rows=8"}, (dir / "w.yaml").string()};
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_THROW(sha256_file("/nonexistent/file"), UserError);
}

TEST(Report, HoldsVersionInputsConfigLayersAndTotal) {
  const auto dir = testing::fresh_dir("report_fields");
  Program program;
  program.network = "tiny";
  const nlohmann::json j = build_report(ArchSpec{}, program, two_layer_result(), inputs_in(dir));
  EXPECT_EQ(j["tool"]["name"], "systole");
  EXPECT_FALSE(j["tool"]["version"].get<std::string>().empty());
  EXPECT_EQ(j["inputs"]["arch"]["sha256"], sha256_hex("arch"));
  EXPECT_EQ(j["inputs"]["workload"]["sha256"], sha256_hex("workload"));
  EXPECT_EQ(j["inputs"]["overrides"][0], "core.array.rows=8");
  EXPECT_EQ(j["config"]["core"]["array"]["rows"], 32);
  ASSERT_EQ(j["layers"].size(), 2u);
  for (const char* key : {"name", "type", "macs", "cycles", "compute_cycles", "stall_cycles", "utilization",
                          "sram_reads_bytes", "sram_writes_bytes", "dram_reads_bytes", "dram_writes_bytes"}) {
    EXPECT_TRUE(j["layers"][0].contains(key)) << key;
    EXPECT_TRUE(j["total"].contains(key)) << key;
  }
  EXPECT_EQ(j["layers"][0]["stall_cycles"], 10);
  EXPECT_EQ(j["total"]["cycles"], 42);
  EXPECT_DOUBLE_EQ(j["total"]["time_us"].get<double>(), 0.042);  // 42 cycles at 1000 MHz
}

TEST(Report, CsvHasOneRowPerLayerPlusTotalAndQuotesNames) {
  const std::string csv = layers_csv(two_layer_result());
  EXPECT_EQ(csv.rfind("name,type,macs,", 0), 0u);
  EXPECT_NE(csv.find("\nconv1,conv2d,1000,0,40,30,10,0.500000,"), std::string::npos);
  EXPECT_NE(csv.find("\n\"relu, \"\"quoted\"\"\",activation,"), std::string::npos);
  EXPECT_NE(csv.find("\nTOTAL,"), std::string::npos);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
}

TEST(Report, SummaryTableNamesUnitsAndTotals) {
  const std::string t = summary_table(ArchSpec{}, two_layer_result());
  EXPECT_NE(t.find("32x32 ws array at 1000 MHz"), std::string::npos);
  EXPECT_NE(t.find("conv1"), std::string::npos);
  EXPECT_NE(t.find("total: 42 cycles = 0.042 us"), std::string::npos);
}

TEST(Report, WriteOutputsIsCompleteAndLeavesNoTemporaries) {
  const auto dir = testing::fresh_dir("report_write");
  const auto out = dir / "nested" / "out";
  write_outputs(out.string(), nlohmann::json{{"a", 1}}, "csv\n", "summary\n");
  EXPECT_EQ(testing::read_file(out / "report.json"), "{\n  \"a\": 1\n}\n");
  EXPECT_EQ(testing::read_file(out / "layers.csv"), "csv\n");
  EXPECT_EQ(testing::read_file(out / "summary.txt"), "summary\n");
  for (const auto& e : std::filesystem::directory_iterator(out)) {
    EXPECT_NE(e.path().extension(), ".tmp") << e.path();
  }
}

TEST(Report, WriteOutputsIntoAFileIsAUserError) {
  const auto dir = testing::fresh_dir("report_write_fail");
  testing::write_file(dir / "plain", "x");
  EXPECT_THROW(write_outputs((dir / "plain").string(), nlohmann::json{}, "", ""), UserError);
}

}  // namespace
}  // namespace systole
