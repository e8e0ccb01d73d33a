// Dma + DRAM channel through NpuTop: descriptor timing on simple and ideal DRAM, burst pipelining,
// the scratchpad port overlapping the DRAM side, and scratchpad range checks. Dma alone against a
// scripted DRAM (dma_harness.h): 3-D burst addresses, in-order vs out-of-order completion, the
// bound on outstanding bursts.
#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/hw/core/simulate.h"
#include "unit/hw/dma_harness.h"
#include "unit/hw/program_builder.h"
#include "unit/hw/run_top.h"

namespace systole {
namespace {

using hwtest::dma_instruction;
using hwtest::dma_params;
using hwtest::DmaHarness;
using hwtest::ProgramBuilder;
using hwtest::run_top;
using hwtest::ScriptedDram;
using hwtest::test_arch;
using sc_core::SC_NS;
using sc_core::sc_time;

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
  // LOAD: ceil(4096 / 64 write B/cycle) = 64 beats + write latency; STORE: ceil(1000 / 64 read
  // B/cycle) = 16 beats + read latency (the 16 x 4 B banks take a 64 B beat without conflicts).
  const SimResult r = simulate(arch, b.program());
  EXPECT_EQ(r.total_cycles, 64 + arch.core.scratchpads.declare("ifmap").write_latency_cycles + 16 +
                                arch.core.scratchpads.declare("ofmap").read_latency_cycles);
  EXPECT_EQ(r.total.dram_writes_bytes, 1000);
  EXPECT_EQ(r.total.sram_reads_bytes, 1000);
}

TEST(Dma, SlowScratchpadPortDominatesFastDram) {
  ArchSpec arch = test_arch();
  arch.core.scratchpads.declare("ifmap").write_bytes_per_cycle = 8;  // 4096 / 8 = 512 beats > 260 cycles
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 4096);
  EXPECT_EQ(simulate(arch, b.program()).total_cycles,
            512 + arch.core.scratchpads.declare("ifmap").write_latency_cycles);
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

TEST(Dma, FirstDataCycleIsTheFirstBurstCompletion) {
  ArchSpec arch = test_arch();
  arch.core.dma.max_outstanding = 1;
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 128);
  auto top = run_top(arch, b.program());
  // Burst 0: 64 B / 25.6 GB/s = 2.5 ns + 100 ns = 102.5 ns -> cycle 103 (rounded up).
  EXPECT_EQ(top->controller().records()[0].first_data_cycle, 103);
}

TEST(Dma, ThreeDimensionalDescriptorBecomesRowBoundedBursts) {
  ScriptedDram dram("dram", [](size_t, uint64_t) { return sc_time(10, SC_NS); });
  DmaDescriptor d;
  d.buffer = Buffer::kWeight;
  d.dram_addr = 0x1000;
  d.planes = 2;
  d.rows = 3;
  d.row_bytes = 100;
  d.row_stride_bytes = 256;
  d.plane_stride_bytes = 4096;
  DmaHarness h("h", dma_params(64, 64, DmaCompletion::kInOrder), dram.request,
               {dma_instruction(0, Opcode::kLoad, d)});
  sc_core::sc_start();
  // Each 100 B row: a 64 B burst and a 36 B burst; 2 planes x 3 rows x 2 = 12 bursts, walked
  // plane, row, offset.
  ASSERT_EQ(dram.submitted.size(), 12u);
  size_t i = 0;
  for (uint64_t p = 0; p < 2; ++p) {
    for (uint64_t r = 0; r < 3; ++r) {
      for (uint64_t off : {0, 64}) {
        EXPECT_EQ(dram.submitted[i].address, 0x1000 + p * 4096 + r * 256 + off) << i;
        EXPECT_EQ(dram.submitted[i].length, off == 0 ? 64u : 36u) << i;
        EXPECT_FALSE(dram.submitted[i].write);
        EXPECT_EQ(dram.submitted[i].arrival, sc_core::SC_ZERO_TIME) << "all fit in 64 slots";
        ++i;
      }
    }
  }
  EXPECT_EQ(h.dma.counters().bursts, 12);
  ASSERT_EQ(h.retired.size(), 1u);
  EXPECT_EQ(h.retired[0].at, sc_time(10, SC_NS));
  EXPECT_EQ(h.retired[0].record.first_data_cycle, 10);
}

TEST(Dma, IndexedLoadBurstsGoToTheAssumedRowsOneRowPerLookup) {
  // A gather of 3 lookups of 100 B rows: the DMA reads 3 x 4 B of indices from the ifmap
  // scratchpad, then each row is its own DRAM row (a 64 B and a 36 B burst) at the descriptor's
  // addresses: the timing is the same whatever the indices are.
  ScriptedDram dram("dram", [](size_t, uint64_t) { return sc_time(10, SC_NS); });
  DmaDescriptor d;
  d.buffer = Buffer::kOfmap;
  d.dram_addr = 0x2000;
  d.rows = 3;
  d.row_bytes = 100;
  d.row_stride_bytes = 100;
  d.indexed = true;
  d.index_buffer = Buffer::kIfmap;
  d.table_addr = 0x2000;
  d.table_rows = 1000;
  EXPECT_EQ(coalesced(d).rows, 3u);  // never merged into one long row
  DmaHarness h("h", dma_params(64, 64, DmaCompletion::kInOrder), dram.request,
               {dma_instruction(0, Opcode::kLoad, d)});
  sc_core::sc_start();
  ASSERT_EQ(dram.submitted.size(), 6u);
  for (uint64_t i = 0; i < 6; ++i) {
    EXPECT_EQ(dram.submitted[i].address, 0x2000 + (i / 2) * 100 + (i % 2) * 64) << i;
    EXPECT_FALSE(dram.submitted[i].write);
  }
  ASSERT_EQ(h.retired.size(), 1u);
  EXPECT_EQ(h.retired[0].record.dram_read_bytes, 300);
  EXPECT_EQ(h.retired[0].record.sram_write_bytes, 300);
  EXPECT_EQ(h.retired[0].record.sram_read_bytes, 12);  // the indices
}

