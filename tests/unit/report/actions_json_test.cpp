// report.json's "actions" record per layer and in the total (the counts the energy model prices).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/process.h"
#include "systole/report/report.h"

namespace systole {
namespace {

LayerStats counted(const std::string& name, int64_t scale) {
  LayerStats s;
  s.name = name;
  s.macs = 100 * scale;
  s.vector_ops = 7 * scale;
  s.dram_reads_bytes = 64 * scale;
  s.dram_writes_bytes = 32 * scale;
  s.actions.ifmap = {11 * scale, 12 * scale, 0};
  s.actions.weight = {21 * scale, 22 * scale, 0};
  s.actions.ofmap = {31 * scale, 32 * scale, 33 * scale};
  s.actions.register_shift_bytes = 5 * scale;
  s.actions.dma_bursts = 3 * scale;
  s.actions.vector = {1 * scale, 2 * scale, 3 * scale, 1 * scale};  // sums to vector_ops
  return s;
}

TEST(ReportActions, EveryLayerAndTheTotalCarryTheCounts) {
  const auto dir = testing::fresh_dir("report_actions");
  testing::write_file(dir / "a.yaml", "arch");
  testing::write_file(dir / "w.yaml", "workload");
  SimResult r;
  r.layers = {counted("a", 1), counted("b", 2)};
  r.total = counted("total", 3);
  const nlohmann::ordered_json j = build_report(
      ArchSpec{}, Program{}, r, RunInputs{(dir / "a.yaml").string(), {}, (dir / "w.yaml").string()});
  std::vector<std::pair<nlohmann::ordered_json, int64_t>> records = {
      {j["layers"][0], 1}, {j["layers"][1], 2}, {j["total"], 3}};
  for (const auto& [rec, k] : records) {
    ASSERT_TRUE(rec.contains("actions")) << rec["name"];
    const auto& a = rec["actions"];
    std::vector<std::string> keys;
    for (const auto& item : a.items()) keys.push_back(item.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"macs", "register_shift_bytes", "scratchpads", "dma_bursts",
                                              "vector_lane_ops", "dram_read_bytes", "dram_write_bytes"}));
    EXPECT_EQ(a["macs"], 100 * k);
    EXPECT_EQ(a["register_shift_bytes"], 5 * k);
    EXPECT_EQ(a["dma_bursts"], 3 * k);
    EXPECT_EQ(a["vector_lane_ops"]["add_on_accumulator"], 1 * k);
    EXPECT_EQ(a["vector_lane_ops"]["mul_on_accumulator"], 2 * k);
    EXPECT_EQ(a["vector_lane_ops"]["add_on_input"], 3 * k);
    EXPECT_EQ(a["vector_lane_ops"]["mul_on_input"], 1 * k);
    EXPECT_EQ(a["dram_read_bytes"], 64 * k);
    EXPECT_EQ(a["dram_write_bytes"], 32 * k);
    const auto& s = a["scratchpads"];
    EXPECT_EQ(s["ifmap"]["read_accesses"], 11 * k);
    EXPECT_EQ(s["ifmap"]["write_accesses"], 12 * k);
    EXPECT_FALSE(s["ifmap"].contains("accumulator_rmw"));
    EXPECT_EQ(s["weight"]["read_accesses"], 21 * k);
    EXPECT_EQ(s["weight"]["write_accesses"], 22 * k);
    EXPECT_EQ(s["ofmap"]["read_accesses"], 31 * k);
    EXPECT_EQ(s["ofmap"]["write_accesses"], 32 * k);
    EXPECT_EQ(s["ofmap"]["accumulator_rmw"], 33 * k);
    // The existing fields stay.
    EXPECT_EQ(rec["macs"], 100 * k);
    EXPECT_EQ(rec["dram_reads_bytes"], 64 * k);
  }
}

TEST(ReportActions, LayersCsvHasNoActionColumns) {
  SimResult r;
  r.layers = {counted("a", 1)};
  r.total = counted("total", 1);
  const std::string csv = layers_csv(r);
  EXPECT_EQ(csv.find("accesses"), std::string::npos);
  EXPECT_EQ(csv.find("register_shift"), std::string::npos);
}

}  // namespace
}  // namespace systole
