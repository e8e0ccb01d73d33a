// MemorySystem / ChannelController behaviour on the toy device (dram_test_util.h: burst 4, CL 10,
// CWL 8, tRCD 10, tRP 10, tRAS 24, ...), refresh off unless a test turns it on.
#include <gtest/gtest.h>

#include "dram_test_util.h"
#include "systole/common/error.h"
#include "systole/dram/address_mapping.h"
#include "systole/dram/channel_controller.h"
#include "systole/dram/timing_checker.h"

namespace systole::dram {
namespace {

struct Fixture {
  explicit Fixture(ControllerOptions o = base(), DramDeviceSpec d = test::toy_device())
      : device(d), mem(d, o), map(d, o.mapping), checker(d, o.refresh) {
    mem.add_observer(&log);
    mem.add_observer(&checker);
  }
  static ControllerOptions base() {
    ControllerOptions o;
    o.refresh = false;
    o.queue_depth = 8;
    return o;
  }
  uint64_t addr(int64_t bg, int64_t bank, int64_t row, int64_t col = 0) const {
    return testsupport::address_of(map, bg, bank, row, col);
  }
  void submit(uint64_t id, uint64_t address, int64_t arrival, bool write = false) {
    testsupport::submit(mem, id, address, arrival, write);
  }
  std::vector<Completion> drain() {
    std::vector<Completion> out;
    Completion c;
    while (mem.next_completion(&c)) out.push_back(c);
    return out;
  }
  DramDeviceSpec device;
  MemorySystem mem;
  AddressMapping map;
  test::CommandLog log;
  TimingChecker checker;
};

TEST(Controller, IdleReadMissHitAndConflictLatency) {
  Fixture f;
  const DramTiming& t = f.device.timing;
  const int64_t burst = f.device.burst_clocks();
  f.submit(1, f.addr(0, 0, 5), 0);
  auto c = f.drain();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].done, t.rcd + t.cl + burst);  // ACT at 0, RD at tRCD
  EXPECT_FALSE(c[0].row_hit);
  f.submit(2, f.addr(0, 0, 5, 3), 100);
  c = f.drain();
  EXPECT_EQ(c[0].done, 100 + t.cl + burst);
  EXPECT_TRUE(c[0].row_hit);
  f.submit(3, f.addr(0, 0, 6), 200);
  c = f.drain();
  EXPECT_EQ(c[0].done, 200 + t.rp + t.rcd + t.cl + burst);
  EXPECT_EQ(f.checker.violation_count(), 0) << f.checker.violations()[0];
  EXPECT_EQ(f.mem.stats().commands[static_cast<int>(Command::kAct)], 2);
  EXPECT_EQ(f.mem.stats().commands[static_cast<int>(Command::kPre)], 1);
  EXPECT_EQ(f.mem.stats().row_hits, 1);
  EXPECT_EQ(f.mem.stats().read_bytes, 3 * f.device.atom_bytes());
}

TEST(Controller, FirstReadyHitBeatsOlderConflict) {
  Fixture f;
  f.submit(1, f.addr(0, 0, 1), 0);
  f.drain();
  f.submit(2, f.addr(0, 0, 2), 100);     // older, needs PRE + ACT
  f.submit(3, f.addr(0, 0, 1, 1), 100);  // younger, hits the open row
  auto c = f.drain();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].id, 3u);
  EXPECT_TRUE(c[0].row_hit);
  EXPECT_EQ(c[1].id, 2u);
  EXPECT_EQ(f.checker.violation_count(), 0);
}

TEST(Controller, FullQueueBackPressure) {
  ControllerOptions o = Fixture::base();
  o.queue_depth = 1;
  Fixture f(o);
  f.submit(1, f.addr(0, 0, 1), 0);
  f.submit(2, f.addr(1, 0, 1), 0);
  f.drain();
  const auto acts = f.log.of(Command::kAct);
  const auto rds = f.log.of(Command::kRd);
  ASSERT_EQ(acts.size(), 2u);
  // The second request enters the one-entry queue only when the first's RD frees it; its ACT
  // takes the next free command-bus cycle.
  EXPECT_EQ(acts[1].cycle, rds[0].cycle + 1);
  EXPECT_EQ(f.checker.violation_count(), 0);
}

