// Checks across parameters, run after the file and the overrides, and the derived microarchitecture.
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "systole/config/loader.h"

namespace systole {
namespace {

using testing::diagnostic_for;
using testing::diagnostics_of;

std::string arch(const std::string& array_body) {
  return "schema_version: 1\nname: x\ncore:\n  array: {" + array_body + "}\n";
}

TEST(CrossField, NumberFormatsMustAgree) {
  EXPECT_NO_THROW(load_arch_from_string(arch("input_type: int16, weight_type: int8"), "a.yaml"));
  EXPECT_NO_THROW(
      load_arch_from_string(arch("input_type: bf16, weight_type: fp16, accumulator_type: fp32"), "a.yaml"));

  const auto ds = diagnostics_of([] {
    load_arch_from_string(arch("input_type: int8, weight_type: fp16, accumulator_type: fp32"), "a.yaml");
  });
  ASSERT_EQ(ds.size(), 2u) << "mixed operands, and fp32 accumulation of integer inputs";
  EXPECT_EQ(diagnostic_for(ds, "core.array.weight_type").rule,
            "must be an integer format like core.array.input_type ('int8')");
  EXPECT_EQ(diagnostic_for(ds, "core.array.weight_type").line, 4);
  EXPECT_EQ(diagnostic_for(ds, "core.array.accumulator_type").rule,
            "must be int32 for integer inputs (core.array.input_type 'int8')");
}

TEST(CrossField, RunOnlyWhenEachKeyIsValid) {
  // accumulator_type is wrong by itself; the cross check would only repeat the same mistake.
  const auto ds = diagnostics_of([] {
    load_arch_from_string(arch("input_type: fp16, weight_type: fp16, accumulator_type: fp64"), "a.yaml");
  });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].rule, "must be one of: int32, fp32");
}

TEST(CrossField, ScalesimCompatForcesTheScaleSimMicroarchitecture) {
  const ArchSpec a = load_arch_from_string(arch("scalesim_compat: true"), "a.yaml");
  EXPECT_FALSE(a.core.array.microarch.preload_overlap);
  EXPECT_FALSE(a.core.array.microarch.fold_pipelining);
  EXPECT_TRUE(a.core.array.microarch.scalesim_counting);
  // and the staged feeder (SCALE-Sim's SRAMs never stall), where the default is direct.
  EXPECT_EQ(a.core.array.operand_feeder, OperandFeeder::kStaged);
  EXPECT_EQ(load_arch_from_string(arch("rows: 32"), "a.yaml").core.array.operand_feeder,
            OperandFeeder::kDirect);
  EXPECT_NO_THROW(load_arch_from_string(arch("scalesim_compat: true, operand_feeder: staged"), "a.yaml"));
  // Explicitly false beside it is consistent, not a conflict.
  EXPECT_NO_THROW(load_arch_from_string(
      arch("scalesim_compat: true, preload_overlap: false, fold_pipelining: false"), "a.yaml"));
  const auto ds = diagnostics_of(
      [] { load_arch_from_string(arch("scalesim_compat: true, fold_pipelining: true"), "a.yaml"); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "core.array.fold_pipelining");
  EXPECT_EQ(ds[0].line, 4);
}

TEST(CrossField, WithoutCompatTheFlagsAreTakenAsWritten) {
  const ArchSpec a = load_arch_from_string(arch("preload_overlap: false, fold_pipelining: true"), "a.yaml");
  EXPECT_FALSE(a.core.array.microarch.preload_overlap);
  EXPECT_TRUE(a.core.array.microarch.fold_pipelining);
  EXPECT_FALSE(a.core.array.microarch.scalesim_counting);
}

TEST(CrossField, ScalesimCompatRejectsEveryContradictingMicroarchKey) {
  // Each key set to a value SCALE-Sim's array does not have is reported, all together.
  const auto ds = diagnostics_of([] {
    load_arch_from_string(
        arch("scalesim_compat: true, input_skew_registers: true, output_skew_registers: true, "
             "pe_pipeline_depth: 2, accumulator_rmw_latency: 3"),
        "a.yaml");
  });
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds[0].key, "core.array.input_skew_registers");
  EXPECT_EQ(ds[1].key, "core.array.output_skew_registers");
  EXPECT_EQ(ds[2].key, "core.array.pe_pipeline_depth");
  EXPECT_EQ(ds[3].key, "core.array.accumulator_rmw_latency");
  EXPECT_NE(ds[2].rule.find("must be 1 (or left out)"), std::string::npos) << ds[2].rule;
  // SCALE-Sim's own values beside it are consistent.
  EXPECT_NO_THROW(load_arch_from_string(arch("scalesim_compat: true, pe_pipeline_depth: 1, "
                                             "accumulator_rmw_latency: 0, input_skew_registers: false"),
                                        "a.yaml"));
}

TEST(CrossField, TheNocShapeAndVcsMustSuitItsTopology) {
  auto noc = [](const std::string& body) { return "schema_version: 1\nname: x\nnoc: {" + body + "}\n"; };
  EXPECT_NO_THROW(load_arch_from_string(noc("topology: ring, x: 8, y: 1, vcs: 2"), "a.yaml"));
  EXPECT_NO_THROW(load_arch_from_string(noc("topology: crossbar, x: 16, y: 16"), "a.yaml"));
  const auto ds =
      diagnostics_of([&] { load_arch_from_string(noc("topology: ring, x: 1, y: 4, vcs: 3"), "a.yaml"); });
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(diagnostic_for(ds, "noc.y").rule, "must be 1 with noc.topology ring (noc.x routers in a cycle)");
  EXPECT_EQ(diagnostic_for(ds, "noc.x").rule, "must be at least 2 with noc.topology ring");
  EXPECT_NE(diagnostic_for(ds, "noc.vcs").rule.find("must be even"), std::string::npos);
  EXPECT_EQ(diagnostic_for(ds, "noc.vcs").line, 3);  // the noc: line
  const auto big =
      diagnostics_of([&] { load_arch_from_string(noc("topology: crossbar, x: 32, y: 16"), "a.yaml"); });
  ASSERT_EQ(big.size(), 1u);
  EXPECT_NE(big[0].rule.find("at most 256"), std::string::npos) << big[0].rule;
  const auto bad = diagnostics_of([&] { load_arch_from_string(noc("topology: torus"), "a.yaml"); });
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].key, "noc.topology");
  EXPECT_EQ(bad[0].rule, "must be one of: mesh, ring, crossbar");
}

}  // namespace
}  // namespace systole
