// The attribution rule (sim_result.h) on hand-made records: no simulation involved.
#include "systole/stats/attribution.h"

#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "unit/hw/program_builder.h"

namespace systole::hw {
namespace {

InstructionRecord rec(int64_t issue, int64_t retire, int64_t work_start = 0, int64_t work = 0) {
  InstructionRecord r;
  r.issue_cycle = issue;
  r.retire_cycle = retire;
  r.work_start_cycle = work_start;
  r.work_cycles = work;
  r.busy_cycles = retire - issue;
  return r;
}

// Three layers; layer 1 has no compute instruction. Stream:
//   0 LOAD  L0  [0, 10)
//   1 MATMUL L0 [10, 50)  (work 40)
//   2 LOAD  L2  [10, 30)
//   3 MATMUL L2 [50, 80)  (work 30)
//   4 VECTOR L2 [60, 70)  (work 10, overlaps the MATMUL: counted once)
//   5 STORE L2  [80, 95)  trailing store: the last layer runs to the end (100)
struct Fixture {
  Program program;
  std::vector<InstructionRecord> records;
  Fixture() {
    hwtest::ProgramBuilder b(3);
    b.load(Buffer::kIfmap, 1, 64, {}, 0);
    b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {0}, 0);
    b.load(Buffer::kWeight, 1, 64, {}, 2);
    b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {1, 2}, 2);
    b.vector(8, 1, {}, 2);
    b.store(Buffer::kOfmap, 1, 64, {3}, 2);
    program = b.program();
    records = {rec(0, 10),          rec(10, 50, 10, 40), rec(10, 30),
               rec(50, 80, 50, 30), rec(60, 70, 60, 10), rec(80, 95)};
    records[1].macs = 1000;
    records[3].macs = 600;
    records[0].dram_read_bytes = 64;
    records[2].dram_read_bytes = 32;
    records[5].dram_write_bytes = 16;
    records[4].vector_ops = 8;
  }
};

TEST(Attribution, BoundariesAreMonotonicAndTheLastLayerRunsToTheEnd) {
  Fixture f;
  const std::vector<int64_t> b = layer_boundaries(f.program, f.records, 100);
  // B0 = latest compute retire of L0 = 50; L1 has none -> 50; last layer -> total 100.
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0], 50);
  EXPECT_EQ(b[1], 50);
  EXPECT_EQ(b[2], 100);
}

TEST(Attribution, LayersSumToTotalAndEmptyLayerGetsZero) {
  Fixture f;
  const SimResult r = attribute(f.program, f.records, 100, 100.0, 4);
  ASSERT_EQ(r.layers.size(), 3u);
  EXPECT_EQ(r.layers[0].cycles, 50);
  EXPECT_EQ(r.layers[1].cycles, 0);
  EXPECT_EQ(r.layers[1].compute_cycles, 0);
  EXPECT_EQ(r.layers[1].instructions, 0);
  EXPECT_EQ(r.layers[2].cycles, 50);
  EXPECT_EQ(r.layers[0].cycles + r.layers[1].cycles + r.layers[2].cycles, r.total_cycles);
  EXPECT_EQ(r.total.cycles, 100);
  // L0 window [0, 50): MATMUL work [10, 50) -> 40 compute, 10 stall (the first load).
  EXPECT_EQ(r.layers[0].compute_cycles, 40);
  EXPECT_EQ(r.layers[0].stall_cycles, 10);
  // L2 window [50, 100): union of [50, 80) and [60, 70) = 30; 20 stall (the store and the tail).
  EXPECT_EQ(r.layers[2].compute_cycles, 30);
  EXPECT_EQ(r.layers[2].stall_cycles, 20);
  EXPECT_EQ(r.total.compute_cycles, 70);
  EXPECT_EQ(r.total.stall_cycles, 30);
}

TEST(Attribution, EveryCycleOfEachLayerHasOneCause) {
  Fixture f;
  const SimResult r = attribute(f.program, f.records, 100, 100.0, 4);
  // L0 [0, 50): MATMUL 1 waits for LOAD 0 (no first-data cycle: no latency part) -> 10 DRAM
  // bandwidth; then 40 compute (no fill/drain recorded).
  EXPECT_EQ(r.layers[0].breakdown.dram_bandwidth, 10);
  EXPECT_EQ(r.layers[0].breakdown.compute, 40);
  EXPECT_EQ(r.layers[0].breakdown.sum(), r.layers[0].cycles);
  EXPECT_EQ(r.layers[1].breakdown.sum(), 0);
  // L2 [50, 100): MATMUL 3 (the VECTOR inside it counts once) 30 compute; no compute starts after
  // 80: the STORE in flight [80, 95) is DRAM bandwidth, [95, 100) idle.
  EXPECT_EQ(r.layers[2].breakdown.compute, 30);
  EXPECT_EQ(r.layers[2].breakdown.dram_bandwidth, 95 - 80);
  EXPECT_EQ(r.layers[2].breakdown.idle, 100 - 95);
  EXPECT_EQ(r.layers[2].breakdown.sum(), r.layers[2].cycles);
  EXPECT_EQ(r.total.breakdown.compute, 70);
  EXPECT_EQ(r.total.breakdown.dram_bandwidth, 25);
  EXPECT_EQ(r.total.breakdown.idle, 5);
  EXPECT_EQ(r.total.breakdown.sum(), 100);
}

