// report.json / layers.csv / summary.txt built from hand-made results (no simulation).
#include "systole/report/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

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
  a.breakdown.compute = 20;
  a.breakdown.spatial_underuse = 5;
  a.breakdown.fill_drain = 5;
  a.breakdown.dram_bandwidth = 6;
  a.breakdown.dram_latency = 2;
  a.breakdown.bank_conflict = 1;
  a.breakdown.dependency = 1;  // 20 + 5 + 5 + 6 + 2 + 1 + 1 = 40 cycles
  a.critical_path.compute = 4;
  a.critical_path.dram_bandwidth = 34;
  a.critical_path.dram_latency = 2;  // 4 + 34 + 2 = 40 cycles
  LayerStats b;
  b.name = "relu, \"quoted\"";
  b.type = "activation";
  b.vector_ops = 64;
  b.cycles = 2;
  b.compute_cycles = 2;
  b.breakdown.compute = 2;
  b.critical_path.compute = 2;
  r.layers = {a, b};
  r.total.name = "TOTAL";
  r.total.macs = 1000;
  r.total.vector_ops = 64;
  r.total.cycles = 42;
  r.total.compute_cycles = 32;
  r.total.stall_cycles = 10;
  r.total.dram_reads_bytes = 2048;
  r.total.breakdown = a.breakdown;
  r.total.breakdown.compute += b.breakdown.compute;
  r.total.critical_path = a.critical_path;
  r.total.critical_path.compute += b.critical_path.compute;
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
  const nlohmann::ordered_json j = build_report(ArchSpec{}, program, two_layer_result(), inputs_in(dir));
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

const std::vector<std::string> kCauseKeys = {"compute",
                                             "spatial_underuse",
                                             "preload",
                                             "fill_drain",
                                             "spm_array_port",
                                             "bank_conflict",
                                             "spm_dma_port",
                                             "dma_issue",
                                             "dram_bandwidth",
                                             "dram_latency",
                                             "noc",
                                             "barrier",
                                             "dependency",
                                             "idle"};

TEST(Report, CycleBreakdownFollowsStallCyclesInCauseOrderAndSumsToTheCycles) {
  const auto dir = testing::fresh_dir("report_breakdown");
  const SimResult result = two_layer_result();
  const nlohmann::ordered_json j = build_report(ArchSpec{}, Program{}, result, inputs_in(dir));
  std::vector<nlohmann::ordered_json> records(j["layers"].begin(), j["layers"].end());
  records.push_back(j["total"]);
  for (const nlohmann::ordered_json& rec : records) {
    std::vector<std::string> keys;
    for (const auto& item : rec.items()) keys.push_back(item.key());
    const auto at = std::find(keys.begin(), keys.end(), "stall_cycles");
    ASSERT_NE(at, keys.end());
    ASSERT_NE(at + 1, keys.end());
    EXPECT_EQ(*(at + 1), "cycle_breakdown");
    std::vector<std::string> causes;
    int64_t sum = 0;
    for (const auto& item : rec["cycle_breakdown"].items()) {
      causes.push_back(item.key());
      sum += item.value().get<int64_t>();
    }
    EXPECT_EQ(causes, kCauseKeys);
    EXPECT_EQ(sum, rec["cycles"].get<int64_t>()) << rec["name"];
  }
  EXPECT_EQ(j["layers"][0]["cycle_breakdown"]["dram_bandwidth"], 6);
  EXPECT_EQ(j["total"]["cycle_breakdown"]["compute"], 20 + 2);
  EXPECT_EQ(j["total"]["cycle_breakdown"]["spatial_underuse"], 5);
  // The file keeps the order: "compute" comes before "fill_drain", ..., "idle" in the text.
  const std::string text = j.dump(2);
  size_t pos = text.find("\"cycle_breakdown\"");
  for (const std::string& k : kCauseKeys) {
    const size_t next = text.find("\"" + k + "\"", pos);
    ASSERT_NE(next, std::string::npos) << k;
    pos = next;
  }
}

TEST(Report, CsvHasOneRowPerLayerPlusTotalAndQuotesNames) {
  const std::string csv = layers_csv(two_layer_result());
  EXPECT_EQ(
      csv.substr(0, csv.find('\n')),
      "name,type,macs,vector_ops,cycles,compute_cycles,stall_cycles,cyc_compute,cyc_spatial_underuse,"
      "cyc_preload,cyc_fill_drain,cyc_spm_array_port,cyc_bank_conflict,cyc_spm_dma_port,cyc_dma_issue,"
      "cyc_dram_bandwidth,cyc_dram_latency,cyc_noc,cyc_barrier,cyc_dependency,cyc_idle,cp_compute,"
      "cp_spatial_underuse,cp_preload,cp_fill_drain,cp_spm_array_port,cp_bank_conflict,cp_spm_dma_port,"
      "cp_dma_issue,cp_dram_bandwidth,cp_dram_latency,cp_noc,cp_barrier,cp_dependency,cp_idle,utilization,"
      "sram_reads_bytes,sram_writes_bytes,dram_reads_bytes,dram_writes_bytes,on_chip_bytes,array_busy_cycles,"
      "vector_busy_cycles,dma_busy_cycles,instructions");
  EXPECT_NE(csv.find("\nconv1,conv2d,1000,0,40,30,10,20,5,0,5,0,1,0,0,6,2,0,0,1,0,4,0,0,0,0,0,0,0,34,2,0,0,0,"
                     "0,0.500000,"),
            std::string::npos);
  EXPECT_NE(csv.find("\n\"relu, \"\"quoted\"\"\",activation,"), std::string::npos);
  EXPECT_NE(csv.find("\nTOTAL,"), std::string::npos);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
}

