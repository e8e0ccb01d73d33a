#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "energy_test_util.h"
#include "systole/common/error.h"
#include "systole/energy/pricing.h"

namespace systole::energy {
namespace {

using test::edited;
using test::small_table;
using test::write_table;

// Small counts over test::small_table(); expected values are written out as arithmetic.
ActionCounts small_counts() {
  ActionCounts c;
  c.macs = {{DataType::kInt8, DataType::kInt8, 100}, {DataType::kFp16, DataType::kFp16, 10}};
  c.register_shift_bytes = 40;
  c.scratchpads = {{"ifmap", 8 * 1024, 8, 5, 2}, {"weights", 32 * 1024, 4, 4, 0}};
  c.scratchpads.push_back({"acc", 8 * 1024, 4, 2, 2});  // the accumulator's word accesses
  c.accumulators = {{"acc", DataType::kInt32, 3}};
  c.vector_ops = {{VectorOp::kAdd, DataType::kInt32, 20}, {VectorOp::kMul, DataType::kFp32, 1}};
  c.dram = {"DDR4", 16, 8};
  return c;
}

double sum_of(const EnergyBreakdown& b) {
  double s = 0.0;
  for (const auto& [name, pj] : b.by_component()) s += pj;
  return s;
}

TEST(Pricing, HandComputedSmallCase) {
  const EnergyTable t = load_energy_table(write_table("price", small_table()));
  const EnergyBreakdown b = price(small_counts(), t);
  const double array = 100 * 0.3 + 10 * 2.0 + 40 * 0.5;      // 30 + 20 + 20 = 70
  const double ifmap = 5 * 10.0 + 2 * 12.0;                  // 8 KiB, 64-bit word: 50 + 24
  const double weights = 4 * 20.0 * 32 / 64;                 // 32 KiB, 32-bit word: 40
  const double acc = 2 * 10.0 / 2 + 2 * 12.0 / 2 + 3 * 0.1;  // 32-bit reads, writes; int32 adds
  const double vector = 20 * 0.1 + 1 * 3.7;                  // 5.7
  const double dram = (16 + 8) * 8 * 20.0;                   // 3840
  const double clock = 0.2 / 0.8 * (array + ifmap + weights + acc + vector);
  EXPECT_NEAR(b.array_pj, array, 1e-9);
  EXPECT_NEAR(b.scratchpad_pj.at("ifmap"), ifmap, 1e-9);
  EXPECT_NEAR(b.scratchpad_pj.at("weights"), weights, 1e-9);
  EXPECT_NEAR(b.scratchpad_pj.at("acc"), acc, 1e-9);
  EXPECT_NEAR(b.vector_pj, vector, 1e-9);
  EXPECT_NEAR(b.dram_pj, dram, 1e-9);
  EXPECT_NEAR(b.clock_tree_pj, clock, 1e-9);
  EXPECT_NEAR(b.total_pj, array + ifmap + weights + acc + vector + dram + clock, 1e-9);
}

TEST(Pricing, BreakdownSumsToTotal) {
  for (const char* node : {"45nm", "7nm"}) {
    const EnergyTable t = load_energy_table(test::shipped(node));
    const EnergyBreakdown b = price(small_counts(), t);
    EXPECT_NEAR(sum_of(b), b.total_pj, 1e-9 * b.total_pj) << node;
    // array, 3 scratchpads, vector, noc, dram, clock_tree
    EXPECT_EQ(b.by_component().size(), 8u) << node;
  }
}

TEST(Pricing, ClockShareIsThatShareOfOnChipDynamicEnergy) {
  const EnergyBreakdown b = price(small_counts(), load_energy_table(write_table("share", small_table())));
  const double on_chip = b.total_pj - b.dram_pj;  // clock included
  EXPECT_NEAR(b.clock_tree_pj / on_chip, 0.2, 1e-12);
}

TEST(Pricing, ChangingOneEntryChangesExactlyTheExpectedComponents) {
  const EnergyBreakdown base = price(small_counts(), load_energy_table(write_table("base", small_table())));
  struct Case {
    const char* from;
    const char* to;
    std::vector<std::string> changed;  // clock_tree follows every on-chip change
  };
  const std::vector<Case> cases = {
      {"value: 0.3, unit: pJ", "value: 0.4, unit: pJ", {"array", "clock_tree"}},
      {"value: 0.5, unit: pJ/byte", "value: 0.6, unit: pJ/byte", {"array", "clock_tree"}},
      {"value: 10, unit: pJ", "value: 11, unit: pJ", {"scratchpad.ifmap", "scratchpad.acc", "clock_tree"}},
      {"value: 24, unit: pJ", "value: 25, unit: pJ", {}},  // no 32 KiB writes in the counts
      {"value: 20, unit: pJ,", "value: 21, unit: pJ,", {"scratchpad.weights", "clock_tree"}},
      {"value: 0.1, unit: pJ", "value: 0.2, unit: pJ", {"scratchpad.acc", "vector", "clock_tree"}},
      {"value: 3.7, unit: pJ", "value: 3.8, unit: pJ", {"vector", "clock_tree"}},
      {"value: 20, unit: pJ/bit", "value: 21, unit: pJ/bit", {"dram"}},
      {"value: 0.2, unit: fraction", "value: 0.3, unit: fraction", {"clock_tree"}},
  };
  for (const Case& c : cases) {
    const std::string text = edited(c.from, c.to);
    ASSERT_FALSE(text.empty()) << c.from;
    const EnergyBreakdown b = price(small_counts(), load_energy_table(write_table("changed", text)));
    const auto before = base.by_component();
    const auto after = b.by_component();
    for (const auto& [name, pj] : before) {
      const bool expect_change = std::find(c.changed.begin(), c.changed.end(), name) != c.changed.end();
      EXPECT_EQ(after.at(name) != pj, expect_change) << c.from << " -> " << c.to << ": " << name;
    }
  }
}

TEST(Pricing, NocFlitsArePricedPerLinkMillimetreAndPerRouter) {
  const std::string noc =
      "noc:\n  link: {value: 0.06, unit: pJ/bit/mm, source: s}\n"
      "  router: {value: 0.1, unit: pJ/bit, source: s}\n";
  const EnergyTable t = load_energy_table(write_table("noc_price", small_table() + noc));
  ActionCounts c = small_counts();
  const EnergyBreakdown without = price(c, t);
  EXPECT_DOUBLE_EQ(without.noc_pj, 0.0);
  c.noc = {256, 1.5, 10, 16};  // 32-B flits, 1.5 mm links, 10 link and 16 router crossings
  const EnergyBreakdown b = price(c, t);
  const double noc_pj = 256 * (10 * 1.5 * 0.06 + 16 * 0.1);  // 256 x (0.9 + 1.6) = 640
  EXPECT_NEAR(b.noc_pj, noc_pj, 1e-9);
  EXPECT_NEAR(b.by_component().at("noc"), noc_pj, 1e-9);
  // On chip: the clock tree's share grows with it; DRAM does not.
  EXPECT_NEAR(b.clock_tree_pj - without.clock_tree_pj, 0.2 / 0.8 * noc_pj, 1e-9);
  EXPECT_NEAR(b.total_pj - without.total_pj, noc_pj / 0.8, 1e-9);
  EXPECT_DOUBLE_EQ(b.dram_pj, without.dram_pj);
  // A table without a noc section prices a run without flits, and refuses one with them.
  const EnergyTable plain = load_energy_table(write_table("noc_plain", small_table()));
  EXPECT_THROW(price(c, plain), ConfigError);
  c.noc.flit_hops = c.noc.router_traversals = 0;
  EXPECT_NO_THROW(price(c, plain));
}

TEST(Pricing, ZeroCountsNeedNoEntryButNonZeroDo) {
  const EnergyTable t = load_energy_table(write_table("zero", small_table()));
  ActionCounts c;
  c.macs = {{DataType::kBf16, DataType::kBf16, 0}};  // no bf16 entry, but no bf16 MACs either
  c.dram = {"LPDDR5", 0, 0};
  EXPECT_DOUBLE_EQ(price(c, t).total_pj, 0.0);
  c.macs[0].count = 1;
  EXPECT_THROW(price(c, t), ConfigError);
  c.macs[0].count = -1;
  EXPECT_THROW(price(c, t), InternalError);
}

}  // namespace
}  // namespace systole::energy
