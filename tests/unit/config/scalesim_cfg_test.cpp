// SCALE-Sim v2 .cfg files: mapping onto the schema and error reporting with line numbers.
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "systole/config/loader.h"
#include "systole/config/scalesim_cfg.h"

namespace systole {
namespace {

using testing::config_fixture;
using testing::diagnostic_for;
using testing::diagnostics_of;
using testing::source_path;

std::vector<Diagnostic> errors_of(const std::string& fixture) {
  return diagnostics_of([&] { load_arch(config_fixture(fixture)); });
}

TEST(ScaleSimCfg, DefaultScaleCfgMapsOntoTheSchema) {
  const ArchSpec a = load_arch(config_fixture("scalesim_scale.cfg"));
  EXPECT_EQ(a.name, "scale_example_run_32x32_os");
  EXPECT_EQ(a.core.array.rows, 32);
  EXPECT_EQ(a.core.array.cols, 32);
  EXPECT_EQ(a.core.array.dataflow, Dataflow::kOutputStationary);
  EXPECT_TRUE(a.core.array.scalesim_compat);
  EXPECT_TRUE(a.core.array.microarch.scalesim_counting);
  EXPECT_FALSE(a.core.array.microarch.preload_overlap);
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kIfmap).capacity_kib, 64);
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kWeight).capacity_kib, 64);
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kOfmap).capacity_kib, 64);
  EXPECT_EQ(a.dram.kind, DramKind::kSimple);
  // Bandwidth 64 words/cycle x 1 B/word x 1000 MHz = 64e9 B/s.
  EXPECT_DOUBLE_EQ(a.dram.bandwidth_gbps, 64.0 * 1.0 * a.core.clock_mhz / 1000.0);
  EXPECT_DOUBLE_EQ(a.dram.bandwidth_gbps, 64.0);
  EXPECT_DOUBLE_EQ(a.dram.latency_ns, 0.0);
}

TEST(ScaleSimCfg, ThePresetIsExactlyTheDefaultCfg) {
  const ArchSpec from_cfg = load_arch(config_fixture("scalesim_scale.cfg"));
  const ArchSpec preset = load_arch(source_path("arch/scalesim_default.yaml"));
  EXPECT_EQ(arch_to_json(from_cfg).dump(2), arch_to_json(preset).dump(2));
}

TEST(ScaleSimCfg, CalcModeIsIdealDramAndKeysAreCaseInsensitive) {
  const ArchSpec a = load_arch(config_fixture("scalesim_calc.cfg"));
  EXPECT_EQ(a.name, "tpu_calc");
  EXPECT_EQ(a.core.array.rows, 256) << "written `arrayheight`, as configparser allows";
  EXPECT_EQ(a.core.array.dataflow, Dataflow::kWeightStationary);
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kIfmap).capacity_kib, 6144);
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kOfmap).capacity_kib, 2048);
  EXPECT_EQ(a.dram.kind, DramKind::kIdeal);
  // Ports as wide as a 256-wide edge: 256 B of int8 operands, 4 x 256 B of int32 partial sums.
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kIfmap).read_bytes_per_cycle, 256);
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kOfmap).write_bytes_per_cycle, 1024);
}

TEST(ScaleSimCfg, UnknownAndMisspeltKeysWithLines) {
  const auto ds = errors_of("unknown_cfg_key.cfg");
  ASSERT_EQ(ds.size(), 3u);
  const Diagnostic typo = diagnostic_for(ds, "architecture_presets.ArrayHieght");
  EXPECT_EQ(typo.line, 6);
  EXPECT_EQ(typo.rule, "unknown key in [architecture_presets]; did you mean 'ArrayHeight'?");
  const Diagnostic foo = diagnostic_for(ds, "architecture_presets.FooBar");
  EXPECT_EQ(foo.line, 11);
  EXPECT_EQ(foo.value, "3");
  EXPECT_EQ(foo.file, config_fixture("unknown_cfg_key.cfg"));
  EXPECT_EQ(diagnostic_for(ds, "architecture_presets.ArrayHeight").rule,
            "required key is missing (SCALE-Sim v2 requires it)");
}

TEST(ScaleSimCfg, MalformedLines) {
  const auto ds = errors_of("malformed_cfg.cfg");
  ASSERT_GE(ds.size(), 3u);
  EXPECT_EQ(ds[0].line, 4);
  EXPECT_NE(ds[0].rule.find("malformed line"), std::string::npos) << ds[0].str();
  EXPECT_EQ(ds[1].line, 5);
  EXPECT_NE(ds[1].rule.find("malformed section header"), std::string::npos) << ds[1].str();
  EXPECT_EQ(ds[2].line, 6);
  EXPECT_NE(ds[2].rule.find("outside any section"), std::string::npos) << ds[2].str();
}

