// dram.kind cycle in the config: the preset is resolved into DramParams::device (dram.channels
// applied), a missing or broken preset is a diagnostic naming the file, and keys that only the
// other family of DRAM models reads are contradictions.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config_test_util.h"
#include "systole/config/dram_spec.h"
#include "systole/config/loader.h"

namespace systole {
namespace {

using testing::diagnostic_for;
using testing::diagnostics_of;
using testing::source_path;

const std::string kHead = "schema_version: 1\nname: x\n";

// A fresh directory under the system temp dir for files a test writes.
std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("systole_dram_config_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "dram");
  return dir;
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

std::string read(const std::string& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(DramConfig, KindCycleResolvesThePreset) {
  const ArchSpec a = load_arch_from_string(kHead + "dram: {kind: cycle, preset: hbm2}\n", "a.yaml");
  const DramDeviceSpec& d = a.dram.device;
  EXPECT_EQ(d.name, "hbm2");
  EXPECT_EQ(d.standard, "HBM2");
  EXPECT_FALSE(d.source.empty());
  // The same file read directly: nothing changed on the way.
  const DramDeviceSpec direct = load_dram_preset(dram_preset_path("hbm2", ""));
  EXPECT_EQ(d.org.channels, direct.org.channels);
  EXPECT_EQ(d.timing.rcd, direct.timing.rcd);
  EXPECT_DOUBLE_EQ(d.peak_gbps(), direct.peak_gbps());
}

TEST(DramConfig, OtherKindsLeaveTheDeviceEmpty) {
  const ArchSpec a = load_arch_from_string(kHead + "dram: {kind: simple}\n", "a.yaml");
  EXPECT_TRUE(a.dram.device.name.empty());
}

TEST(DramConfig, ChannelsReplaceThePresetsCount) {
  const ArchSpec a =
      load_arch_from_string(kHead + "dram: {kind: cycle, preset: hbm2, channels: 4}\n", "a.yaml");
  EXPECT_EQ(a.dram.device.org.channels, 4);
  const DramDeviceSpec direct = load_dram_preset(dram_preset_path("hbm2", ""));
  EXPECT_DOUBLE_EQ(a.dram.device.peak_gbps(),
                   direct.peak_gbps() * 4 / static_cast<double>(direct.org.channels));
}

TEST(DramConfig, ChannelsMustBeAPowerOfTwo) {
  const auto ds = diagnostics_of(
      [] { load_arch_from_string(kHead + "dram:\n  kind: cycle\n  channels: 6\n", "a.yaml"); });
  ASSERT_EQ(ds.size(), 1u);
  const Diagnostic d = diagnostic_for(ds, "dram.channels");
  EXPECT_EQ(d.line, 5);
  EXPECT_EQ(d.value, "6");
  EXPECT_NE(d.rule.find("must be a power of two"), std::string::npos) << d.rule;
}

TEST(DramConfig, UnknownPresetListsTheAvailableOnes) {
  const auto ds = diagnostics_of(
      [] { load_arch_from_string(kHead + "dram:\n  kind: cycle\n  preset: hbm9\n", "a.yaml"); });
  ASSERT_EQ(ds.size(), 1u);
  const Diagnostic d = diagnostic_for(ds, "dram.preset");
  EXPECT_EQ(d.file, "a.yaml");
  EXPECT_EQ(d.line, 5);
  EXPECT_EQ(d.value, "hbm9");
  for (const char* name : {"ddr4-3200", "lpddr4-4266", "lpddr5-6400", "hbm2"})
    EXPECT_NE(d.rule.find(name), std::string::npos) << d.rule;
}

TEST(DramConfig, UnknownPresetFromTheCommandLine) {
  const auto ds = diagnostics_of([] {
    load_arch(source_path("arch/default.yaml"), {"dram.kind=cycle", "dram.preset=ddr9"});
  });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].file, "--set");
  EXPECT_EQ(ds[0].key, "dram.preset");
}

TEST(DramConfig, SimpleTimingHasNoEffectWithKindCycle) {
  const auto ds = diagnostics_of([] {
    load_arch_from_string(kHead + "dram:\n  kind: cycle\n  latency_ns: 50\n  bandwidth_gbps: 12.8\n",
                          "a.yaml");
  });
  ASSERT_EQ(ds.size(), 2u);
  const std::string rule =
      "has no effect with dram.kind cycle: the device preset (dram.preset) gives the timing";
  EXPECT_EQ(diagnostic_for(ds, "dram.latency_ns").rule, rule);
  EXPECT_EQ(diagnostic_for(ds, "dram.latency_ns").line, 5);
  EXPECT_EQ(diagnostic_for(ds, "dram.bandwidth_gbps").rule, rule);
  EXPECT_EQ(diagnostic_for(ds, "dram.bandwidth_gbps").value, "12.8");
}

TEST(DramConfig, CycleKeysHaveNoEffectWithOtherKinds) {
  const auto ds = diagnostics_of([] {
    load_arch_from_string(kHead +
                              "dram:\n  kind: ideal\n  preset: hbm2\n  channels: 2\n  page_policy: closed\n"
                              "  address_mapping: ChRaBaRoCo\n  queue_depth: 8\n  refresh: false\n",
                          "a.yaml");
  });
  ASSERT_EQ(ds.size(), 6u);
  for (const char* key : {"dram.preset", "dram.channels", "dram.page_policy", "dram.address_mapping",
                          "dram.queue_depth", "dram.refresh"}) {
    EXPECT_EQ(diagnostic_for(ds, key).rule,
              "has no effect with dram.kind ideal: only dram.kind cycle reads it")
        << key;
  }
  // The default kind (simple) too.
  const auto simple =
      diagnostics_of([] { load_arch_from_string(kHead + "dram: {queue_depth: 8}\n", "a.yaml"); });
  ASSERT_EQ(simple.size(), 1u);
  EXPECT_EQ(simple[0].rule, "has no effect with dram.kind simple: only dram.kind cycle reads it");
}

TEST(DramConfig, KindOnTheCommandLineOverridesTheFilesTiming) {
  // tpu_v1.yaml writes kind simple with 34 GB/s; --set dram.kind=cycle replaces that model.
  const ArchSpec a =
      load_arch(source_path("arch/tpu_v1.yaml"), {"dram.kind=cycle", "dram.preset=lpddr5-6400"});
  EXPECT_EQ(a.dram.kind, DramKind::kCycle);
  EXPECT_EQ(a.dram.device.name, "lpddr5-6400");
  // ... but a timing key given on the command line beside it still contradicts it.
  const auto ds = diagnostics_of([] {
    load_arch(source_path("arch/default.yaml"), {"dram.kind=cycle", "dram.bandwidth_gbps=51.2"});
  });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "dram.bandwidth_gbps");
  EXPECT_EQ(ds[0].file, "--set");
}

TEST(DramConfig, EnergyStandardFollowsTheCycleLevelDevice) {
  // tpu_v1.yaml prices its simple DRAM as DDR4; --set dram.kind=cycle overrides that choice with
  // the device's own standard.
  const ArchSpec a =
      load_arch(source_path("arch/tpu_v1.yaml"), {"dram.kind=cycle", "dram.preset=lpddr5-6400"});
  EXPECT_EQ(a.energy.dram_standard, EnergyDramStandard::kAuto);
  EXPECT_EQ(load_arch(source_path("arch/tpu_v1.yaml")).energy.dram_standard, EnergyDramStandard::kDdr4);
  // Naming another standard beside the cycle-level device is a contradiction.
  const auto ds = diagnostics_of([] {
    load_arch(source_path("arch/default.yaml"),
              {"dram.kind=cycle", "dram.preset=hbm2", "energy.dram_standard=LPDDR4"});
  });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "energy.dram_standard");
  EXPECT_EQ(ds[0].value, "LPDDR4");
  EXPECT_NE(ds[0].rule.find("HBM2"), std::string::npos) << ds[0].rule;
  // The matching one is fine.
  EXPECT_EQ(load_arch(source_path("arch/default.yaml"),
                      {"dram.kind=cycle", "dram.preset=hbm2", "energy.dram_standard=HBM2"})
                .energy.dram_standard,
            EnergyDramStandard::kHbm2);
}

