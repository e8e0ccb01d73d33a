// Throughput limits against the JEDEC arithmetic of each preset: streaming bandwidth, refresh
// count, one-bank row-conflict rate (tRC), activate rate (tRRD / tFAW).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "dram_fidelity_util.h"
#include "systole/dram/memtest.h"

namespace systole::dram::fidelity {
namespace {

class DramThroughput : public ::testing::TestWithParam<std::string> {};

// Streaming reads over the whole device for about 20 refresh intervals. RoCoBaRaCh puts
// consecutive atoms in consecutive channels and bank groups, so column commands alternate bank
// groups (tCCD_S) and every row is read to its end.
TEST_P(DramThroughput, StreamingBandwidthAndRefreshCount) {
  const DramDeviceSpec d = load_dram_preset(dram_preset_path(GetParam(), ""));
  const DramTiming& t = d.timing;
  MemtestOptions o;
  o.pattern = Pattern::kSequential;
  o.controller.mapping = DramAddressMapping::kRoCoBaRaCh;
  const int64_t intervals = 20;
  o.requests = intervals * t.refi / d.burst_clocks() * d.org.channels;
  TimingChecker checker(d);
  const MemtestResult r = run_memtest(d, o, &checker);
  EXPECT_EQ(checker.violation_count(), 0) << checker.violations()[0];

  // Peak less the refresh share: no data moves for tRFC in every tREFI.
  const double refresh_share = static_cast<double>(t.rfc) / static_cast<double>(t.refi);
  const double ceiling = d.peak_gbps() * (1.0 - refresh_share);
  EXPECT_GE(r.bandwidth_gbps, 0.90 * ceiling) << r.bandwidth_gbps << " of " << ceiling;
  // Upper bound, exact for the run: the bus carries data at most in the cycles not spent in REF.
  const double elapsed_cycles = r.elapsed_ns * 1000.0 / t.tck_ps;
  const double refs_per_channel =
      static_cast<double>(r.commands[static_cast<int>(Command::kRef)]) / static_cast<double>(d.org.channels);
  const double max_bytes =
      d.peak_gbps() * (elapsed_cycles - refs_per_channel * static_cast<double>(t.rfc)) * t.tck_ps / 1000.0;
  EXPECT_LE(static_cast<double>(r.bytes), max_bytes);
  EXPECT_LE(r.bandwidth_gbps, ceiling * (1.0 + 1.0 / static_cast<double>(intervals)));

  // One REF per channel and rank every tREFI: floor(elapsed / tREFI), give or take the last one.
  const double expected_refs = std::floor(elapsed_cycles / static_cast<double>(t.refi));
  EXPECT_NEAR(refs_per_channel / static_cast<double>(d.org.ranks), expected_refs, 1.0);
  EXPECT_GE(expected_refs, static_cast<double>(intervals) * 0.9);
}

// Every request to one bank, each to a different row: each needs PRE, ACT, RD. In steady state
// ACT(a) -> RD at a + tRCD -> PRE at max(a + tRAS, a + tRCD + tRTP) -> next ACT tRP later, and
// never sooner than tRC after a. So the ACT period is exactly
//   P = max(tRC, max(tRAS, tRCD + tRTP) + tRP)
// and the throughput at most one request per tRC.
TEST_P(DramThroughput, SingleBankRowConflictsAreBoundByRowCycle) {
  for (auto policy : {DramPagePolicy::kOpen, DramPagePolicy::kClosed}) {
    ControllerOptions o;
    o.refresh = false;
    o.page_policy = policy;
    Rig rig(GetParam(), o);
    const DramTiming& t = rig.device.timing;
    const int64_t n = 1000;
    rig.closed_loop(n, 32, [&](int64_t i) { return rig.addr(0, 0, i % rig.device.org.rows); });
    const auto acts = rig.log.of(Command::kAct);
    ASSERT_EQ(static_cast<int64_t>(acts.size()), n);
    const int64_t period = std::max(t.rc, std::max(t.ras, t.rcd + t.rtp) + t.rp);
    for (size_t i = 1; i < acts.size(); ++i) ASSERT_GE(acts[i].cycle - acts[i - 1].cycle, t.rc);
    const double measured =
        static_cast<double>(acts.back().cycle - acts.front().cycle) / static_cast<double>(n - 1);
    EXPECT_NEAR(measured, static_cast<double>(period), 0.01 * static_cast<double>(period))
        << to_string(policy) << " ACT period";
    // Requests served per cycle, first to last RD: at most 1 / tRC.
    const auto rds = rig.log.of(Command::kRd);
    const double rate =
        static_cast<double>(n - 1) / static_cast<double>(rds.back().cycle - rds.front().cycle);
    EXPECT_LE(rate, 1.0 / static_cast<double>(t.rc));
    EXPECT_EQ(rig.checker.violation_count(), 0) << rig.first_violation();
  }
}

// Requests rotate over every bank of one rank (bank group fastest), each to a new row, closed
// page: ACT + RDA per request. The ACT interval is bounded below by tRRD_S, tFAW / 4, tRRD_L over
// the bank groups, the per-bank cycle P (see above) over the banks, the burst on the data bus and
// the two commands per request on the command bus; for these presets tRRD_S or tFAW / 4 binds.
TEST_P(DramThroughput, ActivateRateIsBoundByRrdAndFaw) {
  ControllerOptions o;
  o.refresh = false;
  o.page_policy = DramPagePolicy::kClosed;
  Rig rig(GetParam(), o);
  const DramTiming& t = rig.device.timing;
  const DramOrganization& org = rig.device.org;
  const int64_t banks = org.banks();
  const int64_t n = 4000;
  rig.closed_loop(n, 32, [&](int64_t i) {
    const int64_t b = i % banks;
    return rig.addr(b % org.bank_groups, b / org.bank_groups, (i / banks) % org.rows);
  });
  const auto acts = rig.log.of(Command::kAct);
  ASSERT_EQ(static_cast<int64_t>(acts.size()), n);
  for (size_t i = 1; i < acts.size(); ++i) {
    ASSERT_GE(acts[i].cycle - acts[i - 1].cycle, t.rrd_s);
    if (i >= 4) {
      ASSERT_GE(acts[i].cycle - acts[i - 4].cycle, t.faw) << "five ACTs inside one tFAW";
    }
  }
  const double per_bank = static_cast<double>(std::max(t.rc, std::max(t.ras, t.rcd + t.rtp) + t.rp));
  const double rrd_faw = std::max(static_cast<double>(t.rrd_s), static_cast<double>(t.faw) / 4.0);
  const double bound =
      std::max({rrd_faw, static_cast<double>(t.rrd_l) / static_cast<double>(org.bank_groups),
                per_bank / static_cast<double>(banks), static_cast<double>(rig.device.burst_clocks()), 2.0});
  EXPECT_EQ(bound, rrd_faw);
  const double measured =
      static_cast<double>(acts.back().cycle - acts.front().cycle) / static_cast<double>(n - 1);
  EXPECT_GE(measured, bound * 0.999);
  EXPECT_LE(measured, bound * 1.05) << "ACT interval " << measured << " vs max(tRRD_S, tFAW/4) = " << bound;
  EXPECT_EQ(rig.checker.violation_count(), 0) << rig.first_violation();
}

INSTANTIATE_TEST_SUITE_P(Presets, DramThroughput, ::testing::ValuesIn(presets()), param_name);

}  // namespace
}  // namespace systole::dram::fidelity
