// The array's microarchitecture, accumulator and fidelity keys: defaults that keep the issue-2
// cycles, values taken as written, ranges, and the fixed SCALE-Sim setting.
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

TEST(ArrayMicroarchConfig, DefaultsAreTheIssueTwoArray) {
  const ArchSpec a = load_arch_from_string(arch(""), "a.yaml");
  const ArrayMicroarch& ua = a.core.array.microarch;
  EXPECT_TRUE(ua.preload_overlap);
  EXPECT_TRUE(ua.fold_pipelining);
  EXPECT_FALSE(ua.input_skew_registers);
  EXPECT_FALSE(ua.output_skew_registers);
  EXPECT_EQ(ua.pe_pipeline_depth, 1);
  EXPECT_EQ(ua.accumulator_rmw_latency, 0);
  EXPECT_EQ(a.core.array.fidelity, ArrayFidelity::kTile);
  EXPECT_EQ(a.core.array.accumulator_width_bits, 32);
  EXPECT_EQ(a.core.array.accumulator_overflow, Overflow::kSaturate);
}

TEST(ArrayMicroarchConfig, ValuesAreTakenAsWritten) {
  const ArchSpec a = load_arch_from_string(
      arch("fidelity: rtl, input_skew_registers: true, output_skew_registers: true, pe_pipeline_depth: 3, "
           "accumulator_rmw_latency: 12, accumulator_width_bits: 24, accumulator_overflow: wrap"),
      "a.yaml");
  const ArrayMicroarch& ua = a.core.array.microarch;
  EXPECT_TRUE(ua.input_skew_registers);
  EXPECT_TRUE(ua.output_skew_registers);
  EXPECT_EQ(ua.pe_pipeline_depth, 3);
  EXPECT_EQ(ua.accumulator_rmw_latency, 12);
  EXPECT_EQ(a.core.array.fidelity, ArrayFidelity::kRtl);
  const AccumulatorSpec acc = a.core.array.accumulator();
  EXPECT_EQ(acc.width_bits, 24);
  EXPECT_EQ(acc.overflow, Overflow::kWrap);
  EXPECT_EQ(acc.type, DataType::kInt32);
}

TEST(ArrayMicroarchConfig, RangesAndChoices) {
  const auto ds = diagnostics_of([] {
    load_arch_from_string(
        arch("pe_pipeline_depth: 0, accumulator_rmw_latency: -1, accumulator_width_bits: 65, "
             "accumulator_overflow: clamp, fidelity: gate"),
        "a.yaml");
  });
  EXPECT_EQ(ds.size(), 5u);
  EXPECT_EQ(diagnostic_for(ds, "core.array.pe_pipeline_depth").rule, "must be an integer >= 1 and <= 16");
  EXPECT_EQ(diagnostic_for(ds, "core.array.accumulator_rmw_latency").rule,
            "must be an integer >= 0 and <= 1024");
  EXPECT_EQ(diagnostic_for(ds, "core.array.accumulator_width_bits").rule,
            "must be an integer >= 8 and <= 64");
  EXPECT_EQ(diagnostic_for(ds, "core.array.accumulator_overflow").rule, "must be one of: saturate, wrap");
  EXPECT_EQ(diagnostic_for(ds, "core.array.fidelity").rule, "must be one of: tile, rtl");
}

TEST(ArrayMicroarchConfig, ScalesimCompatIsOneFixedSetting) {
  const ArchSpec a = load_arch_from_string(arch("scalesim_compat: true, fidelity: rtl"), "a.yaml");
  const ArrayMicroarch& ua = a.core.array.microarch;
  const ArrayMicroarch want = ArrayMicroarch::scalesim();
  EXPECT_EQ(ua.input_skew_registers, want.input_skew_registers);
  EXPECT_EQ(ua.output_skew_registers, want.output_skew_registers);
  EXPECT_EQ(ua.pe_pipeline_depth, want.pe_pipeline_depth);
  EXPECT_EQ(ua.accumulator_rmw_latency, want.accumulator_rmw_latency);
  EXPECT_TRUE(ua.scalesim_counting);
  EXPECT_EQ(a.core.array.fidelity, ArrayFidelity::kRtl);
}

}  // namespace
}  // namespace systole
