// ChannelController keeps request ages (admission seq) below 2^24 by renumbering the queued
// requests in order; the schedule must not notice. Two controllers get the same random request
// stream, one renumbering every few admissions: every command and completion must match, and a
// TimingChecker sees no violation.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "dram_test_util.h"
#include "systole/common/error.h"
#include "systole/dram/address_mapping.h"
#include "systole/dram/channel_controller.h"
#include "systole/dram/timing_checker.h"

namespace systole::dram {
namespace {

struct Trace {
  std::vector<CommandEvent> events;
  std::vector<Completion> done;
};

Trace drive(const DramDeviceSpec& d, const ControllerOptions& o, uint64_t seq_limit, int64_t requests) {
  MemoryStats stats;
  test::CommandLog log;
  TimingChecker checker(d, o.refresh);
  const std::vector<ICommandObserver*> observers{&log, &checker};
  ChannelController ch(d, o, 0, &stats, &observers);
  if (seq_limit > 0) ch.set_seq_limit(seq_limit);
  const AddressMapping map(d, o.mapping);
  uint64_t lcg = 7;  // Knuth MMIX LCG, high bits
  auto next = [&] {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg >> 33;
  };
  Trace run;
  int64_t submitted = 0;
  const int64_t window = 2 * o.queue_depth;  // beyond the queue: back-pressure too
  auto submit = [&](int64_t at) {
    Request r;
    r.id = static_cast<uint64_t>(submitted);
    // Few rows and banks: many hits, so that old misses wait while younger hits pass them.
    r.address = (next() % 4096) * map.atom_bytes();
    r.is_write = next() % 4 == 0;
    r.arrival = at;
    ch.enqueue(r, map.decode(r.address));
    ++submitted;
  };
  while (submitted < window) submit(0);
  while (ch.outstanding() > 0) {
    if (ch.has_completion() && ch.front_completion().done <= ch.next_event()) {
      run.done.push_back(ch.front_completion());
      const int64_t at = std::max(ch.front_completion().done, ch.time());
      ch.pop_completion();
      if (submitted < requests) submit(at);
      continue;
    }
    ch.step();
  }
  EXPECT_EQ(checker.violation_count(), 0);
  run.events = log.events;
  return run;
}

TEST(SeqRenumber, ScheduleUnchangedWhenAgesAreRenumbered) {
  const DramDeviceSpec d = test::toy_device();
  for (DramPagePolicy pp : {DramPagePolicy::kOpen, DramPagePolicy::kClosed}) {
    ControllerOptions o;
    o.page_policy = pp;
    o.queue_depth = 8;
    const int64_t requests = 3000;
    const Trace ref = drive(d, o, 0, requests);
    const Trace renumbered = drive(d, o, 9, requests);  // renumbers about every admission
    ASSERT_EQ(ref.done.size(), static_cast<size_t>(requests));
    ASSERT_EQ(ref.events.size(), renumbered.events.size());
    for (size_t i = 0; i < ref.events.size(); ++i) {
      ASSERT_EQ(ref.events[i].cycle, renumbered.events[i].cycle) << "event " << i;
      ASSERT_EQ(ref.events[i].command, renumbered.events[i].command) << "event " << i;
      ASSERT_EQ(ref.events[i].at.bank, renumbered.events[i].at.bank) << "event " << i;
      ASSERT_EQ(ref.events[i].at.bank_group, renumbered.events[i].at.bank_group) << "event " << i;
      ASSERT_EQ(ref.events[i].at.row, renumbered.events[i].at.row) << "event " << i;
      ASSERT_EQ(ref.events[i].at.column, renumbered.events[i].at.column) << "event " << i;
    }
    ASSERT_EQ(ref.done.size(), renumbered.done.size());
    for (size_t i = 0; i < ref.done.size(); ++i) {
      EXPECT_EQ(ref.done[i].id, renumbered.done[i].id);
      EXPECT_EQ(ref.done[i].done, renumbered.done[i].done);
    }
  }
}

TEST(SeqRenumber, LimitOutsideRangeThrows) {
  const DramDeviceSpec d = test::toy_device();
  MemoryStats stats;
  const std::vector<ICommandObserver*> observers;
  ControllerOptions o;
  o.queue_depth = 8;
  ChannelController ch(d, o, 0, &stats, &observers);
  EXPECT_THROW(ch.set_seq_limit(8), InternalError);
  EXPECT_THROW(ch.set_seq_limit((uint64_t{1} << 24) + 1), InternalError);
  EXPECT_NO_THROW(ch.set_seq_limit(9));
}

}  // namespace
}  // namespace systole::dram