TEST(Report, CsvCauseColumnsSumToTheCyclesColumn) {
  const std::string csv = layers_csv(two_layer_result());
  std::vector<std::vector<std::string>> rows;
  size_t start = 0;
  while (start < csv.size()) {
    const size_t end = csv.find('\n', start);
    std::string line = csv.substr(start, end - start);
    start = end + 1;
    if (line.rfind("\"", 0) == 0) line = "quoted" + line.substr(line.find("\",") + 1);  // the quoted name
    std::vector<std::string> cells;
    size_t a = 0;
    for (size_t b = line.find(','); b != std::string::npos; a = b + 1, b = line.find(',', a)) {
      cells.push_back(line.substr(a, b - a));
    }
    cells.push_back(line.substr(a));
    rows.push_back(cells);
  }
  ASSERT_EQ(rows.size(), 4u);
  const std::vector<std::string>& header = rows[0];
  const size_t cycles = std::find(header.begin(), header.end(), "cycles") - header.begin();
  for (size_t r = 1; r < rows.size(); ++r) {
    ASSERT_EQ(rows[r].size(), header.size()) << r;
    int64_t sum = 0, path = 0;
    for (size_t c = 0; c < header.size(); ++c) {
      if (header[c].rfind("cyc_", 0) == 0) sum += std::stoll(rows[r][c]);
      if (header[c].rfind("cp_", 0) == 0) path += std::stoll(rows[r][c]);
    }
    EXPECT_EQ(sum, std::stoll(rows[r][cycles])) << rows[r][0];
    EXPECT_EQ(path, std::stoll(rows[r][cycles])) << rows[r][0];
  }
}

TEST(Report, SummaryTableNamesUnitsAndTotals) {
  const std::string t = summary_table(ArchSpec{}, two_layer_result());
  EXPECT_NE(t.find("32x32 ws array at 1000 MHz"), std::string::npos);
  EXPECT_NE(t.find("conv1"), std::string::npos);
  EXPECT_NE(t.find("total: 42 cycles = 0.042 us"), std::string::npos);
}

TEST(Report, SummaryHasAnEnergyColumnWhenGivenOne) {
  const SimResult r = two_layer_result();
  EXPECT_EQ(summary_table(ArchSpec{}, r).find("energy uJ"), std::string::npos);
  std::vector<double> uj(r.layers.size() + 1, 1.5);
  uj.back() = 12345.678;
  const std::string t = summary_table(ArchSpec{}, r, uj);
  EXPECT_NE(t.find("energy uJ"), std::string::npos);
  EXPECT_NE(t.find("    12345.68"), std::string::npos) << t;
  // The cause column still starts where its header does.
  const size_t header_at = t.find("layer");
  const size_t column = t.find("largest causes", header_at) - header_at;
  const size_t at = t.find("TOTAL ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(t.substr(at + column, 4), "comp") << t;
}

TEST(Report, SummaryShowsTheLargestCausesAlignedAndAllCausesInTotal) {
  const std::string t = summary_table(ArchSpec{}, two_layer_result());
  // conv1: 40 cycles, compute 20, bandwidth 6, under-use 5 (ties with fill 5: report order) are the
  // three largest.
  EXPECT_NE(t.find(fmt::format("comp  {:>5.1f}%  bw    {:>5.1f}%  under {:>5.1f}%\n", 100.0 * 20 / 40,
                               100.0 * 6 / 40, 100.0 * 5 / 40)),
            std::string::npos)
      << t;
  EXPECT_NE(
      t.find(fmt::format("cycles by cause: compute {:.1f} %, spatial under-use {:.1f} %, preload 0.0 %, "
                         "fill/drain {:.1f} %, scratchpad port (array) 0.0 %, bank conflict {:.1f} %, "
                         "scratchpad port (DMA) 0.0 %, DMA issue limit 0.0 %, DRAM bandwidth {:.1f} %, "
                         "DRAM latency {:.1f} %, dependency {:.1f} %, idle 0.0 %\n",
                         100.0 * 22 / 42, 100.0 * 5 / 42, 100.0 * 5 / 42, 100.0 * 1 / 42, 100.0 * 6 / 42,
                         100.0 * 2 / 42, 100.0 * 1 / 42)),
      std::string::npos)
      << t;
  EXPECT_NE(t.find("causes: comp = compute, under = spatial under-use, pre = preload, fill = fill/drain, "
                   "aport = scratchpad port (array), bank = bank conflict, dport = scratchpad port (DMA), "
                   "issue = DMA issue limit, bw = DRAM bandwidth, lat = DRAM latency, dep = dependency, "
                   "idle = idle"),
            std::string::npos)
      << t;
  // Each row's cause column starts where the header's does.
  const size_t header_at = t.find("layer");
  const size_t column = t.find("largest causes", header_at) - header_at;
  for (const char* row_start : {"conv1 ", "TOTAL "}) {
    const size_t at = t.find(row_start);
    ASSERT_NE(at, std::string::npos) << row_start;
    EXPECT_EQ(t.substr(at + column, 6), "comp  ") << row_start;
    EXPECT_EQ(t.substr(at + column - 2, 2), "  ") << row_start;
  }
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
