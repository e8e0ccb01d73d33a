#include <gtest/gtest.h>

#include <cmath>

#include "energy_test_util.h"
#include "systole/common/error.h"
#include "systole/energy/energy_table.h"

namespace systole::energy {
namespace {

using test::edited;
using test::shipped;
using test::small_table;
using test::write_table;

// The ConfigError message of loading `text`, or "" when it loads.
std::string load_error(const std::string& name, const std::string& text) {
  try {
    load_energy_table(write_table(name, text));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(EnergyTable, ShippedTablesLoadWithSources) {
  for (const char* node : {"45nm", "7nm"}) {
    const EnergyTable t = load_energy_table(shipped(node));
    EXPECT_EQ(t.node, node);
    EXPECT_GE(t.macs.size(), 5u) << node;
    EXPECT_GE(t.sram.points.size(), 2u) << node;
    for (const MacEntry& m : t.macs) EXPECT_FALSE(m.pj.source.empty()) << node;
    for (const char* std : {"DDR4", "HBM2"}) EXPECT_GT(t.dram_pj_per_bit(std), 0.0) << node;
  }
}

TEST(EnergyTable, ShippedMacIsMultiplyPlusAccumulatorAdd) {
  // A MAC is priced as one multiply plus one add at the accumulator width, in both tables.
  for (const char* node : {"45nm", "7nm"}) {
    const EnergyTable t = load_energy_table(shipped(node));
    EXPECT_NEAR(
        t.mac_pj(DataType::kInt8, DataType::kInt8),
        t.vector_op_pj(VectorOp::kMul, DataType::kInt8) + t.vector_op_pj(VectorOp::kAdd, DataType::kInt32),
        1e-9)
        << node;
    EXPECT_NEAR(
        t.mac_pj(DataType::kBf16, DataType::kBf16),
        t.vector_op_pj(VectorOp::kMul, DataType::kBf16) + t.vector_op_pj(VectorOp::kAdd, DataType::kFp32),
        1e-9)
        << node;
    EXPECT_NEAR(
        t.mac_pj(DataType::kFp32, DataType::kFp32),
        t.vector_op_pj(VectorOp::kMul, DataType::kFp32) + t.vector_op_pj(VectorOp::kAdd, DataType::kFp32),
        1e-9)
        << node;
  }
}

TEST(EnergyTable, AccelergyTableCarriesItsSourcesFigures) {
  // arch/energy/45nm-accelergy.yaml: Aladdin's units and CACTI 7's macros as Accelergy uses them.
  const EnergyTable t = load_energy_table(shipped("45nm-accelergy"));
  EXPECT_EQ(t.node, "45nm");
  // int8 MAC = Aladdin's 32-bit multiplier x (8/32)^2 + its 32-bit adder.
  EXPECT_NEAR(t.mac_pj(DataType::kInt8, DataType::kInt8), 12.7 / 16 + 0.21, 0.001);
  EXPECT_NEAR(
      t.mac_pj(DataType::kInt8, DataType::kInt8),
      t.vector_op_pj(VectorOp::kMul, DataType::kInt8) + t.vector_op_pj(VectorOp::kAdd, DataType::kInt32),
      0.001);
  EXPECT_DOUBLE_EQ(t.register_shift_pj_per_byte.value, 8 * 0.009);
  // CACTI 7 points, in 4-byte words: reads and writes differ, unlike Horowitz's single figure.
  EXPECT_DOUBLE_EQ(t.sram_access_pj(8 * 1024, 4, false), 5.25);
  EXPECT_DOUBLE_EQ(t.sram_access_pj(8 * 1024, 4, true), 4.79);
  EXPECT_DOUBLE_EQ(t.sram_access_pj(16 * 1024, 4, false), 9.98);
  EXPECT_DOUBLE_EQ(t.sram_access_pj(16 * 1024, 4, true), 6.87);
  EXPECT_DOUBLE_EQ(t.sram_access_pj(1024 * 1024, 8, false), 93.5);  // the 64-bit figure as published
  EXPECT_DOUBLE_EQ(t.sram_access_pj(1024 * 1024, 8, true), 76.2);
  EXPECT_DOUBLE_EQ(t.dram_pj_per_bit("LPDDR4"), 8.0);
  // No half-precision units in Aladdin: the table refuses fp16, naming what it has.
  try {
    t.mac_pj(DataType::kFp16, DataType::kFp16);
    ADD_FAILURE() << "fp16 MAC priced";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("int8"), std::string::npos) << e.what();
  }
  // Every entry says where it comes from.
  for (const MacEntry& m : t.macs) EXPECT_FALSE(m.pj.source.empty());
}

TEST(EnergyTable, ScalingIsNotOneFactor) {
  // Logic and SRAM scale differently from 45 nm to 7 nm (docs/energy.md, node scaling).
  const EnergyTable a = load_energy_table(shipped("45nm"));
  const EnergyTable b = load_energy_table(shipped("7nm"));
  const double logic =
      a.mac_pj(DataType::kInt8, DataType::kInt8) / b.mac_pj(DataType::kInt8, DataType::kInt8);
  const double sram8k = a.sram_access_pj(8 * 1024, 8, false) / b.sram_access_pj(8 * 1024, 8, false);
  EXPECT_NEAR(logic, 0.3 / 0.1, 1e-9);
  EXPECT_NEAR(sram8k, 10.0 / 7.5, 1e-9);
}

TEST(EnergyTable, SramInterpolatesLogLogBetweenPoints) {
  const EnergyTable t = load_energy_table(write_table("interp", small_table()));
  // At a point: exact. 8 KiB read, 8-byte word = 64 bits = the table word.
  EXPECT_DOUBLE_EQ(t.sram_access_pj(8 * 1024, 8, false), 10.0);
  EXPECT_DOUBLE_EQ(t.sram_access_pj(32 * 1024, 8, true), 24.0);
  // 16 KiB is halfway between 8 and 32 in log(C): f = log(16/8) / log(32/8) = 1/2, so
  // E = exp((log 10 + log 20) / 2) = sqrt(10 * 20).
  EXPECT_NEAR(t.sram_access_pj(16 * 1024, 8, false), std::sqrt(10.0 * 20.0), 1e-9);
  // Word width scales linearly: a 4-byte word is half of the 64-bit access.
  EXPECT_NEAR(t.sram_access_pj(16 * 1024, 4, false), std::sqrt(10.0 * 20.0) / 2.0, 1e-9);
}

TEST(EnergyTable, SramClampsAtBothEnds) {
  const EnergyTable t = load_energy_table(write_table("clamp", small_table()));
  EXPECT_DOUBLE_EQ(t.sram_access_pj(1024, 8, false), 10.0);             // 1 KiB < 8 KiB: smallest point
  EXPECT_DOUBLE_EQ(t.sram_access_pj(64 * 1024 * 1024, 8, true), 24.0);  // 64 MiB > 32 KiB: largest point
  EXPECT_THROW(t.sram_access_pj(0, 8, false), InternalError);
}

TEST(EnergyTable, MissingLookupNamesTheTableAndWhatItHas) {
  const std::string path = write_table("lookup", small_table());
  const EnergyTable t = load_energy_table(path);
  try {
    t.mac_pj(DataType::kInt8, DataType::kInt16);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("int8 x int16"), std::string::npos) << msg;
    EXPECT_NE(msg.find("int8 x int8, fp16 x fp16"), std::string::npos) << msg;
  }
  EXPECT_THROW(t.dram_pj_per_bit("LPDDR5"), ConfigError);
  EXPECT_THROW(t.vector_op_pj(VectorOp::kAdd, DataType::kFp16), ConfigError);
}

TEST(EnergyTableLoader, WrongUnitNamesLineAndKey) {
  const std::string msg = load_error("unit", edited("value: 0.5, unit: pJ/byte", "value: 0.5, unit: pJ"));
  EXPECT_NE(msg.find("unit.yaml:4: register_shift.unit = 'pJ': must be 'pJ/byte'"), std::string::npos) << msg;
}

TEST(EnergyTableLoader, MissingAndUnknownKeysAreAllReported) {
  const std::string text =
      edited("dram:\n  - {standard: DDR4, value: 20, unit: pJ/bit, source: s}\n", "colour: blue\n");
  const std::string msg = load_error("keys", text);
  EXPECT_NE(msg.find("keys.yaml:20: colour = 'blue': unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("dram = '': missing required list"), std::string::npos) << msg;
}

TEST(EnergyTableLoader, BadValuesAreRejected) {
  EXPECT_NE(load_error("neg", edited("value: 0.3, unit: pJ", "value: -0.3, unit: pJ"))
                .find("neg.yaml:6: mac[0].value = '-0.3': must be a number >= 0 and <= 1000000"),
            std::string::npos);
  EXPECT_NE(
      load_error("type", edited("input: fp16", "input: fp8")).find("mac[1].input = 'fp8': unknown data type"),
      std::string::npos);
  EXPECT_NE(
      load_error("src", edited("value: 20, unit: pJ/bit, source: s", "value: 20, unit: pJ/bit, source: ''"))
          .find("dram[0].source = '': must name the paper"),
      std::string::npos);
  EXPECT_NE(load_error("share", edited("value: 0.2, unit: fraction", "value: 1.0, unit: fraction"))
                .find("clock_tree_share.value = '1.000000': must be < 1"),
            std::string::npos);
  EXPECT_NE(
      load_error("order", edited("capacity_kib: 32", "capacity_kib: 4")).find("must be strictly increasing"),
      std::string::npos);
  EXPECT_NE(load_error("dup", edited("input: fp16, weight: fp16", "input: int8, weight: int8"))
                .find("duplicate entry"),
            std::string::npos);
  EXPECT_NE(load_error("ver", edited("schema_version: 1", "schema_version: 2"))
                .find("schema_version = '2': must be 1"),
            std::string::npos);
}

TEST(EnergyTable, ShippedTablesPriceTheNocWithSources) {
  for (const char* node : {"45nm", "7nm", "45nm-accelergy"}) {
    const EnergyTable t = load_energy_table(shipped(node));
    ASSERT_TRUE(t.has_noc) << node;
    const NocEntry& n = t.noc_prices();
    EXPECT_GT(n.link_pj_per_bit_mm.value, 0.0) << node;
    EXPECT_GT(n.router_pj_per_bit.value, 0.0) << node;
    EXPECT_FALSE(n.link_pj_per_bit_mm.source.empty()) << node;
    EXPECT_FALSE(n.router_pj_per_bit.source.empty()) << node;
  }
  // A smaller node moves a bit for less.
  EXPECT_LT(load_energy_table(shipped("7nm")).noc.router_pj_per_bit.value,
            load_energy_table(shipped("45nm")).noc.router_pj_per_bit.value);
}

TEST(EnergyTableLoader, TheNocSectionIsOptionalButCompleteWhenPresent) {
  const std::string path = write_table("no_noc", small_table());
  const EnergyTable t = load_energy_table(path);
  EXPECT_FALSE(t.has_noc);
  try {
    t.noc_prices();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("no noc section"), std::string::npos) << msg;
  }
  const std::string noc =
      "noc:\n  link: {value: 0.06, unit: pJ/bit/mm, source: s}\n"
      "  router: {value: 0.1, unit: pJ/bit, source: s}\n";
  const EnergyTable with = load_energy_table(write_table("noc", small_table() + noc));
  EXPECT_DOUBLE_EQ(with.noc_prices().link_pj_per_bit_mm.value, 0.06);
  EXPECT_DOUBLE_EQ(with.noc_prices().router_pj_per_bit.value, 0.1);

  std::string wrong_unit = small_table() + noc;
  wrong_unit.replace(wrong_unit.find("pJ/bit/mm"), 9, "pJ/bit");
  EXPECT_NE(load_error("noc_unit", wrong_unit)
                .find("noc_unit.yaml:23: noc.link.unit = 'pJ/bit': must be 'pJ/bit/mm'"),
            std::string::npos)
      << load_error("noc_unit", wrong_unit);
  const std::string no_router = small_table() + "noc:\n  link: {value: 0.06, unit: pJ/bit/mm, source: s}\n";
  EXPECT_NE(load_error("noc_router", no_router).find("noc.router = '': missing required entry"),
            std::string::npos)
      << load_error("noc_router", no_router);
  EXPECT_NE(load_error("noc_key", small_table() + noc + "  wire: 3\n").find("noc.wire = '3': unknown key"),
            std::string::npos);
}

TEST(EnergyTableLoader, MissingFileAndSyntaxErrors) {
  try {
    load_energy_table("/nonexistent/energy.yaml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
  }
  EXPECT_NE(load_error("syntax", "mac: [\n").find("malformed YAML"), std::string::npos);
}

}  // namespace
}  // namespace systole::energy
