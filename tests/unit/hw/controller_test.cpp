// Controller: dependencies, per-unit in-order queues, overlap of DMA and compute (double
// buffering), SYNC, vector timing, and hang detection.
#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/hw/core/simulate.h"
#include "unit/hw/program_builder.h"
#include "unit/hw/run_top.h"

namespace systole {
namespace {

using hwtest::ProgramBuilder;
using hwtest::run_top;
using hwtest::test_arch;

// test_arch: a 4096 B LOAD takes 260 cycles (100 ns latency + 160 ns at 25.6 GB/s, 1 ns cycles);
// a WS m=64 n=32 k=32 MATMUL on 32x32 takes 158 cycles (pe_array_test.cpp).
constexpr int64_t kLoad = 260;
constexpr int64_t kTile = 158;

TEST(Controller, MatmulNeverStartsBeforeItsLoadRetires) {
  ProgramBuilder b;
  const uint32_t ld = b.load(Buffer::kIfmap, 1, 4096);
  const uint32_t mm = b.matmul(Dataflow::kWeightStationary, 64, 32, 32, {ld});
  auto top = run_top(test_arch(), b.program());
  const auto& rec = top->controller().records();
  EXPECT_EQ(rec[ld].issue_cycle, 0);
  EXPECT_EQ(rec[ld].retire_cycle, kLoad);
  EXPECT_GE(rec[mm].issue_cycle, rec[ld].retire_cycle);
  EXPECT_EQ(rec[mm].work_start_cycle, kLoad);
  EXPECT_EQ(rec[mm].retire_cycle, kLoad + kTile);
}

TEST(Controller, IndependentInstructionsOnDifferentUnitsOverlap) {
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 4096);
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);  // no dependency: starts at 0 beside the load
  const SimResult r = simulate(test_arch(), b.program());
  EXPECT_EQ(r.total_cycles, std::max(kLoad, kTile));
}

TEST(Controller, DoubleBufferedLoadOverlapsThePreviousMatmul) {
  ProgramBuilder b;
  const uint32_t l0 = b.load(Buffer::kIfmap, 1, 4096, {}, 0, 0);
  const uint32_t m0 = b.matmul(Dataflow::kWeightStationary, 64, 32, 32, {l0});
  const uint32_t l1 = b.load(Buffer::kIfmap, 1, 4096, {}, 0, 65536);  // second half of the buffer
  const uint32_t m1 = b.matmul(Dataflow::kWeightStationary, 64, 32, 32, {l1, m0});
  auto top = run_top(test_arch(), b.program());
  const auto& rec = top->controller().records();
  // L0 [0, 260), M0 [260, 418) while L1 runs [260, 520), M1 [520, 678).
  EXPECT_EQ(rec[l1].issue_cycle, kLoad);
  EXPECT_LT(rec[l1].issue_cycle, rec[m0].retire_cycle);
  EXPECT_EQ(rec[m1].retire_cycle, 2 * kLoad + kTile);
  EXPECT_LT(rec[m1].retire_cycle, 2 * kLoad + 2 * kTile);
}

TEST(Controller, UnitsExecuteTheirQueueInStreamOrder) {
  // The second MATMUL has no dependency but sits behind the first in the array's queue.
  ProgramBuilder b;
  const uint32_t ld = b.load(Buffer::kIfmap, 1, 4096);
  const uint32_t m0 = b.matmul(Dataflow::kWeightStationary, 64, 32, 32, {ld});
  const uint32_t m1 = b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  auto top = run_top(test_arch(), b.program());
  const auto& rec = top->controller().records();
  EXPECT_EQ(rec[m1].issue_cycle, rec[m0].retire_cycle);
  EXPECT_EQ(rec[m1].retire_cycle, kLoad + 2 * kTile);
}

TEST(Controller, SyncRetiresWhenItsDependenciesHave) {
  ProgramBuilder b;
  const uint32_t ld = b.load(Buffer::kIfmap, 1, 4096);
  const uint32_t mm = b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  const uint32_t sy = b.sync({ld, mm});
  const uint32_t v = b.vector(320, 1, {sy});
  auto top = run_top(test_arch(), b.program());
  const auto& rec = top->controller().records();
  EXPECT_EQ(rec[sy].retire_cycle, kLoad);
  EXPECT_EQ(rec[v].work_start_cycle, kLoad);
  EXPECT_EQ(rec[v].retire_cycle, kLoad + 10);  // 320 elements / 32 lanes
}

TEST(Controller, VectorCyclesAreElementsTimesOpsOverLanes) {
  ArchSpec arch = test_arch();
  arch.core.vector.lanes = 16;
  ProgramBuilder b;
  b.vector(1000, 3);     // ceil(3000 / 16) = 188
  b.vector(17, 1, {0});  // ceil(17 / 16) = 2
  const SimResult r = simulate(arch, b.program());
  EXPECT_EQ(r.total_cycles, 188 + 2);
  EXPECT_EQ(r.layers[0].compute_cycles, 190);
  EXPECT_EQ(r.layers[0].vector_ops, 3017);
  EXPECT_EQ(r.layers[0].vector_busy_cycles, 190);
  EXPECT_EQ(r.layers[0].sram_reads_bytes, (1000 + 17) * 4);
}

TEST(Controller, DependencyOnAnInstructionQueuedBehindIsReportedNotHung) {
  SYSTOLE_SKIP_UNDER_ASAN_IF_SC_THROWS();
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64, {1});  // waits on the next LOAD, which waits behind it
  b.load(Buffer::kWeight, 1, 64);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {0});
  try {
    simulate(test_arch(), b.program());
    FAIL() << "expected InternalError";
  } catch (const InternalError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("deadlock"), std::string::npos) << msg;
    EXPECT_NE(msg.find("dma queue head: instruction 0 (LOAD, layer 0) waits on [1]"), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("array queue head: instruction 2 (MATMUL, layer 0) waits on [0]"), std::string::npos)
        << msg;
  }
}

TEST(Controller, DependencyOutOfRangeIsRejected) {
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64, {7});
  EXPECT_THROW(simulate(test_arch(), b.program()), InternalError);
}

TEST(Controller, EmptyProgramTakesNoTime) {
  ProgramBuilder b(0);
  const SimResult r = simulate(test_arch(), b.program());
  EXPECT_EQ(r.total_cycles, 0);
  EXPECT_TRUE(r.layers.empty());
}

}  // namespace
}  // namespace systole