TEST(DramConfig, ScaleSimCfgRunsOnTheCycleModel) {
  const ArchSpec a = load_arch(source_path("tests/data/config/scalesim_scale.cfg"),
                               {"dram.kind=cycle", "dram.preset=ddr4-3200"});
  EXPECT_EQ(a.dram.device.name, "ddr4-3200");
  EXPECT_TRUE(a.core.array.scalesim_compat);
}

TEST(DramConfig, PresetBesideTheArchFileComesFirst) {
  const auto dir = scratch_dir("beside");
  std::string text = read(dram_preset_path("hbm2", ""));
  const auto at = text.find("channels: 16");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 12, "channels: 8");
  write(dir / "dram" / "hbm2.yaml", text);
  write(dir / "arch.yaml", kHead + "dram: {kind: cycle, preset: hbm2}\n");
  const ArchSpec a = load_arch((dir / "arch.yaml").string());
  EXPECT_EQ(a.dram.device.org.channels, 8);
  EXPECT_EQ(a.dram.device.path, (dir / "dram" / "hbm2.yaml").string());
}

TEST(DramConfig, BrokenPresetFileIsNamed) {
  const auto dir = scratch_dir("broken");
  write(dir / "dram" / "broken.yaml", read(dram_preset_path("ddr4-3200", "")) + "flux_capacitor: 3\n");
  write(dir / "arch.yaml", kHead + "dram:\n  kind: cycle\n  preset: broken\n");
  const auto ds = diagnostics_of([&] { load_arch((dir / "arch.yaml").string()); });
  ASSERT_GE(ds.size(), 2u);
  bool names_preset_file = false;
  for (const Diagnostic& d : ds) {
    names_preset_file = names_preset_file || (d.file == (dir / "dram" / "broken.yaml").string() &&
                                              d.str().find("flux_capacitor") != std::string::npos);
  }
  EXPECT_TRUE(names_preset_file);
  const Diagnostic p = diagnostic_for(ds, "dram.preset");
  EXPECT_EQ(p.file, (dir / "arch.yaml").string());
  EXPECT_EQ(p.line, 5);
}

