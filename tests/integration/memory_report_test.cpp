// report.json's "memory" section and the summary's DRAM line, as a user reads them after a run.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_systole;

TEST(MemoryReport, CycleDramCountsAgreeWithTheLayers) {
  auto dir = fresh_dir("memory_cycle");
  auto r = run_systole(
      "run --workload workloads/resnet18.yaml --set dram.kind=cycle --set dram.preset=lpddr4-4266 "
      "--out '" +
          dir.string() + "/out'",
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir / "out" / "report.json"));
  const auto& dram = report["memory"]["dram"];
  const auto& total = report["total"];
  EXPECT_EQ(dram["kind"], "cycle");
  EXPECT_EQ(dram["preset"], "lpddr4-4266");
  // The DRAM saw exactly the bytes the layers moved.
  EXPECT_EQ(dram["read_bytes"].get<int64_t>(), total["dram_reads_bytes"].get<int64_t>());
  EXPECT_EQ(dram["write_bytes"].get<int64_t>(), total["dram_writes_bytes"].get<int64_t>());
  // One column command per device atom; every atom without a row hit had its own ACT (and a
  // refresh may close a row opened for an atom before its column access: at most one extra ACT
  // per bank per REF; lpddr4-4266 has 8 banks).
  const auto& c = dram["commands"];
  const int64_t atoms = dram["atoms"].get<int64_t>();
  EXPECT_EQ(c["RD"].get<int64_t>() + c["WR"].get<int64_t>(), atoms);
  EXPECT_GE(atoms, dram["reads"].get<int64_t>() + dram["writes"].get<int64_t>());
  const auto misses = static_cast<int64_t>(std::llround((1.0 - dram["row_hit_rate"].get<double>()) * atoms));
  EXPECT_GE(c["ACT"].get<int64_t>(), misses);
  EXPECT_LE(c["ACT"].get<int64_t>(), misses + 8 * c["REF"].get<int64_t>());
  // Average bandwidth: bytes over the simulated time (1 B/ns = 1 GB/s), never above the peak.
  const double ns = total["time_us"].get<double>() * 1000.0;
  const double bytes = dram["read_bytes"].get<double>() + dram["write_bytes"].get<double>();
  EXPECT_NEAR(dram["achieved_gbps"].get<double>(), bytes / ns, 1e-6 * bytes / ns);
  EXPECT_LE(dram["achieved_gbps"].get<double>(), dram["peak_gbps"].get<double>());
  // Reads cannot be faster than an idle row hit; lpddr4-4266's CL alone is ~17 ns.
  EXPECT_GT(dram["avg_read_latency_ns"].get<double>(), 17.0);
  // The ofmap scratchpad is the accumulator: WS partial sums are read-modify-written there.
  EXPECT_GT(report["memory"]["scratchpads"]["ofmap"]["accumulator_rmw"].get<int64_t>(), 0);
  EXPECT_EQ(report["memory"]["scratchpads"]["ifmap"]["accumulator_rmw"].get<int64_t>(), 0);
  const std::string summary = read_file(dir / "out" / "summary.txt");
  EXPECT_NE(summary.find("DRAM (cycle lpddr4-4266):"), std::string::npos) << summary;
  EXPECT_NE(summary.find("row hits"), std::string::npos) << summary;
}

TEST(MemoryReport, SimpleDramHasNoDeviceCommands) {
  auto dir = fresh_dir("memory_simple");
  auto r = run_systole("run --workload workloads/alexnet.yaml --quiet --out '" + dir.string() + "/out'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir / "out" / "report.json"));
  const auto& dram = report["memory"]["dram"];
  EXPECT_EQ(dram["kind"], "simple");
  EXPECT_FALSE(dram.contains("commands"));
  EXPECT_FALSE(dram.contains("row_hit_rate"));
  // Every read waits at least the fixed 100 ns latency of the default simple DRAM.
  EXPECT_GE(dram["avg_read_latency_ns"].get<double>(), 100.0);
  EXPECT_EQ(report["memory"]["scratchpads"].size(), 3u);
}

TEST(MemoryReport, DirectFeederChargesBankConflictsTheStagedOneDoesNot) {
  auto dir = fresh_dir("memory_feeder");
  // Residency off: the on-chip tensor store's strided DMA rows have bank conflicts of their own, and
  // this test is about how the array is fed. AlexNet's conv1 (3 channels, 11 x 11 kernel) reads
  // each k vector from about ten kernel taps of three channels, which even the channel-last
  // layout spreads over several words per bank (docs/hardware.md).
  const std::string base =
      "run --workload workloads/alexnet.yaml --set compiler.residency=off --quiet --out '" + dir.string();
  ASSERT_EQ(run_systole(base + "/staged' --set core.array.operand_feeder=staged", dir).exit_code, 0);
  ASSERT_EQ(run_systole(base + "/direct'", dir).exit_code, 0);  // the default feeder
  const auto staged = nlohmann::json::parse(read_file(dir / "staged" / "report.json"));
  const auto direct = nlohmann::json::parse(read_file(dir / "direct" / "report.json"));
  EXPECT_EQ(staged["total"]["cycle_breakdown"]["bank_conflict"].get<int64_t>(), 0);
  const int64_t conflicts = direct["total"]["cycle_breakdown"]["bank_conflict"].get<int64_t>();
  EXPECT_GT(conflicts, 0);
  // The conflicts are the only difference in the array's work, and they show up in the cycles.
  EXPECT_GT(direct["total"]["cycles"].get<int64_t>(), staged["total"]["cycles"].get<int64_t>());
  int64_t spm_conflicts = 0;
  for (const auto& [name, s] : direct["memory"]["scratchpads"].items()) {
    spm_conflicts += s["bank_conflict_cycles"].get<int64_t>();
  }
  EXPECT_GE(spm_conflicts, conflicts);
}

}  // namespace
}  // namespace systole