TEST(Controller, ReadsFirstUntilTheWriteHighWatermark) {
  {
    // Queue 8, 4 requests in flight: high watermark max(1, 4 / 2) = 2; the one write waits until
    // no read is queued.
    Fixture f;
    f.submit(1, f.addr(0, 0, 1), 0, true);
    for (int i = 0; i < 3; ++i) f.submit(2 + i, f.addr(1, i, 1), 0);
    f.drain();
    const auto wrs = f.log.of(Command::kWr);
    const auto rds = f.log.of(Command::kRd);
    ASSERT_EQ(wrs.size(), 1u);
    EXPECT_GT(wrs[0].cycle, rds.back().cycle);
    EXPECT_EQ(f.checker.violation_count(), 0);
  }
  {
    Fixture f;
    for (int i = 0; i < 4; ++i) f.submit(1 + i, f.addr(0, i, 1), 0, true);
    for (int i = 0; i < 3; ++i) f.submit(5 + i, f.addr(1, i, 1), 0);
    f.drain();
    const auto wrs = f.log.of(Command::kWr);
    const auto rds = f.log.of(Command::kRd);
    // 7 in flight: high watermark 3, low 1. Drains writes first, down to the low watermark (a
    // write whose row was activated meanwhile is still served), then serves reads.
    ASSERT_EQ(wrs.size(), 4u);
    EXPECT_LT(wrs[1].cycle, rds.front().cycle);
    EXPECT_EQ(f.checker.violation_count(), 0);
  }
}

// Within a cycle the controller admits that cycle's arrivals before it decides the direction.
// Four reads to four banks and two writes (queue 8, 6 in flight: high watermark 3, low 1; the
// four RDs issue before the first read burst ends, so 6 stay in flight): reads first. When the
// fourth RD issues no read is left, but a fifth read arrives the next cycle, the first cycle at
// which the controller could act on a switch to writes. It is admitted first (7 in flight, 6 once
// the first burst ends), so the controller stays on reads and serves it before any write (a
// switch decided before the arrival would have drained the writes down to the low watermark).
int64_t read_latency(const Fixture& f) {
  return f.device.timing.cl + f.device.burst_clocks();
}

TEST(Controller, ArrivalsOfACycleComeBeforeItsDirection) {
  const auto load = [](Fixture& f) {
    for (int i = 0; i < 4; ++i) f.submit(1 + i, f.addr(i % 2, i / 2, 1, 0), 0);
    for (int i = 0; i < 2; ++i) f.submit(5 + i, f.addr(1, 3 - i, 2), 0, true);
  };
  Fixture alone;  // without the fifth read: when does the fourth RD issue?
  load(alone);
  alone.drain();
  const auto first = alone.log.of(Command::kRd);
  ASSERT_EQ(first.size(), 4u);
  ASSERT_LT(first[3].cycle, alone.log.of(Command::kWr)[0].cycle);
  ASSERT_LT(first[3].cycle, first[0].cycle + read_latency(alone));  // no read burst has ended yet
  const int64_t next = first[3].cycle + 1;
  Fixture f;
  load(f);
  Completion c;
  while (f.mem.next_completion_before(next, &c)) {
  }
  // Hits the third read's row; its RD can issue before the second read burst ends.
  f.submit(9, f.addr(first[2].at.bank_group, first[2].at.bank, 1, 1), next);
  f.drain();
  const auto rds = f.log.of(Command::kRd);
  const auto wrs = f.log.of(Command::kWr);
  ASSERT_EQ(rds.size(), 5u);
  ASSERT_EQ(wrs.size(), 2u);
  EXPECT_EQ(rds[3].cycle, first[3].cycle);
  EXPECT_LT(rds[4].cycle, first[1].cycle + read_latency(f));
  EXPECT_LT(rds[4].cycle, wrs[0].cycle);
  EXPECT_EQ(f.checker.violation_count(), 0) << f.checker.violations()[0];
}

TEST(Controller, ClosedPageAutoPrechargesTheLastHit) {
  ControllerOptions o = Fixture::base();
  o.page_policy = DramPagePolicy::kClosed;
  Fixture f(o);
  f.submit(1, f.addr(0, 0, 1, 0), 0);
  f.submit(2, f.addr(0, 0, 1, 1), 0);
  f.drain();
  const auto rds = f.log.of(Command::kRd);
  ASSERT_EQ(rds.size(), 2u);
  EXPECT_FALSE(rds[0].auto_precharge);  // another request still hits the row
  EXPECT_TRUE(rds[1].auto_precharge);
  EXPECT_EQ(f.log.of(Command::kPre).size(), 0u);
  // The next request to the bank needs no PRE: ACT after tRP from the implicit precharge.
  f.submit(3, f.addr(0, 0, 2), 200);
  auto c = f.drain();
  EXPECT_EQ(c[0].done, 200 + f.device.timing.rcd + f.device.timing.cl + f.device.burst_clocks());
  EXPECT_EQ(f.checker.violation_count(), 0);
}