TEST(ScaleSimCfg, BadValuesAndUnknownSection) {
  const auto ds = errors_of("bad_cfg_values.cfg");
  ASSERT_EQ(ds.size(), 4u);
  const Diagnostic width = diagnostic_for(ds, "architecture_presets.ArrayWidth");
  EXPECT_EQ(width.line, 7);
  EXPECT_EQ(width.rule, "must be an integer >= 1 and <= 4096 (sets core.array.cols)");
  EXPECT_EQ(diagnostic_for(ds, "architecture_presets.Dataflow").line, 11);
  EXPECT_EQ(diagnostic_for(ds, "architecture_presets.Dataflow").rule, "must be one of: ws, os, is");
  EXPECT_EQ(diagnostic_for(ds, "run_presets.InterfaceBandwidth").rule, "must be one of: USER, CALC");
  const Diagnostic extras = diagnostic_for(ds, "extras");
  EXPECT_EQ(extras.line, 17);
  EXPECT_EQ(extras.rule.rfind("unknown section", 0), 0u) << extras.str();
}

TEST(ScaleSimCfg, MissingRequiredKeys) {
  const auto ds = errors_of("cfg_missing_keys.cfg");
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(diagnostic_for(ds, "architecture_presets.OfmapSramSzkB").line, 0);
  EXPECT_EQ(diagnostic_for(ds, "architecture_presets.Dataflow").line, 0);
  EXPECT_EQ(diagnostic_for(ds, "architecture_presets.Bandwidth").line, 12) << "where USER asks for it";
}

TEST(ScaleSimCfg, UnmodelledFeatureIsRejected) {
  const auto ds = errors_of("cfg_sparsity_on.cfg");
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "sparsity.SparsitySupport");
  EXPECT_EQ(ds[0].line, 16);
}

TEST(ScaleSimCfg, DuplicateSectionAndBandwidthPerBank) {
  const std::string head =
      "[general]\nrun_name = banks\n[architecture_presets]\nArrayHeight = 4\nArrayWidth = 4\n"
      "IfmapSramSzkB = 8\nFilterSramSzkB = 8\nOfmapSramSzkB = 8\nDataflow = ws\n[run_presets]\n"
      "InterfaceBandwidth = USER\n[architecture_presets]\n";
  const auto ds = diagnostics_of([&] { load_scalesim_cfg_from_string(head, "b.cfg"); });
  EXPECT_EQ(diagnostic_for(ds, "architecture_presets").line, 12);
  EXPECT_EQ(diagnostic_for(ds, "architecture_presets").rule, "duplicate section (first at line 3)");
  EXPECT_EQ(diagnostic_for(ds, "architecture_presets.Bandwidth").line, 11);
  const std::string good =
      "[general]\nrun_name = banks\n[architecture_presets]\nArrayHeight = 4\nArrayWidth = 4\n"
      "IfmapSramSzkB = 8\nFilterSramSzkB = 8\nOfmapSramSzkB = 8\nDataflow = ws\nMemoryBanks = 2\n"
      "Bandwidth = 10, 6\n[run_presets]\nInterfaceBandwidth = USER\n";
  // Two banks of 10 and 6 words/cycle: (10 + 6) x 1 B x 1000 MHz = 16 GB/s.
  EXPECT_DOUBLE_EQ(load_scalesim_cfg_from_string(good, "b.cfg").dram.bandwidth_gbps, 16.0);
}

TEST(ScaleSimCfg, BandwidthCountMismatch) {
  const std::string cfg =
      "[general]\nrun_name = banks\n[architecture_presets]\nArrayHeight = 4\nArrayWidth = 4\n"
      "IfmapSramSzkB = 8\nFilterSramSzkB = 8\nOfmapSramSzkB = 8\nDataflow = ws\nMemoryBanks = 2\n"
      "Bandwidth = 10\n[run_presets]\nInterfaceBandwidth = USER\n";
  const auto ds = diagnostics_of([&] { load_scalesim_cfg_from_string(cfg, "b.cfg"); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "architecture_presets.Bandwidth");
  EXPECT_EQ(ds[0].line, 11);
}

TEST(ScaleSimCfg, ReferenceListsEveryKey) {
  const std::string md = scalesim_cfg_reference_markdown();
  for (const char* key : {"ArrayHeight", "IfmapSramSzkB", "Bandwidth", "InterfaceBandwidth",
                          "SparsitySupport", "UseRamulatorTrace", "IfmapSRAMBankNum", "TopologyCsvLoc"}) {
    EXPECT_NE(md.find(std::string("`") + key + "`"), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace systole
