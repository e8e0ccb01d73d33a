// cores.<core or range>.<key of core.*>: per-core overrides (heterogeneous cores), their order,
// their round trip through report.json's config, and every bad one named with its key and line.
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "systole/config/loader.h"

namespace systole {
namespace {

using testing::diagnostic_for;
using testing::diagnostics_of;

const char* kBase = "schema_version: 1\nname: x\n";

TEST(CoreOverrides, ApplyToTheCoresTheyNameAndLeaveTheOthersAsCore) {
  const ArchSpec a = load_arch_from_string(std::string(kBase) +
                                               "cores:\n"
                                               "  count: 4\n"
                                               "  2-3:\n"
                                               "    array: {rows: 16, cols: 16, dataflow: os}\n"
                                               "  3:\n"
                                               "    scratchpads: {ifmap: {capacity_kib: 64}}\n",
                                           "a.yaml");
  ASSERT_TRUE(a.heterogeneous());
  ASSERT_EQ(a.cores.per_core.size(), 4U);
  for (int c : {0, 1}) {
    EXPECT_EQ(a.core_of(c).array.rows, 32) << c;
    EXPECT_EQ(a.core_of(c).array.dataflow, Dataflow::kWeightStationary) << c;
  }
  for (int c : {2, 3}) {
    EXPECT_EQ(a.core_of(c).array.rows, 16) << c;
    EXPECT_EQ(a.core_of(c).array.cols, 16) << c;
    EXPECT_EQ(a.core_of(c).array.dataflow, Dataflow::kOutputStationary) << c;
  }
  EXPECT_EQ(a.core_of(2).scratchpads.of(OperandRole::kIfmap).capacity_kib, 256);
  EXPECT_EQ(a.core_of(3).scratchpads.of(OperandRole::kIfmap).capacity_kib, 64);
  EXPECT_EQ(a.core.array.rows, 32);  // `core` itself is untouched
  EXPECT_EQ(a.key_origins.at("cores.2-3.array.rows").line, 6);
}

TEST(CoreOverrides, SetReplacesTheFilesValueAndAddsNewOnes) {
  const ArchSpec a = load_arch_from_string(std::string(kBase) + "cores: {count: 2, 1: {array: {rows: 16}}}\n",
                                           "a.yaml", {"cores.1.array.rows=8", "cores.0.array.cols=64"});
  EXPECT_EQ(a.core_of(1).array.rows, 8);
  EXPECT_EQ(a.core_of(0).array.cols, 64);
  EXPECT_EQ(a.core_of(0).array.rows, 32);
  EXPECT_EQ(a.cores.overrides.size(), 2U);
}

TEST(CoreOverrides, WithoutOverridesEveryCoreIsCore) {
  const ArchSpec a = load_arch_from_string(std::string(kBase) + "cores: {count: 4}\n", "a.yaml");
  EXPECT_FALSE(a.heterogeneous());
  EXPECT_EQ(&a.core_of(3), &a.core);
}

TEST(CoreOverrides, ACoreMayLeaveAScratchpadOfTheBaseUnused) {
  // core.scratchpads.weight is set for the cores that use it; core 1 keeps its weights in its
  // ifmap scratchpad and builds no weight scratchpad.
  const ArchSpec a = load_arch_from_string(std::string(kBase) +
                                               "core: {scratchpads: {weight: {banks: 8}}}\n"
                                               "cores: {count: 2, 1: {operands: {weight: ifmap}}}\n",
                                           "a.yaml");
  EXPECT_EQ(a.core_of(1).scratchpads.name_of(OperandRole::kWeight), "ifmap");
  EXPECT_EQ(a.core_of(0).scratchpads.of(OperandRole::kWeight).banks, 8);
  // A key the override itself writes for a scratchpad that core does not use is still an error.
  const auto ds = diagnostics_of([] {
    load_arch_from_string(
        std::string(kBase) +
            "cores: {count: 2, 1: {operands: {weight: ifmap}, scratchpads: {weight: {banks: 4}}}}\n",
        "a.yaml");
  });
  EXPECT_NE(diagnostic_for(ds, "cores.1.scratchpads.weight.banks").rule.find("no operand lives"),
            std::string::npos);
}

TEST(CoreOverrides, RoundTripThroughTheResolvedConfig) {
  const ArchSpec a = load_arch_from_string(
      std::string(kBase) +
          "cores: {count: 4, 2-3: {array: {rows: 16, dataflow: is}, dma: {max_outstanding: 4}}}\n",
      "a.yaml");
  const nlohmann::json j = arch_to_json(a);
  EXPECT_EQ(j["cores"]["2-3"]["array"]["rows"], 16);
  EXPECT_EQ(j["cores"]["2-3"]["array"]["dataflow"], "is");
  const ArchSpec b = load_arch_from_json(j, "report.json", "config.");
  EXPECT_EQ(arch_to_json(b), j);
  EXPECT_EQ(b.core_of(3).array.dataflow, Dataflow::kInputStationary);
}

TEST(CoreOverrides, BadOverridesAreNamedWithTheirKeyAndLine) {
  auto load = [](const std::string& cores) {
    return diagnostics_of([&] { load_arch_from_string(std::string(kBase) + "cores:\n" + cores, "a.yaml"); });
  };
  // A core beyond cores.count.
  Diagnostic d = diagnostic_for(load("  count: 2\n  1-2: {array: {rows: 16}}\n"), "cores.1-2.array.rows");
  EXPECT_EQ(d.line, 5);
  EXPECT_NE(d.rule.find("names core 2, and cores.count is 2"), std::string::npos) << d.rule;
  // A range written backwards.
  d = diagnostic_for(load("  count: 4\n  3-1: {array: {rows: 16}}\n"), "cores.3-1.array.rows");
  EXPECT_NE(d.rule.find("runs backwards"), std::string::npos) << d.rule;
  // One core.
  d = diagnostic_for(load("  0: {array: {rows: 16}}\n"), "cores.0.array.rows");
  EXPECT_NE(d.rule.find("cores.count is 1"), std::string::npos) << d.rule;
  // A value out of range: core.array.rows's own rule.
  d = diagnostic_for(load("  count: 2\n  1: {array: {rows: 0}}\n"), "cores.1.array.rows");
  EXPECT_EQ(d.value, "0");
  EXPECT_NE(d.rule.find(">= 1"), std::string::npos) << d.rule;
  // A key that core.* does not have, with a suggestion.
  d = diagnostic_for(load("  count: 2\n  1: {array: {rowz: 16}}\n"), "cores.1.array.rowz");
  EXPECT_NE(d.rule.find("core.array.rows"), std::string::npos) << d.rule;
  // A cross-field rule broken by the override: reported on the override.
  d = diagnostic_for(load("  count: 2\n  1: {operands: {ifmap: nowhere}}\n"), "cores.1.operands.ifmap");
  EXPECT_EQ(d.line, 5);
  // What is not modelled per core: the clock and the number formats.
  d = diagnostic_for(load("  count: 2\n  1: {clock_mhz: 500}\n"), "cores.1.clock_mhz");
  EXPECT_NE(d.rule.find("one clock"), std::string::npos) << d.rule;
  d = diagnostic_for(
      load("  count: 2\n  1: {array: {input_type: fp16, weight_type: fp16, accumulator_type: fp32}}\n"),
      "cores.1.array.input_type");
  EXPECT_NE(d.rule.find("number formats"), std::string::npos) << d.rule;
  // Not a map.
  d = diagnostic_for(load("  count: 2\n  1: 16\n"), "cores.1");
  EXPECT_NE(d.rule.find("must be a map"), std::string::npos) << d.rule;
}

TEST(CoreOverrides, BadSetOverridesAreNamed) {
  const auto ds = diagnostics_of([] {
    load_arch_from_string(std::string(kBase) + "cores: {count: 2}\n", "a.yaml",
                          {"cores.1.array=3", "cores.1.array.colz=3"});
  });
  EXPECT_NE(diagnostic_for(ds, "cores.1.array").rule.find("is a section"), std::string::npos);
  EXPECT_NE(diagnostic_for(ds, "cores.1.array.colz").rule.find("core.array.cols"), std::string::npos);
}

}  // namespace
}  // namespace systole
