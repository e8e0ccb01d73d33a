// A row activated for a request stays open until that request's column command issues, whatever
// the read/write drain does meanwhile (channel_controller.h, "Activated rows are kept for their
// request"); only a refresh may close it first. Hand-made cases on the toy device
// (dram_test_util.h: tRCD 10, tRAS 24, tRP 10, CWL 8, burst 4, tWR 12; queue 8 drains writes at
// 4 queued and stops at 2), then mixed memtest traffic on every preset watched by an observer that
// flags every ACT whose row is closed before any column command used it.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <tuple>

#include "dram_test_util.h"
#include "systole/dram/address_mapping.h"
#include "systole/dram/memtest.h"
#include "systole/dram/timing_checker.h"

namespace systole::dram {
namespace {

// Counts ACTs whose row was precharged before any RD/WR reached it: by a PRE to the bank (a
// request's scheduling) or by a refresh's PREA (bank -1).
class WastedActivations : public ICommandObserver {
 public:
  void on_command(const CommandEvent& e) override {
    const auto bank = std::make_tuple(e.at.channel, e.at.rank, e.at.bank_group, e.at.bank);
    switch (e.command) {
      case Command::kAct:
        ++acts;
        unused[bank] = true;
        break;
      case Command::kRd:
      case Command::kWr:
        unused[bank] = false;
        break;
      case Command::kPre:
        if (e.at.bank >= 0) {
          if (unused[bank]) ++by_pre;
          unused[bank] = false;
          break;
        }
        for (auto& [b, u] : unused) {  // PREA of a refresh: every bank of the rank
          if (std::get<0>(b) == e.at.channel && std::get<1>(b) == e.at.rank && u) {
            ++by_refresh;
            u = false;
          }
        }
        break;
      case Command::kRef:
        break;
    }
  }
  int64_t acts = 0, by_pre = 0, by_refresh = 0;