// Four 64 B bursts, two slots; burst 0 takes 100 ns, every other 10 ns.
//   out_of_order: t=0 issue b0 (done 100), b1 (done 10); b1 done at 10 frees its slot -> b2 at 10
//     (done 20) -> b3 at 20 (done 30); the descriptor ends with b0 at 100.
//   in_order: b1 completes at 10 but waits behind b0; both retire at 100, so b2 and b3 issue at
//     100 and complete at 110.
TEST(Dma, OutOfOrderCompletionFreesSlotsBehindASlowBurst) {
  auto latency = [](size_t k, uint64_t) { return sc_time(k == 0 ? 100 : 10, SC_NS); };
  ScriptedDram dram_in("dram_in", latency), dram_out("dram_out", latency);
  DmaDescriptor d;
  d.rows = 1;
  d.row_bytes = 256;
  DmaHarness in_order("in_order", dma_params(2, 64, DmaCompletion::kInOrder), dram_in.request,
                      {dma_instruction(0, Opcode::kLoad, d)});
  DmaHarness out_of_order("out_of_order", dma_params(2, 64, DmaCompletion::kOutOfOrder), dram_out.request,
                          {dma_instruction(0, Opcode::kLoad, d)});
  sc_core::sc_start();
  ASSERT_EQ(in_order.retired.size(), 1u);
  ASSERT_EQ(out_of_order.retired.size(), 1u);
  EXPECT_EQ(in_order.retired[0].at, sc_time(110, SC_NS));
  EXPECT_EQ(out_of_order.retired[0].at, sc_time(100, SC_NS));
  std::vector<sc_time> issue_in, issue_out;
  for (const auto& s : dram_in.submitted) issue_in.push_back(s.arrival);
  for (const auto& s : dram_out.submitted) issue_out.push_back(s.arrival);
  const sc_time t0 = sc_core::SC_ZERO_TIME;
  EXPECT_EQ(issue_in, (std::vector<sc_time>{t0, t0, sc_time(100, SC_NS), sc_time(100, SC_NS)}));
  EXPECT_EQ(issue_out, (std::vector<sc_time>{t0, t0, sc_time(10, SC_NS), sc_time(20, SC_NS)}));
  EXPECT_EQ(in_order.retired[0].record.first_data_cycle, 10);  // b1, even though it retires later
  EXPECT_EQ(out_of_order.retired[0].record.first_data_cycle, 10);
  EXPECT_EQ(in_order.retired[0].record.busy_cycles, 110);
}

// Latencies drawn from a fixed LCG (10..209 ns): out of order never finishes later than in
// order, and neither ever has more than max_outstanding bursts in the DRAM.
TEST(Dma, OutstandingBurstsStayWithinTheWindowAndOutOfOrderIsNeverSlower) {
  auto latency = [](size_t k, uint64_t) {
    uint64_t x = 0x9E3779B97F4A7C15ull * (k + 1);
    x ^= x >> 29;
    return sc_time(static_cast<double>(10 + x % 200), SC_NS);
  };
  ScriptedDram dram_in("dram_in", latency), dram_out("dram_out", latency);
  DmaDescriptor load;
  load.rows = 5;
  load.row_bytes = 512;
  load.row_stride_bytes = 1024;
  DmaDescriptor store = load;
  store.buffer = Buffer::kOfmap;
  store.dram_addr = 1 << 20;
  const std::vector<Instruction> program{dma_instruction(0, Opcode::kLoad, load),
                                         dma_instruction(1, Opcode::kStore, store)};
  DmaHarness in_order("in_order", dma_params(3, 64, DmaCompletion::kInOrder), dram_in.request, program);
  DmaHarness out_of_order("out_of_order", dma_params(3, 64, DmaCompletion::kOutOfOrder), dram_out.request,
                          program);
  sc_core::sc_start();
  ASSERT_EQ(in_order.retired.size(), 2u);
  ASSERT_EQ(out_of_order.retired.size(), 2u);
  // 2 descriptors x 5 rows x 512 / 64 = 80 bursts.
  EXPECT_EQ(dram_in.submitted.size(), 80u);
  EXPECT_EQ(in_order.dma.counters().bursts, 80);
  EXPECT_EQ(dram_in.max_outstanding_seen, 3u);
  EXPECT_EQ(dram_out.max_outstanding_seen, 3u);
  EXPECT_EQ(in_order.dma.counters().max_in_flight, 3);
  EXPECT_EQ(out_of_order.dma.counters().max_in_flight, 3);
  EXPECT_LE(out_of_order.retired[0].at, in_order.retired[0].at);
  EXPECT_LE(out_of_order.retired[1].at, in_order.retired[1].at);
  EXPECT_LT(out_of_order.retired[1].at, in_order.retired[1].at) << "these latencies reorder";
  EXPECT_TRUE(dram_in.submitted.back().write);
}

}  // namespace
}  // namespace systole