TEST(Attribution, BytesAndCountsFollowTheInstructionsLayer) {
  Fixture f;
  const SimResult r = attribute(f.program, f.records, 100, 100.0, 4);
  EXPECT_EQ(r.layers[0].dram_reads_bytes, 64);
  EXPECT_EQ(r.layers[2].dram_reads_bytes, 32);  // the L2 load ran inside L0's window
  EXPECT_EQ(r.layers[2].dram_writes_bytes, 16);
  EXPECT_EQ(r.layers[0].macs, 1000);
  EXPECT_EQ(r.layers[2].macs, 600);
  EXPECT_EQ(r.layers[2].vector_ops, 8);
  EXPECT_EQ(r.total.macs, 1600);
  EXPECT_EQ(r.layers[0].instructions, 2);
  EXPECT_EQ(r.layers[2].instructions, 4);
  EXPECT_EQ(r.layers[0].array_busy_cycles, 40);
  EXPECT_EQ(r.layers[2].array_busy_cycles, 30);
  EXPECT_EQ(r.layers[2].vector_busy_cycles, 10);
  EXPECT_EQ(r.layers[2].dma_busy_cycles, 20 + 15);
  // utilization = macs / (cycles * pes): 1000 / (50 * 4) = 5 (pes = 4 only to make it checkable).
  EXPECT_DOUBLE_EQ(r.layers[0].utilization, 5.0);
  EXPECT_DOUBLE_EQ(r.layers[1].utilization, 0.0);
  EXPECT_DOUBLE_EQ(r.total.utilization, 1600.0 / 400.0);
  EXPECT_DOUBLE_EQ(r.simulated_ns, 100.0);
}

TEST(Attribution, ComputeCyclesInAWindowCountOverlapOnce) {
  Fixture f;
  EXPECT_EQ(compute_cycles_in(f.program, f.records, 0, 100), 70);
  EXPECT_EQ(compute_cycles_in(f.program, f.records, 45, 65), 5 + 15);
  EXPECT_EQ(compute_cycles_in(f.program, f.records, 80, 100), 0);
}

TEST(Attribution, ARetireAfterTheEndIsABug) {
  Fixture f;
  EXPECT_THROW(layer_boundaries(f.program, f.records, 90), InternalError);
  f.records.pop_back();
  EXPECT_THROW(attribute(f.program, f.records, 100, 100.0, 4), InternalError);
}

TEST(Attribution, LayerBoundaryNeverMovesBackwards) {
  // L1's compute retires before L0's: B1 stays at B0, so L1 gets 0 cycles, never negative.
  hwtest::ProgramBuilder b(3);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {}, 0);
  b.vector(8, 1, {}, 1);
  b.vector(8, 1, {}, 2);
  std::vector<InstructionRecord> records = {rec(0, 40, 0, 40), rec(0, 20, 0, 20), rec(40, 60, 40, 20)};
  const std::vector<int64_t> bounds = layer_boundaries(b.program(), records, 60);
  EXPECT_EQ(bounds, (std::vector<int64_t>{40, 40, 60}));
  const SimResult r = attribute(b.program(), records, 60, 60.0, 1);
  EXPECT_EQ(r.layers[1].cycles, 0);
  EXPECT_EQ(r.layers[0].compute_cycles, 40);
}

TEST(Attribution, DataMovementLayerEndsWithItsLastInstruction) {
  // L1 only moves data (a concat: LOAD into the ifmap scratchpad, STORE out of it): it ends with
  // its STORE at 75, so its DMA time is its own and not the stall of L2.
  hwtest::ProgramBuilder b(3);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {}, 0);
  b.load(Buffer::kIfmap, 1, 64, {0}, 1);
  b.store(Buffer::kIfmap, 1, 64, {1}, 1);
  b.vector(8, 1, {2}, 2);
  std::vector<InstructionRecord> records = {rec(0, 50, 0, 50), rec(50, 60), rec(60, 75), rec(75, 90, 75, 15)};
  const std::vector<int64_t> bounds = layer_boundaries(b.program(), records, 100);
  EXPECT_EQ(bounds, (std::vector<int64_t>{50, 75, 100}));
  const SimResult r = attribute(b.program(), records, 100, 100.0, 1);
  EXPECT_EQ(r.layers[1].cycles, 25);
  EXPECT_EQ(r.layers[1].compute_cycles, 0);
  EXPECT_EQ(r.layers[1].stall_cycles, 25);
  EXPECT_EQ(r.layers[2].cycles, 25);
  EXPECT_EQ(r.layers[0].cycles + r.layers[1].cycles + r.layers[2].cycles, 100);
}

}  // namespace
}  // namespace systole::hw