 private:
  std::map<std::tuple<int64_t, int64_t, int64_t, int64_t>, bool> unused;
};

struct Toy {
  Toy()
      : device(test::toy_device()),
        mem(device, options()),
        map(device, options().mapping),
        checker(device, false) {
    mem.add_observer(&log);
    mem.add_observer(&checker);
    mem.add_observer(&wasted);
  }
  static ControllerOptions options() {
    ControllerOptions o;
    o.refresh = false;
    o.queue_depth = 8;
    return o;
  }
  void submit(uint64_t id, int64_t row, int64_t arrival, bool write) {
    testsupport::submit(mem, id, testsupport::address_of(map, 0, 0, row, static_cast<int64_t>(id)), arrival,
                        write);
  }
  void drain() {
    Completion c;
    while (mem.next_completion(&c)) {
    }
  }
  DramDeviceSpec device;
  MemorySystem mem;
  AddressMapping map;
  test::CommandLog log;
  TimingChecker checker;
  WastedActivations wasted;
};

// A write opens row 1 (write mode: no read queued); a read to row 2 of the same bank arrives one
// cycle later and turns the controller back to reads (1 write <= the low watermark). The write's
// WR still goes first, at tRCD; the read's PRE waits for it (WR + CWL + burst + tWR = 34).
TEST(RowReservation, AReadDoesNotCloseTheRowAWriteOpened) {
  Toy f;
  f.submit(1, 1, 0, true);
  f.submit(2, 2, 1, false);
  f.drain();
  const DramTiming& t = f.device.timing;
  const auto acts = f.log.of(Command::kAct);
  const auto wrs = f.log.of(Command::kWr);
  const auto pres = f.log.of(Command::kPre);
  ASSERT_EQ(acts.size(), 2u);  // row 1 once, row 2 once
  ASSERT_EQ(wrs.size(), 1u);
  ASSERT_EQ(pres.size(), 1u);
  EXPECT_EQ(acts[0].at.row, 1);
  EXPECT_EQ(wrs[0].cycle, t.rcd);
  EXPECT_EQ(pres[0].cycle, t.rcd + t.cwl + f.device.burst_clocks() + t.wr);
  EXPECT_EQ(f.wasted.by_pre, 0);
  EXPECT_EQ(f.checker.violation_count(), 0) << f.checker.violations()[0];
}

// The mirror case: a read opens row 1; four writes to row 2 of the same bank arrive one cycle
// later and reach the high watermark, so the controller drains writes. The read's RD still goes
// at tRCD, before the writes' PRE.
TEST(RowReservation, ADrainDoesNotCloseTheRowAReadOpened) {
  Toy f;
  f.submit(1, 1, 0, false);
  for (uint64_t id = 2; id <= 5; ++id) f.submit(id, 2, 1, true);
  f.drain();
  const DramTiming& t = f.device.timing;
  const auto acts = f.log.of(Command::kAct);
  const auto rds = f.log.of(Command::kRd);
  const auto pres = f.log.of(Command::kPre);
  ASSERT_EQ(acts.size(), 2u);
  ASSERT_EQ(rds.size(), 1u);
  ASSERT_EQ(pres.size(), 1u);
  EXPECT_EQ(rds[0].cycle, t.rcd);
  EXPECT_LT(rds[0].cycle, pres[0].cycle);
  EXPECT_EQ(f.log.of(Command::kWr).size(), 4u);
  EXPECT_EQ(f.wasted.by_pre, 0);
  EXPECT_EQ(f.checker.violation_count(), 0) << f.checker.violations()[0];
}

// Mixed traffic (70 % reads) on every preset and pattern, refresh off: every ACT serves the
// request it was issued for, so ACTs = requests - row hits exactly and no ACT is wasted.
TEST(RowReservation, EveryActivationIsUsedWithoutRefresh) {
  for (const std::string& preset : test::shipped_presets()) {
    for (Pattern p : {Pattern::kSequential, Pattern::kRandom, Pattern::kStrided}) {
      SCOPED_TRACE(preset + " " + to_string(p));
      const DramDeviceSpec d = test::preset(preset);
      MemtestOptions o;
      o.pattern = p;
      o.requests = 20000;
      o.read_ratio = 0.7;
      o.controller.refresh = false;
      WastedActivations wasted;
      const MemtestResult r = run_memtest(d, o, &wasted);
      const auto hits = std::llround(r.row_hit_rate * static_cast<double>(r.requests));
      EXPECT_EQ(wasted.by_pre, 0);
      EXPECT_EQ(wasted.by_refresh, 0);
      EXPECT_EQ(r.commands[static_cast<int>(Command::kAct)], r.requests - hits);
    }
  }
}

// The issue-14 measurement: DDR4-3200, uniformly random, 70 % reads, 100,000 requests, refresh on.
// Before rows were kept for their request, 8.9 % more ACTs than requests (the other direction's
// PRE closed rows opened for requests not yet served); now only a refresh wastes an ACT (about
// one per bank per tREFI), and the ACT/request ratio is that of read-only random traffic.
TEST(RowReservation, RandomMixActivatesOncePerRequest) {
  const DramDeviceSpec d = test::preset("ddr4-3200");
  MemtestOptions o;
  o.pattern = Pattern::kRandom;
  o.requests = 100000;
  o.read_ratio = 0.7;
  WastedActivations wasted;
  const MemtestResult r = run_memtest(d, o, &wasted);
  const int64_t acts = r.commands[static_cast<int>(Command::kAct)];
  const auto hits = std::llround(r.row_hit_rate * static_cast<double>(r.requests));
  EXPECT_EQ(wasted.by_pre, 0);
  EXPECT_EQ(acts, r.requests - hits + wasted.by_refresh);
  EXPECT_LE(wasted.by_refresh, r.commands[static_cast<int>(Command::kRef)] * d.org.banks());
  EXPECT_LT(static_cast<double>(acts) / static_cast<double>(r.requests), 1.003);
}

}  // namespace
}  // namespace systole::dram
