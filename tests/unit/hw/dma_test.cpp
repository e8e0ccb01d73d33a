// Dma + DRAM channel through NpuTop: descriptor timing on simple and ideal DRAM, burst pipelining,
// the scratchpad port overlapping the DRAM side, and scratchpad range checks.
#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/hw/simulate.h"
#include "unit/hw/program_builder.h"

namespace systole {
namespace {

using hwtest::ProgramBuilder;
using hwtest::run_top;
using hwtest::test_arch;

// test_arch: 1 ns cycles, latency L = 100 ns, 64 B bursts at 25.6 GB/s = 2.5 ns each.

TEST(Dma, LoadOnSimpleDramTakesLatencyPlusBytesOverBandwidth) {
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 4096);
  const SimResult r = simulate(test_arch(), b.program());
  // 64 bursts all in flight (max_outstanding 64): 4096 B / 25.6 GB/s = 160 ns, + 100 ns = 260 ns.
  // Scratchpad write port: 4096 / 64 = 64 cycles, hidden under the DRAM side.
  EXPECT_EQ(r.total_cycles, 260);
  EXPECT_EQ(r.layers[0].dram_reads_bytes, 4096);
  EXPECT_EQ(r.layers[0].sram_writes_bytes, 4096);
  EXPECT_EQ(r.layers[0].dma_busy_cycles, 260);
  EXPECT_EQ(r.layers[0].compute_cycles, 0);
}

TEST(Dma, OneOutstandingBurstPaysLatencyPerBurst) {
  ArchSpec arch = test_arch();
  arch.core.dma.max_outstanding = 1;
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 4096);
  // bursts * (L + burst / bw) = 64 * (100 + 2.5) = 6560 ns.
  EXPECT_EQ(simulate(arch, b.program()).total_cycles, 6560);
}

TEST(Dma, BurstWindowPipelinesLatency) {
  ArchSpec arch = test_arch();
  arch.core.dma.max_outstanding = 4;
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 4096);
  // issue_i = max(0, done_{i-4}); the first 4 complete at 102.5, 105, 107.5, 110; each later group
  // of 4 issues when its predecessor 4 back completes, so done_i = done_{i-4} + 102.5.
  // Burst 63 is in group 15: 110 + 15 * 102.5 = 1647.5 ns -> rounded up to 1648 cycles.
  EXPECT_EQ(simulate(arch, b.program()).total_cycles, 1648);
}

TEST(Dma, BurstsNeverSpanRows) {
  ArchSpec arch = test_arch();
  arch.core.dma.max_outstanding = 1;
  ProgramBuilder b;
  b.load(Buffer::kWeight, 3, 100);  // rows of 100 B: bursts 64 + 36 per row, 6 bursts
  // 3 * [(100 + 2.5) + (100 + 36 / 25.6 = 1.40625)] = 3 * 203.90625 = 611.71875 ns -> 612 cycles.
  auto top = run_top(arch, b.program());
  EXPECT_EQ(top->dma().counters().bursts, 6);
  EXPECT_EQ(top->clock().cycle_of(top->controller().end_time()), 612);
}

TEST(Dma, IdealDramLeavesOnlyTheScratchpadPort) {
  ArchSpec arch = test_arch();
  arch.dram.kind = DramKind::kIdeal;
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 4096);
  b.store(Buffer::kOfmap, 1, 1000, {0});
  // LOAD: ceil(4096 / 64 write B/cycle) = 64; STORE: ceil(1000 / 64 read B/cycle) = 16.
  const SimResult r = simulate(arch, b.program());
  EXPECT_EQ(r.total_cycles, 64 + 16);
  EXPECT_EQ(r.total.dram_writes_bytes, 1000);
  EXPECT_EQ(r.total.sram_reads_bytes, 1000);
}

TEST(Dma, SlowScratchpadPortDominatesFastDram) {
  ArchSpec arch = test_arch();
  arch.core.scratchpads.ifmap.write_bytes_per_cycle = 8;  // 4096 / 8 = 512 cycles > 260
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 4096);
  EXPECT_EQ(simulate(arch, b.program()).total_cycles, 512);
}

TEST(Dma, StoreWritesDram) {
  ProgramBuilder b;
  b.store(Buffer::kOfmap, 1, 640);
  // 10 bursts: 640 / 25.6 = 25 ns + 100 ns latency.
  auto top = run_top(test_arch(), b.program());
  EXPECT_EQ(top->clock().cycle_of(top->controller().end_time()), 125);
  EXPECT_EQ(top->dram().counters().write_bytes, 640);
  EXPECT_EQ(top->dram().counters().read_bytes, 0);
  EXPECT_EQ(top->scratchpad(Buffer::kOfmap).counters().read_bytes, 640);
}

TEST(Dma, OutOfRangeScratchpadAccessIsAnInternalError) {
  SYSTOLE_SKIP_UNDER_ASAN_IF_SC_THROWS();
  const ArchSpec arch = test_arch();  // ifmap capacity 256 KiB = 262144 B
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 200, {}, 0, 262144 - 100);
  try {
    simulate(arch, b.program());
    FAIL() << "expected InternalError";
  } catch (const InternalError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("ifmap"), std::string::npos) << msg;
    EXPECT_NE(msg.find("262044"), std::string::npos) << msg;
    EXPECT_NE(msg.find("262144"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace systole
