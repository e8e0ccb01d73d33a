// `systole run` with dram.kind cycle: every preset runs ResNet-18 and report.json carries the
// resolved device; a DRAM-bound layer is slower on a narrow LPDDR4 channel than on HBM2; bad
// presets exit 2 naming the file; two runs are byte-identical.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

nlohmann::json run_resnet18(const std::string& preset, const std::filesystem::path& dir) {
  const auto r =
      run_systole("run --workload workloads/resnet18.yaml --set dram.kind=cycle --set dram.preset=" + preset +
                      " --quiet --out '" + dir.string() + "/" + preset + "'",
                  dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(read_file(dir / preset / "report.json"));
}

int64_t layer_cycles(const nlohmann::json& report, const std::string& name) {
  for (const auto& l : report["layers"]) {
    if (l["name"] == name) return l["cycles"].get<int64_t>();
  }
  ADD_FAILURE() << "no layer " << name;
  return 0;
}

TEST(DramCycleRun, EveryPresetRunsResnet18AndTheReportShowsTheDevice) {
  const auto dir = fresh_dir("dram_cycle_presets");
  for (const char* preset : {"ddr4-3200", "lpddr4-4266", "lpddr5-6400", "hbm2"}) {
    const nlohmann::json report = run_resnet18(preset, dir);
    const auto& dram = report["config"]["dram"];
    EXPECT_EQ(dram["kind"], "cycle") << preset;
    EXPECT_EQ(dram["preset"], preset);
    EXPECT_EQ(dram["device"]["name"], preset);
    EXPECT_FALSE(dram["device"]["standard"].get<std::string>().empty()) << preset;
    EXPECT_FALSE(dram["device"]["source"].get<std::string>().empty()) << preset;
    EXPECT_GT(dram["device"]["timing"]["rcd"].get<int64_t>(), 0) << preset;
    EXPECT_GT(dram["device"]["organization"]["channels"].get<int64_t>(), 0) << preset;
    EXPECT_GT(report["total"]["cycles"].get<int64_t>(), 0) << preset;
    EXPECT_GT(report["total"]["dram_reads_bytes"].get<int64_t>(), 11'000'000) << preset;
  }
}

TEST(DramCycleRun, DramBoundLayerIsSlowerOnLpddr4ThanOnHbm2) {
  const auto dir = fresh_dir("dram_cycle_bound");
  const nlohmann::json lpddr4 = run_resnet18("lpddr4-4266", dir);
  const nlohmann::json hbm2 = run_resnet18("hbm2", dir);
  // fc: 512 x 1000 int8 weights (512 KB) for 512 k MACs at batch 1 -- each weight byte is used
  // once, so the layer waits on DRAM; the LPDDR4 preset's peak is far below HBM2's.
  EXPECT_LT(lpddr4["config"]["dram"]["device"]["peak_gbps"].get<double>(),
            hbm2["config"]["dram"]["device"]["peak_gbps"].get<double>());
  EXPECT_GT(layer_cycles(lpddr4, "fc"), layer_cycles(hbm2, "fc"));
  EXPECT_GT(lpddr4["total"]["cycles"].get<int64_t>(), hbm2["total"]["cycles"].get<int64_t>());
}

TEST(DramCycleRun, PerChannelStatsAddUpToTheTotals) {
  const auto dir = fresh_dir("dram_cycle_channels");
  const auto r = run_systole(
      "run --workload resnet18 --set dram.kind=cycle --set dram.preset=ddr4-3200 --set dram.channels=4 "
      "--quiet --out '" +
          (dir / "run").string() + "'",
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto dram = nlohmann::json::parse(read_file(dir / "run" / "report.json"))["stats"]["dram"];
  ASSERT_TRUE(dram.contains("ch3")) << "one group per channel";
  EXPECT_FALSE(dram.contains("ch4"));
  int64_t atoms = 0, hits = 0, act = 0, busy = 0;
  double standby = 0.0;
  for (int c = 0; c < 4; ++c) {
    const auto& ch = dram["ch" + std::to_string(c)];
    EXPECT_GT(ch["atoms"]["value"].get<int64_t>(), 0) << "the mapping spreads traffic over channel " << c;
    atoms += ch["atoms"]["value"].get<int64_t>();
    hits += ch["row_hits"]["value"].get<int64_t>();
    act += ch["commands"]["act"]["value"].get<int64_t>();
    busy += ch["read_bytes"]["value"].get<int64_t>() + ch["write_bytes"]["value"].get<int64_t>();
    standby +=
        ch["active_standby_ns"]["value"].get<double>() + ch["precharged_standby_ns"]["value"].get<double>();
    EXPECT_EQ(ch["row_hit_rate"]["unit"], "1");
  }
  EXPECT_EQ(atoms, dram["atoms"]["value"].get<int64_t>());
  EXPECT_EQ(hits, dram["row_hits"]["value"].get<int64_t>());
  EXPECT_EQ(act, dram["commands"]["act"]["value"].get<int64_t>());
  EXPECT_GE(busy, dram["read_bytes"]["value"].get<int64_t>() + dram["write_bytes"]["value"].get<int64_t>())
      << "whole atoms cover every requested byte";
  EXPECT_NEAR(
      standby,
      dram["active_standby_ns"]["value"].get<double>() + dram["precharged_standby_ns"]["value"].get<double>(),
      1e-6 * standby);
}

TEST(DramCycleRun, TwoRunsAreByteIdentical) {
  const auto dir = fresh_dir("dram_cycle_determinism");
  const std::string args =
      "run --workload workloads/mobilenet_v2.yaml --set dram.kind=cycle --set dram.preset=lpddr5-6400 "
      "--set core.dma.completion=out_of_order --quiet --out '";
  ASSERT_EQ(run_systole(args + dir.string() + "/a'", dir).exit_code, 0);
  ASSERT_EQ(run_systole(args + dir.string() + "/b'", dir).exit_code, 0);
  EXPECT_EQ(read_file(dir / "a" / "report.json"), read_file(dir / "b" / "report.json"));
  EXPECT_EQ(read_file(dir / "a" / "layers.csv"), read_file(dir / "b" / "layers.csv"));
}

TEST(DramCycleRun, UnknownPresetExitsTwoNamingTheSource) {
  const auto dir = fresh_dir("dram_cycle_bad_name");
  const auto r =
      run_systole("run --workload resnet18 --set dram.kind=cycle --set dram.preset=hbm9 --quiet --out '" +
                      dir.string() + "/out'",
                  dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--set"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dram.preset"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hbm9"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lpddr4-4266"), std::string::npos) << r.err << " (the available presets)";
}

TEST(DramCycleRun, UnknownKeyInAPresetFileExitsTwoNamingThePresetFile) {
  const auto dir = fresh_dir("dram_cycle_bad_file");
  std::string preset =
      read_file(std::filesystem::path(SYSTOLE_SOURCE_DIR) / "arch" / "dram" / "ddr4-3200.yaml");
  preset += "timing_typo: 3\n";
  std::filesystem::create_directories(dir / "dram");
  write_file(dir / "dram" / "mine.yaml", preset);
  write_file(dir / "arch.yaml", "schema_version: 1\nname: mine\ndram:\n  kind: cycle\n  preset: mine\n");
  const auto r = run_systole("run --arch '" + (dir / "arch.yaml").string() +
                                 "' --workload resnet18 --quiet --out '" + dir.string() + "/out'",
                             dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find((dir / "dram" / "mine.yaml").string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("timing_typo"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace systole