TEST(Controller, RefreshEveryInterval) {
  ControllerOptions o = Fixture::base();
  o.refresh = true;
  Fixture f(o);
  const int64_t refi = f.device.timing.refi;
  f.submit(1, f.addr(0, 0, 1), 0);
  f.submit(2, f.addr(0, 0, 1), 10 * refi + 5);
  auto c = f.drain();
  ASSERT_EQ(c.size(), 2u);
  const auto refs = f.log.of(Command::kRef);
  ASSERT_EQ(refs.size(), 10u);  // due at refi, 2 refi, ..., 10 refi
  const auto pres = f.log.of(Command::kPre);
  ASSERT_EQ(pres.size(), 1u);  // the row request 1 opened is closed by a PREA (bank -1) at refi
  EXPECT_EQ(pres[0].cycle, refi);
  EXPECT_EQ(pres[0].at.bank, -1);
  EXPECT_EQ(refs[0].cycle, refi + f.device.timing.rp);
  EXPECT_EQ(refs[9].cycle, 10 * refi);  // every bank already closed: REF as soon as it is due
  EXPECT_EQ(f.checker.violation_count(), 0) << f.checker.violations()[0];
  // Request 2 arrives during the last REF: it waits tRFC, then misses (the refresh closed the row).
  EXPECT_FALSE(c[1].row_hit);
  EXPECT_EQ(c[1].done, 10 * refi + f.device.timing.rfc + f.device.timing.rcd + f.device.timing.cl +
                           f.device.burst_clocks());
}

TEST(Controller, CausalityContract) {
  Fixture f;
  f.submit(1, f.addr(0, 0, 1), 0);
  Completion c;
  EXPECT_FALSE(f.mem.next_completion_before(5, &c));
  EXPECT_EQ(f.mem.now(), 5);
  EXPECT_THROW(f.submit(2, f.addr(1, 0, 1), 4), InternalError);
  f.submit(2, f.addr(1, 0, 1), 5);
  ASSERT_TRUE(f.mem.next_completion(&c));
  EXPECT_EQ(c.id, 1u);
  EXPECT_THROW(f.submit(3, f.addr(1, 0, 1), c.done - 1), InternalError);
  EXPECT_EQ(f.mem.outstanding(), 1u);
}

TEST(Controller, CompletionsInTimeOrderAcrossChannels) {
  const DramDeviceSpec d = test::preset("hbm2");
  ControllerOptions o;
  MemorySystem mem(d, o);
  TimingChecker checker(d);
  mem.add_observer(&checker);
  uint64_t x = 7;
  for (uint64_t i = 0; i < 3000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    Request r;
    r.id = i;
    r.address = x >> 20;
    r.is_write = (x >> 3) % 3 == 0;
    r.arrival = static_cast<int64_t>(i / 4);
    mem.submit(r);
  }
  Completion c;
  int64_t last = 0;
  size_t n = 0;
  while (mem.next_completion(&c)) {
    EXPECT_GE(c.done, last);
    last = c.done;
    ++n;
  }
  EXPECT_EQ(n, 3000u);
  EXPECT_EQ(mem.stats().reads + mem.stats().writes, 3000);
  EXPECT_EQ(checker.violation_count(), 0) << checker.violations()[0];
}

}  // namespace
}  // namespace systole::dram

namespace systole::dram {

// Continuous traffic never empties the completion FIFO (a completion is popped only while another
// is waiting), which used to keep every completion of the run in memory.
TEST(Controller, MemoryStaysBoundedWhenTheFifosNeverEmpty) {
  const DramDeviceSpec d = test::toy_device();
  ControllerOptions o = Fixture::base();
  MemoryStats stats;
  const std::vector<ICommandObserver*> observers;
  ChannelController c(d, o, 0, &stats, &observers);
  uint64_t next_id = 0;
  size_t peak = 0;
  int64_t served = 0;
  while (served < 50000) {
    while (c.outstanding() < 16) {
      const auto id = next_id++;
      Coordinates at;
      at.bank = static_cast<int64_t>(id % 4);
      at.row = static_cast<int64_t>(id / 64 % 8);
      at.column = static_cast<int64_t>(id % 64);
      c.enqueue(Request{id, 0, id % 3 == 0, c.time()}, at);
    }
    while (c.next_event() != kNever && !(c.has_completion() && c.outstanding() < 12)) c.step();
    while (c.has_completion() && c.outstanding() > 8) {
      c.pop_completion();
      ++served;
    }
    peak = std::max(peak, c.retained_entries());
  }
  EXPECT_LT(peak, 200u);
}

}  // namespace systole::dram
