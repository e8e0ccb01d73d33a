// The write drain scales with the requests in flight (channel_controller.h, "Read/write drain":
// watermarks are fractions of min(queue_depth, requests in flight)). A hand-made case on the toy
// device (dram_test_util.h: tRCD 10, tRP 10, tRAS 24, tRC 36, CL 10, burst 4; queue 8) where the
// drain starts at the end of a read burst, with no other event; then closed-loop mixed traffic
// with 8 requests in flight on the single-channel presets, where writes used to wait for the reads
// to run out.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dram_test_util.h"
#include "systole/dram/address_mapping.h"
#include "systole/dram/memtest.h"
#include "systole/dram/timing_checker.h"

namespace systole::dram {
namespace {

// Six reads (four to rows 1-4 of bank 0, one each to banks 1 and 2) and two writes to bank
// group 1, all at cycle 0: 8 in flight, high watermark 4, so reads first. The reads to banks 0-2
// (row 1) issue at once; the other three wait for bank 0's row cycle (its next ACT at tRC = 36).
// Each read burst that ends lowers the count: 7, 6, then 5 in flight (two writes, two reads
// queued, one burst) when the third burst ends, and the high watermark max(1, 5 / 2) = 2 is
// reached. The drain starts at that cycle, before the ACT bank 0's next read could issue there.
TEST(WriteDrain, StartsWhenEndingBurstsBringTheHighWatermarkDown) {
  ControllerOptions o;
  o.refresh = false;
  o.queue_depth = 8;
  const DramDeviceSpec d = test::toy_device();
  MemorySystem mem(d, o);
  AddressMapping map(d, o.mapping);
  test::CommandLog log;
  TimingChecker checker(d, false);
  mem.add_observer(&log);
  mem.add_observer(&checker);
  uint64_t id = 0;
  for (int64_t row = 1; row <= 4; ++row)
    testsupport::submit(mem, id++, testsupport::address_of(map, 0, 0, row), 0);
  testsupport::submit(mem, id++, testsupport::address_of(map, 0, 1, 1), 0);
  testsupport::submit(mem, id++, testsupport::address_of(map, 0, 2, 1), 0);
  testsupport::submit(mem, id++, testsupport::address_of(map, 1, 0, 1), 0, true);
  testsupport::submit(mem, id++, testsupport::address_of(map, 1, 1, 1), 0, true);
  Completion c;
  while (mem.next_completion(&c)) {
  }
  const auto rds = log.of(Command::kRd);
  const auto acts = log.of(Command::kAct);
  ASSERT_EQ(rds.size(), 6u);
  ASSERT_EQ(log.of(Command::kWr).size(), 2u);
  const int64_t third_burst_end = rds[2].cycle + d.timing.cl + d.burst_clocks();
  ASSERT_EQ(third_burst_end, d.timing.rc);  // the drain and bank 0's next ACT tie: drain first
  const auto first_write_act =
      std::find_if(acts.begin(), acts.end(), [](const CommandEvent& e) { return e.at.bank_group == 1; });
  ASSERT_NE(first_write_act, acts.end());
  EXPECT_EQ(first_write_act->cycle, third_burst_end);
  EXPECT_EQ(rds[3].at.row, 2);
  EXPECT_GT(rds[3].cycle, log.of(Command::kWr)[0].cycle);  // row 2 after the writes
  EXPECT_EQ(checker.violation_count(), 0) << checker.violations()[0];
}

struct Split {
  double gbps = 0;
  double read_latency = 0, write_latency = 0;  // mean, DRAM cycles
};

// Closed loop as run_memtest: `window` requests in flight, each completion replaced at its done
// cycle; read ratio 0.7 (or `reads_only`), addresses from `pattern`, seeded LCG.
Split closed_loop(const DramDeviceSpec& d, Pattern pattern, bool reads_only, int64_t window, int64_t n) {
  ControllerOptions o;
  MemorySystem mem(d, o);
  TimingChecker checker(d);
  mem.add_observer(&checker);
  const AddressMapping map(d, o.mapping);
  const uint64_t atom = map.atom_bytes();
  const uint64_t atoms = map.capacity_bytes() / atom;
  const uint64_t row_bytes = static_cast<uint64_t>(d.org.columns * d.org.bus_width_bits / 8);
  uint64_t x = 12345;
  auto next = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 11;
  };
  std::vector<bool> is_write(static_cast<size_t>(n));
  int64_t issued = 0;
  auto submit = [&](int64_t at) {
    uint64_t address = 0;
    switch (pattern) {
      case Pattern::kSequential:
        address = (static_cast<uint64_t>(issued) & (atoms - 1)) * atom;
        break;
      case Pattern::kRandom:
        address = (next() & (atoms - 1)) * atom;
        break;
      case Pattern::kStrided:
        address = static_cast<uint64_t>(issued) * row_bytes % map.capacity_bytes();
        break;
    }
    const bool write = !reads_only && next() % 10 >= 7;
    is_write[static_cast<size_t>(issued)] = write;
    testsupport::submit(mem, static_cast<uint64_t>(issued), address, at, write);
    ++issued;
  };
  while (issued < window) submit(0);
  Completion c;
  double sum[2] = {0, 0};
  int64_t count[2] = {0, 0};
  while (mem.next_completion(&c)) {
    const int w = is_write[c.id] ? 1 : 0;
    sum[w] += static_cast<double>(c.done - c.arrival);
    ++count[w];
    if (issued < n) submit(c.done);
  }
  EXPECT_EQ(checker.violation_count(), 0);
  Split s;
  s.gbps = static_cast<double>(n * d.atom_bytes()) /
           (static_cast<double>(mem.stats().last_done) * static_cast<double>(d.timing.tck_ps) / 1000.0);
  s.read_latency = count[0] > 0 ? sum[0] / static_cast<double>(count[0]) : 0.0;
  s.write_latency = count[1] > 0 ? sum[1] / static_cast<double>(count[1]) : 0.0;
  return s;
}

// 8 requests in flight, a quarter of the default queue: writes are served as they come, not after
// the reads run out. Their mean latency stays within twice the reads' (3.4x to 11x with the
// watermarks fixed at queue_depth / 2 and / 4: writes held their slots while the reads went on),
// and random traffic keeps at least 75 % of the read-only bandwidth at the same 8 in flight (55 %
// and 58 % before on DDR4 and LPDDR4; memtest's run on DDR4-3200: 15.8 % of peak, 32.4 %
// read-only).
TEST(WriteDrain, WritesGetTheirShareAtEightInFlight) {
  for (const std::string preset : {"ddr4-3200", "lpddr4-4266", "lpddr5-6400"}) {
    const DramDeviceSpec d = test::preset(preset);
    for (Pattern p : {Pattern::kSequential, Pattern::kRandom, Pattern::kStrided}) {
      SCOPED_TRACE(preset + " " + to_string(p));
      const Split mixed = closed_loop(d, p, false, 8, 20000);
      EXPECT_LT(mixed.write_latency, 2.0 * mixed.read_latency);
      if (p == Pattern::kRandom) {
        const Split reads = closed_loop(d, p, true, 8, 20000);
        EXPECT_GE(mixed.gbps, 0.75 * reads.gbps)
            << mixed.gbps << " GB/s mixed, " << reads.gbps << " read-only";
      }
    }
  }
}

}  // namespace
}  // namespace systole::dram
