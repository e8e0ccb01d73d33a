// `--set key.path=value` overrides: applied after the file, checked by the same rules, reported
// with file "--set".
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "systole/config/loader.h"
#include "systole/config/scalesim_cfg.h"

namespace systole {
namespace {

using testing::config_fixture;
using testing::diagnostic_for;
using testing::diagnostics_of;

const char* kMinimal = "schema_version: 1\nname: base\n";

TEST(Overrides, ApplyAfterTheFileInOrder) {
  const ArchSpec a = load_arch(config_fixture("minimal.yaml"),
                               {"core.array.rows=64", "core.array.dataflow=is", "dram.bandwidth_gbps=12.8",
                                "core.array.rows = 128", "name=renamed", "core.array.fold_pipelining=false"});
  EXPECT_EQ(a.core.array.rows, 128) << "the last override of a key wins";
  EXPECT_EQ(a.core.array.dataflow, Dataflow::kInputStationary);
  EXPECT_DOUBLE_EQ(a.dram.bandwidth_gbps, 12.8);
  EXPECT_EQ(a.name, "renamed");
  EXPECT_FALSE(a.core.array.microarch.fold_pipelining);
}

TEST(Overrides, CanSupplyARequiredKey) {
  const ArchSpec a = load_arch_from_string("schema_version: 1\n", "n.yaml", {"name=from-set"});
  EXPECT_EQ(a.name, "from-set");
}

TEST(Overrides, UnknownKeySuggestsTheNearestOne) {
  const auto ds = diagnostics_of([] { load_arch_from_string(kMinimal, "a.yaml", {"core.aray.cols=8"}); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].file, "--set");
  EXPECT_EQ(ds[0].line, 0);
  EXPECT_EQ(ds[0].key, "core.aray.cols");
  EXPECT_EQ(ds[0].value, "8");
  EXPECT_EQ(ds[0].rule, "unknown key; did you mean 'core.array.cols'?");
}

TEST(Overrides, SectionIsNotAParameter) {
  const auto ds = diagnostics_of([] { load_arch_from_string(kMinimal, "a.yaml", {"core.array=8"}); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_NE(ds[0].rule.find("is a section"), std::string::npos) << ds[0].str();
}

TEST(Overrides, BadValuesAndTypes) {
  const auto ds = diagnostics_of([] {
    load_arch_from_string(kMinimal, "a.yaml",
                          {"core.array.rows=big", "core.array.cols=0", "core.array.scalesim_compat=maybe",
                           "dram.kind=hbm9", "core.clock_mhz=fast", "name="});
  });
  ASSERT_EQ(ds.size(), 6u);
  EXPECT_EQ(diagnostic_for(ds, "core.array.rows").rule, "must be an integer >= 1 and <= 4096 (got text)");
  EXPECT_EQ(diagnostic_for(ds, "core.array.rows").value, "big");
  EXPECT_EQ(diagnostic_for(ds, "core.array.cols").rule, "must be an integer >= 1 and <= 4096");
  EXPECT_EQ(diagnostic_for(ds, "core.array.scalesim_compat").rule, "must be true or false (got text)");
  EXPECT_EQ(diagnostic_for(ds, "dram.kind").rule, "must be one of: ideal, simple, cycle");
  EXPECT_NE(diagnostic_for(ds, "core.clock_mhz").rule.find("must be a number >= 1"), std::string::npos);
  EXPECT_EQ(diagnostic_for(ds, "name").rule, "must be a non-empty string");
  for (const auto& d : ds) EXPECT_EQ(d.file, "--set");
}

TEST(Overrides, MissingEqualsSign) {
  const auto ds = diagnostics_of([] { load_arch_from_string(kMinimal, "a.yaml", {"core.array.rows"}); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].file, "--set");
  EXPECT_EQ(ds[0].key, "core.array.rows");
  EXPECT_EQ(ds[0].rule, "an override must be written key.path=value");
}

TEST(Overrides, ErrorsJoinTheFileErrors) {
  const auto ds = diagnostics_of([] { load_arch(config_fixture("zero_rows.yaml"), {"core.array.colz=3"}); });
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(diagnostic_for(ds, "core.array.rows").file, config_fixture("zero_rows.yaml"));
  EXPECT_EQ(diagnostic_for(ds, "core.array.colz").file, "--set");
}

TEST(Overrides, CanFixABadFileValueOnlyByBeingValidThemselves) {
  // The file's own mistake is still reported: an override does not hide it.
  const auto ds = diagnostics_of([] { load_arch(config_fixture("zero_rows.yaml"), {"core.array.rows=8"}); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].line, 6);
}

TEST(Overrides, CrossFieldChecksSeeTheOverriddenValues) {
  const auto ds = diagnostics_of([] {
    load_arch_from_string(kMinimal, "a.yaml",
                          {"core.array.scalesim_compat=true", "core.array.preload_overlap=true"});
  });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].file, "--set");
  EXPECT_EQ(ds[0].key, "core.array.preload_overlap");

  const auto ds2 = diagnostics_of([] {
    load_arch_from_string(kMinimal, "a.yaml", {"core.array.input_type=fp32", "core.array.weight_type=fp32"});
  });
  ASSERT_EQ(ds2.size(), 1u);
  EXPECT_EQ(ds2[0].key, "core.array.accumulator_type");
  EXPECT_EQ(ds2[0].file, "a.yaml") << "the accumulator type was left at its default, so no line";
  EXPECT_EQ(ds2[0].line, 0);
}

TEST(Overrides, ScalesimCompatOverrideDerivesTheMicroarchitecture) {
  const ArchSpec a = load_arch_from_string(kMinimal, "a.yaml", {"core.array.scalesim_compat=true"});
  EXPECT_TRUE(a.core.array.scalesim_compat);
  EXPECT_FALSE(a.core.array.microarch.preload_overlap);
  EXPECT_FALSE(a.core.array.microarch.fold_pipelining);
  EXPECT_TRUE(a.core.array.microarch.scalesim_counting);
}

TEST(Overrides, ApplyToScaleSimCfgToo) {
  const ArchSpec a =
      load_arch(config_fixture("scalesim_scale.cfg"), {"core.array.rows=8", "dram.kind=ideal"});
  EXPECT_EQ(a.core.array.rows, 8);
  EXPECT_EQ(a.dram.kind, DramKind::kIdeal);
  EXPECT_TRUE(a.core.array.scalesim_compat);
}

}  // namespace
}  // namespace systole
