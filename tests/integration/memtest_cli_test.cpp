// `systole memtest` as a user runs it: the table, the JSON fields the issue names, consistency
// between them and with the preset, and clear exit-2 errors for bad arguments.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "support/process.h"
#include "systole/config/dram_spec.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::run_systole;

nlohmann::json memtest_json(const std::string& args, const std::string& scratch) {
  auto r = run_systole("memtest " + args + " --json", fresh_dir(scratch));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(Memtest, JsonHasTheIssueFieldsAndTheyAgree) {
  const auto j = memtest_json("--dram ddr4-3200 --pattern sequential --requests 20000", "memtest_json");
  for (const char* key : {"bandwidth_gbps", "peak_gbps", "pct_of_peak", "latency_avg_ns", "latency_p99_ns",
                          "row_hit_rate", "commands"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  const DramDeviceSpec d = load_dram_preset(dram_preset_path("ddr4-3200", ""));
  EXPECT_DOUBLE_EQ(j["peak_gbps"].get<double>(), d.peak_gbps());
  EXPECT_NEAR(j["pct_of_peak"].get<double>(),
              100.0 * j["bandwidth_gbps"].get<double>() / j["peak_gbps"].get<double>(), 1e-9);
  // bytes / elapsed: 1 B/ns = 1 GB/s.
  EXPECT_NEAR(j["bandwidth_gbps"].get<double>(), j["bytes"].get<double>() / j["elapsed_ns"].get<double>(),
              1e-9);
  EXPECT_EQ(j["requests"].get<int64_t>(), 20000);
  EXPECT_EQ(j["bytes"].get<int64_t>(), 20000 * d.atom_bytes());
  const auto& c = j["commands"];
  EXPECT_EQ(c["RD"].get<int64_t>(), 20000);  // all reads, one RD per burst
  EXPECT_EQ(c["WR"].get<int64_t>(), 0);
  // Every request without a row hit needed its own ACT; a refresh may close a row opened for a
  // request before its column access, which then opens it again (at most once per bank per REF).
  const auto misses = static_cast<int64_t>(std::llround((1.0 - j["row_hit_rate"].get<double>()) * 20000));
  EXPECT_GE(c["ACT"].get<int64_t>(), misses);
  EXPECT_LE(c["ACT"].get<int64_t>(), misses + c["REF"].get<int64_t>() * d.org.banks());
  EXPECT_GE(j["latency_p99_ns"].get<double>(), j["latency_p50_ns"].get<double>());
  EXPECT_GE(j["latency_max_ns"].get<double>(), j["latency_p99_ns"].get<double>());
  // Sequential reads stream: most requests hit an open row.
  EXPECT_GT(j["row_hit_rate"].get<double>(), 0.8);
}

TEST(Memtest, RandomTrafficIsSlowerAndMissesRows) {
  const auto seq = memtest_json("--dram lpddr4-4266 --requests 20000", "memtest_seq");
  const auto rnd = memtest_json("--dram lpddr4-4266 --pattern random --requests 20000", "memtest_rnd");
  EXPECT_LT(rnd["bandwidth_gbps"].get<double>(), seq["bandwidth_gbps"].get<double>());
  EXPECT_LT(rnd["row_hit_rate"].get<double>(), seq["row_hit_rate"].get<double>());
}

TEST(Memtest, ReadRatioSplitsTheCommands) {
  const auto j = memtest_json("--dram hbm2 --pattern random --requests 10000 --read-ratio 0.7", "memtest_rw");
  const int64_t rd = j["commands"]["RD"].get<int64_t>(), wr = j["commands"]["WR"].get<int64_t>();
  EXPECT_EQ(rd + wr, 10000);
  EXPECT_NEAR(static_cast<double>(rd) / 10000.0, 0.7, 0.03);  // seeded Bernoulli draws
}

TEST(Memtest, SameArgumentsGiveIdenticalOutput) {
  auto a = run_systole("memtest --dram lpddr5-6400 --pattern random --requests 5000 --json",
                       fresh_dir("memtest_det_a"));
  auto b = run_systole("memtest --dram lpddr5-6400 --pattern random --requests 5000 --json",
                       fresh_dir("memtest_det_b"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(Memtest, TableNamesEveryNumber) {
  auto r =
      run_systole("memtest --dram ddr4-3200 --pattern strided --requests 2000", fresh_dir("memtest_tab"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* word : {"GB/s", "% of peak", "p99", "row hits", "ACT", "PRE", "RD", "WR", "REF"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word << " in\n" << r.out;
  }
}

TEST(Memtest, BadArgumentsExitTwoNamingTheValue) {
  struct Case {
    std::string args, expect;
  };
  for (const Case& c :
       {Case{"--dram ddr9-9999", "ddr9-9999"}, Case{"--dram ddr4-3200 --pattern zigzag", "zigzag"},
        Case{"--dram ddr4-3200 --read-ratio 1.5", "--read-ratio"},
        Case{"--dram ddr4-3200 --requests 0", "--requests"},
        Case{"--dram ddr4-3200 --channels 3", "--channels"}, Case{"--dram ddr4-3200 --mapping RoRo", "RoRo"},
        Case{"--dram ddr4-3200 --scheduler lottery", "frfcfs, fcfs, frfcfs_cap"},
        Case{"--dram ddr4-3200 --row-hit-cap 0", "--row-hit-cap"}, Case{"--pattern random", "dram"}}) {
    auto r = run_systole("memtest " + c.args, fresh_dir("memtest_bad"));
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.args << "\n" << r.err;
  }
}

// Row-conflict-heavy strided traffic: FCFS closes rows that younger requests still hit, so it
// activates more and moves less than FR-FCFS; the cap sits between or at FCFS (cap 1 is nearly it).
TEST(Memtest, SchedulersTradeRowHitsForAge) {
  const std::string base =
      "--dram ddr4-3200 --pattern strided --requests 20000 --read-ratio 0.7 --scheduler ";
  const auto fr = memtest_json(base + "frfcfs", "memtest_sched_fr");
  const auto fc = memtest_json(base + "fcfs", "memtest_sched_fc");
  const auto cap = memtest_json(base + "frfcfs_cap --row-hit-cap 1", "memtest_sched_cap");
  ASSERT_FALSE(fr.is_null() || fc.is_null() || cap.is_null());
  EXPECT_EQ(fr["scheduler"], "frfcfs");
  EXPECT_EQ(cap["row_hit_cap"], 1);
  EXPECT_GT(fc["commands"]["ACT"].get<int64_t>(), fr["commands"]["ACT"].get<int64_t>());
  EXPECT_GT(fr["row_hit_rate"].get<double>(), fc["row_hit_rate"].get<double>());
  EXPECT_GT(fr["bandwidth_gbps"].get<double>(), fc["bandwidth_gbps"].get<double>());
  EXPECT_GE(cap["commands"]["ACT"].get<int64_t>(), fr["commands"]["ACT"].get<int64_t>());
}

}  // namespace
}  // namespace systole
