// The scheduler seam (dram/scheduler.h): every dram.scheduler spelling is registered, each
// policy's pick on hand-made candidates, and the three policies on one bank where an older
// request misses the open row that five younger ones hit (toy device, dram_test_util.h), with
// the independent timing checker watching every command.
#include "systole/dram/scheduler.h"

#include <vector>

#include <gtest/gtest.h>

#include "dram_test_util.h"
#include "systole/common/error.h"
#include "systole/dram/address_mapping.h"
#include "systole/dram/timing_checker.h"

namespace systole::dram {
namespace {

TEST(DramScheduler, EverySpellingIsRegistered) {
  EXPECT_EQ(dram_schedulers().names(), dram_scheduler_names());
  try {
    dram_schedulers().make("lottery", ControllerOptions{});
    FAIL() << "no error";
  } catch (const UnknownVariant& e) {
    EXPECT_STREQ(e.what(), "unknown DRAM scheduler 'lottery'; registered: frfcfs, fcfs, frfcfs_cap");
  }
}

SchedulerPick pick(const char* name, const BankCandidates& b, int64_t cap = 2) {
  ControllerOptions o;
  o.row_hit_cap = cap;
  return dram_schedulers().make(name, o)->pick(b);
}

TEST(DramScheduler, PicksOnHandMadeCandidates) {
  BankCandidates b;  // an older miss (seq 3) and a younger hit (seq 7); 2 hits served so far
  b.hit = 10, b.hit_seq = 7, b.miss = 11, b.miss_seq = 3, b.row_hits = 2;
  EXPECT_EQ(pick("frfcfs", b).slot, 10);
  EXPECT_EQ(pick("frfcfs", b).cls, 0);
  EXPECT_EQ(pick("fcfs", b).slot, 11);  // the oldest
  EXPECT_EQ(pick("fcfs", b).cls, 1);
  EXPECT_EQ(pick("frfcfs_cap", b, 2).slot, 11);  // cap reached: the older miss
  EXPECT_EQ(pick("frfcfs_cap", b, 3).slot, 10);  // not yet
  b.miss_seq = 9;                                // the miss is younger: no one starves
  EXPECT_EQ(pick("frfcfs_cap", b, 2).slot, 10);
  EXPECT_EQ(pick("fcfs", b).slot, 10);
  BankCandidates none;
  for (const char* n : {"frfcfs", "fcfs", "frfcfs_cap"}) EXPECT_EQ(pick(n, none).slot, -1) << n;
}

struct SchedulerRun {
  std::vector<uint64_t> order;  // completion ids
  int64_t acts = 0;
  int64_t violations = 0;
};

SchedulerRun one_bank_conflict(DramScheduler s) {
  ControllerOptions o;
  o.refresh = false;
  o.queue_depth = 8;
  o.scheduler = s;
  o.row_hit_cap = 2;
  const DramDeviceSpec d = test::toy_device();
  MemorySystem mem(d, o);
  AddressMapping map(d, o.mapping);
  TimingChecker checker(d, o.refresh);
  mem.add_observer(&checker);
  Completion c;
  testsupport::submit(mem, 1, testsupport::address_of(map, 0, 0, 1, 0), 0, false);  // opens row 1
  while (mem.next_completion(&c)) {
  }
  testsupport::submit(mem, 2, testsupport::address_of(map, 0, 0, 2, 0), 100, false);  // older, row 2
  for (uint64_t id = 3; id <= 7; ++id)
    testsupport::submit(mem, id, testsupport::address_of(map, 0, 0, 1, static_cast<int64_t>(id)), 100, false);
  SchedulerRun r;
  while (mem.next_completion(&c)) r.order.push_back(c.id);
  r.acts = mem.stats().commands[static_cast<int>(Command::kAct)];
  r.violations = checker.violation_count();
  return r;
}

TEST(DramScheduler, FrfcfsServesTheHitsFirst) {
  const SchedulerRun r = one_bank_conflict(DramScheduler::kFrfcfs);
  EXPECT_EQ(r.order, (std::vector<uint64_t>{3, 4, 5, 6, 7, 2}));
  EXPECT_EQ(r.acts, 2);  // row 1, then row 2 once
  EXPECT_EQ(r.violations, 0);
}

TEST(DramScheduler, FcfsServesTheOldestAndReopensTheRow) {
  const SchedulerRun r = one_bank_conflict(DramScheduler::kFcfs);
  EXPECT_EQ(r.order, (std::vector<uint64_t>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(r.acts, 3);  // row 1, row 2, row 1 again
  EXPECT_EQ(r.violations, 0);
}

TEST(DramScheduler, TheCapLetsTheOlderMissGoAfterTwoHits) {
  const SchedulerRun r = one_bank_conflict(DramScheduler::kFrfcfsCap);
  EXPECT_EQ(r.order, (std::vector<uint64_t>{3, 4, 2, 5, 6, 7}));
  EXPECT_EQ(r.acts, 3);
  EXPECT_EQ(r.violations, 0);
}

}  // namespace
}  // namespace systole::dram
