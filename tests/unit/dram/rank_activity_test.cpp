// Active-standby time per rank (ChannelTiming::active_cycles, MemorySystem::rank_active_cycles):
// the union of every bank's [ACT, precharge) and every [REF, REF + tRFC), checked against
// intervals worked out by hand on the toy device (tRAS 24, tRTP 6, tRFC 60, CWL 8, burst 4, tWR 12).
#include <gtest/gtest.h>

#include "dram_test_util.h"
#include "systole/dram/channel_timing.h"

namespace systole::dram {
namespace {

using test::toy_device;

DramDeviceSpec two_rank_toy() {
  DramDeviceSpec d = toy_device();
  d.org.ranks = 2;
  d.timing.rfc = 60;
  return d;
}

TEST(RankActivity, NothingIssuedIsNeverActive) {
  ChannelTiming t(two_rank_toy());
  EXPECT_EQ(t.active_cycles(0, 0), 0);
  EXPECT_EQ(t.active_cycles(0, 1000), 0);
  EXPECT_EQ(t.active_cycles(1, 1000), 0);
}

TEST(RankActivity, OneBankFromActToPre) {
  ChannelTiming t(two_rank_toy());
  t.act(10, 0, 0, t.flat_bank(0, 0, 0), 5);
  EXPECT_EQ(t.active_cycles(0, 50), 40);  // still open: counts up to `until`
  t.pre(80, t.flat_bank(0, 0, 0));
  EXPECT_EQ(t.active_cycles(0, 1000), 70);  // [10, 80)
  EXPECT_EQ(t.active_cycles(1, 1000), 0);   // the other rank saw nothing
}

TEST(RankActivity, OverlappingBanksCountOnceAndGapsNotAtAll) {
  ChannelTiming t(two_rank_toy());
  const int b0 = t.flat_bank(0, 0, 0), b1 = t.flat_bank(0, 1, 0);
  t.act(100, 0, 0, b0, 1);
  t.act(120, 0, 1, b1, 2);
  t.pre(200, b0);
  t.pre(250, b1);  // union [100, 250): 150
  t.act(400, 0, 0, b0, 3);
  t.prea(450, 0);  // [400, 450): 50; PREA of closed banks changes nothing
  EXPECT_EQ(t.active_cycles(0, 1000), 200);
}

TEST(RankActivity, AutoPrechargeClosesAtTheComputedCycle) {
  ChannelTiming t(two_rank_toy());
  const int b = t.flat_bank(0, 0, 0);
  t.act(0, 0, 0, b, 1);
  t.rd(10, 0, 0, b, true);  // closes at max(RD + tRTP = 16, ACT + tRAS = 24) = 24
  EXPECT_EQ(t.active_cycles(0, 1000), 24);
  EXPECT_EQ(t.active_cycles(0, 20), 20);  // the future close is clamped to `until`
  t.act(100, 0, 0, b, 2);
  t.wr(110, 0, 0, b, true);  // closes at WR + CWL + burst + tWR = 110 + 8 + 4 + 12 = 134
  EXPECT_EQ(t.active_cycles(0, 1000), 24 + 34);
}

TEST(RankActivity, RefreshCountsAsActiveForTrfc) {
  ChannelTiming t(two_rank_toy());
  t.ref(500, 1);
  EXPECT_EQ(t.active_cycles(1, 1000), 60);
  EXPECT_EQ(t.active_cycles(1, 530), 30);
  EXPECT_EQ(t.active_cycles(0, 1000), 0);
}

// Through the whole controller: one read to a closed bank, open page. The row stays open after
// the ACT, so the rank is active from the ACT (logged) to `until`; the other rank never.
TEST(RankActivity, MemorySystemSumsRanksFromTheCommandLog) {
  DramDeviceSpec d = two_rank_toy();
  ControllerOptions o;
  o.refresh = false;
  MemorySystem m(d, o);
  test::CommandLog log;
  m.add_observer(&log);
  Request r;
  r.address = 0;
  m.submit(r);
  Completion c;
  ASSERT_TRUE(m.next_completion(&c));
  ASSERT_FALSE(log.events.empty());
  const CommandEvent& act = log.events.front();
  ASSERT_EQ(act.command, Command::kAct);
  EXPECT_EQ(m.rank_active_cycles(c.done + 100), c.done + 100 - act.cycle);
}

}  // namespace
}  // namespace systole::dram