TEST(DramConfig, ResolvedConfigCarriesTheDevice) {
  const ArchSpec a = load_arch_from_string(kHead + "dram: {kind: cycle, preset: lpddr4-4266}\n", "a.yaml");
  const nlohmann::json j = arch_to_json(a);
  const nlohmann::json& dev = j["dram"]["device"];
  EXPECT_EQ(dev["name"], "lpddr4-4266");
  EXPECT_EQ(dev["standard"], a.dram.device.standard);
  EXPECT_EQ(dev["source"], a.dram.device.source);
  EXPECT_EQ(dev["organization"]["channels"], a.dram.device.org.channels);
  EXPECT_EQ(dev["timing"]["rcd"], a.dram.device.timing.rcd);
  EXPECT_EQ(dev["timing"]["tck_ps"], a.dram.device.timing.tck_ps);
  EXPECT_FALSE(arch_to_json(load_arch_from_string(kHead, "b.yaml"))["dram"].contains("device"));

  // Without the device, the resolved config loads again to the same config (its default-valued
  // simple-model keys are no contradiction); the device itself is output, not input.
  nlohmann::json in = j;
  in["dram"].erase("device");
  EXPECT_EQ(arch_to_json(load_arch_from_string(in.dump(), "r.json")).dump(), j.dump());
  const auto ds = diagnostics_of([&] { load_arch_from_string(j.dump(), "r.json"); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "dram.device");
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

// Found by fuzzing (tests/fuzz/findings/set_override/kind-switch-resolved-config-not-reloadable):
// keys of the other DRAM family that a later dram.kind overrides return to their defaults, so the
// resolved config says only what is simulated and loads again as a file.
TEST(DramConfig, OverriddenKindResetsTheOtherFamilysKeys) {
  const ArchSpec ideal = load_arch(source_path("arch/edge_lpddr4.yaml"), {"dram.kind=ideal"});
  const ArchSpec plain;
  EXPECT_EQ(ideal.dram.preset, plain.dram.preset);
  EXPECT_EQ(ideal.dram.channels, plain.dram.channels);
  const ArchSpec cycle = load_arch(source_path("arch/tpu_v1.yaml"), {"dram.kind=cycle"});
  EXPECT_EQ(cycle.dram.bandwidth_gbps, plain.dram.bandwidth_gbps);
  EXPECT_EQ(cycle.dram.latency_ns, plain.dram.latency_ns);
}

}  // namespace
}  // namespace systole
