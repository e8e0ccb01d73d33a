// Idle read latency and bus turnaround against the JEDEC arithmetic of each preset.
#include <gtest/gtest.h>

#include "dram_fidelity_util.h"

namespace systole::dram::fidelity {
namespace {

class DramLatency : public ::testing::TestWithParam<std::string> {};

TEST_P(DramLatency, IdleReadLatencyIsExact) {
  ControllerOptions o;  // open page, refresh on: the first REF falls due at tREFI, after these reads
  Rig rig(GetParam(), o);
  const DramTiming& t = rig.device.timing;
  const int64_t burst = rig.device.burst_clocks();
  ASSERT_GT(t.refi, 1000);

  // Row miss on a precharged bank: ACT, then RD tRCD later; data ends CL + burst after the RD.
  rig.submit(1, rig.addr(0, 0, 10), 0);
  Completion c = rig.next();
  EXPECT_EQ(c.done, t.rcd + t.cl + burst);
  EXPECT_FALSE(c.row_hit);

  // Row hit: the RD issues on arrival.
  const int64_t hit_at = c.done + 100;
  rig.submit(2, rig.addr(0, 0, 10, 1), hit_at);
  c = rig.next();
  EXPECT_EQ(c.done - hit_at, t.cl + burst);
  EXPECT_TRUE(c.row_hit);

  // Row conflict long after the ACT (tRAS, tRTP long met): PRE, ACT tRP later, RD tRCD later.
  const int64_t conflict_at = c.done + 200;
  rig.submit(3, rig.addr(0, 0, 11), conflict_at);
  c = rig.next();
  EXPECT_EQ(c.done - conflict_at, t.rp + t.rcd + t.cl + burst);
  EXPECT_FALSE(c.row_hit);
  EXPECT_LT(c.done, t.refi);

  EXPECT_EQ(rig.checker.violation_count(), 0) << rig.first_violation();
  EXPECT_EQ(rig.checker.commands_seen(), 6);  // ACT RD RD PRE ACT RD
}

TEST_P(DramLatency, WriteToReadTurnaround) {
  ControllerOptions o;
  o.refresh = false;
  Rig rig(GetParam(), o);
  const DramTiming& t = rig.device.timing;
  const int64_t burst = rig.device.burst_clocks();
  rig.submit(1, rig.addr(0, 0, 3), 0, true);
  const Completion w = rig.next();
  // The read arrives when the write data has ended; same bank group: tWTR_L from the data end.
  rig.submit(2, rig.addr(0, 0, 3, 1), w.done);
  rig.next();
  const auto wr = rig.log.of(Command::kWr);
  const auto rd = rig.log.of(Command::kRd);
  ASSERT_EQ(wr.size(), 1u);
  ASSERT_EQ(rd.size(), 1u);
  EXPECT_EQ(w.done, wr[0].cycle + t.cwl + burst);
  EXPECT_EQ(rd[0].cycle - wr[0].cycle, t.cwl + burst + t.wtr_l);
  EXPECT_EQ(rig.checker.violation_count(), 0) << rig.first_violation();
}

TEST_P(DramLatency, ReadToWriteTurnaround) {
  ControllerOptions o;
  o.refresh = false;
  Rig rig(GetParam(), o);
  const DramTiming& t = rig.device.timing;
  const int64_t burst = rig.device.burst_clocks();
  // All to one open row at once: the reads go first (reads have priority below the write high
  // watermark: one write among four requests in flight, high watermark 2; the three RDs issue
  // before the first read burst ends), the write follows as soon as the bus can turn around.
  rig.submit(1, rig.addr(0, 0, 3), 0, true);
  for (int64_t i = 1; i <= 3; ++i) rig.submit(1 + static_cast<uint64_t>(i), rig.addr(0, 0, 3, i), 0);
  for (int i = 0; i < 4; ++i) rig.next();
  const auto wr = rig.log.of(Command::kWr);
  const auto rd = rig.log.of(Command::kRd);
  ASSERT_EQ(wr.size(), 1u);
  ASSERT_EQ(rd.size(), 3u);
  EXPECT_EQ(rd[0].cycle, t.rcd);
  EXPECT_LT(rd[2].cycle, rd[0].cycle + t.cl + burst);
  EXPECT_EQ(wr[0].cycle - rd[2].cycle, t.cl + burst + t.rtw - t.cwl);
  EXPECT_EQ(rig.checker.violation_count(), 0) << rig.first_violation();
}

TEST_P(DramLatency, MixedTrafficRespectsTurnarounds) {
  ControllerOptions o;
  Rig rig(GetParam(), o);
  const DramTiming& t = rig.device.timing;
  const int64_t burst = rig.device.burst_clocks();
  uint64_t x = 99;
  rig.closed_loop(
      20000, 64,
      [&](int64_t) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return (x >> 16) % rig.map.capacity_bytes();
      },
      [&](int64_t i) { return (i * 7919) % 5 < 2; });  // 40 % writes
  // Every WR -> RD on one channel and rank: at least CWL + burst + tWTR_S between the commands.
  std::vector<int64_t> last_wr(static_cast<size_t>(rig.device.org.channels), -1);
  int64_t pairs = 0;
  for (const auto& e : rig.log.events) {
    auto& lw = last_wr[static_cast<size_t>(e.at.channel)];
    if (e.command == Command::kWr) lw = e.cycle;
    if (e.command == Command::kRd && lw >= 0) {
      EXPECT_GE(e.cycle - lw, t.cwl + burst + t.wtr_s);
      ++pairs;
    }
  }
  EXPECT_GT(pairs, 100);
  EXPECT_EQ(rig.checker.violation_count(), 0) << rig.first_violation();
}

INSTANTIATE_TEST_SUITE_P(Presets, DramLatency, ::testing::ValuesIn(presets()), param_name);

}  // namespace
}  // namespace systole::dram::fidelity
