// PeArray at tile fidelity: a MATMUL takes tile_timing cycles, plus a stall when the scratchpad
// ports cannot supply the tile's traffic in that time (never under SCALE-Sim counting).
#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/hw/simulate.h"
#include "systole/timing/array_timing.h"
#include "unit/hw/program_builder.h"

namespace systole {
namespace {

using hwtest::ProgramBuilder;
using hwtest::test_arch;

// WS on 32x32, m=64 n=32 k=32: Sr=k=32 -> 1 row fold, Sc=n=32 -> 1 col fold, T=m=64.
// Default microarchitecture: P + T + (F-1)*step + 1*S = 32 + 64 + 0 + (32+32-2) = 158.
constexpr int64_t kTileCycles = 158;

TEST(PeArray, SingleMatmulTakesTheClosedFormCycles) {
  const ArchSpec arch = test_arch();
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  const ArrayGeometry g{arch.core.array.rows, arch.core.array.cols, arch.core.array.microarch};
  ASSERT_EQ(tile_timing(g, b.program().instructions[0].matmul()).cycles, kTileCycles);
  const SimResult r = simulate(arch, b.program());
  EXPECT_EQ(r.total_cycles, kTileCycles);
  EXPECT_EQ(r.layers[0].cycles, kTileCycles);
  EXPECT_EQ(r.layers[0].compute_cycles, kTileCycles);
  EXPECT_EQ(r.layers[0].stall_cycles, 0);
  EXPECT_EQ(r.layers[0].macs, 64 * 32 * 32);
  EXPECT_DOUBLE_EQ(r.simulated_ns, 158.0);
  // Traffic (tile_traffic, WS): weights k*n = 1024 B, inputs ceil(n/C)*m*k = 2048 B, partial sums
  // written ceil(k/R)*m*n = 2048 x 4 B, read (ceil(k/R) - 1 + 0)*m*n = 0.
  EXPECT_EQ(r.layers[0].sram_reads_bytes, 1024 + 2048);
  EXPECT_EQ(r.layers[0].sram_writes_bytes, 2048 * 4);
}

TEST(PeArray, NarrowScratchpadPortStallsTheArray) {
  ArchSpec arch = test_arch();
  arch.core.scratchpads.ifmap.read_bytes_per_cycle = 1;  // 2048 ifmap bytes need 2048 cycles
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  const SimResult r = simulate(arch, b.program());
  EXPECT_EQ(r.total_cycles, 2048);
  EXPECT_EQ(r.layers[0].compute_cycles, kTileCycles);
  EXPECT_EQ(r.layers[0].stall_cycles, 2048 - kTileCycles);
  EXPECT_EQ(r.layers[0].array_busy_cycles, 2048);
}

TEST(PeArray, OfmapWritePortStallUsesAccumulatorBytes) {
  ArchSpec arch = test_arch();
  arch.core.scratchpads.ofmap.write_bytes_per_cycle = 16;  // 2048 partial sums x 4 B / 16 = 512 cycles
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  const SimResult r = simulate(arch, b.program());
  EXPECT_EQ(r.total_cycles, 512);
}

TEST(PeArray, ScaleSimCountingNeverStallsOnScratchpads) {
  ArchSpec arch = test_arch();
  arch.core.array.scalesim_compat = true;
  arch.core.array.microarch = ArrayMicroarch::scalesim();
  arch.core.scratchpads.ifmap.read_bytes_per_cycle = 1;
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  // SCALE-Sim: F * (2R + C + T - 2) = 1 * (64 + 32 + 64 - 2) = 158, no stall.
  const SimResult r = simulate(arch, b.program());
  EXPECT_EQ(r.total_cycles, 158);
  EXPECT_EQ(r.layers[0].stall_cycles, 0);
}

TEST(PeArray, NonIntegerClockPeriodKeepsExactCycles) {
  ArchSpec arch = test_arch();
  arch.core.clock_mhz = 700.0;  // 1428.571... ps per cycle
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  b.matmul(Dataflow::kOutputStationary, 40, 20, 100, {0});
  // OS m=40 n=20 k=100: Sr=40 -> 2 folds, Sc=20 -> 1, T=100, P=0: 0 + 100 + 1*100 + 62 = 262.
  const SimResult r = simulate(arch, b.program());
  EXPECT_EQ(r.total_cycles, 158 + 262);
  EXPECT_EQ(r.layers[0].compute_cycles, 158 + 262);
  EXPECT_NEAR(r.simulated_ns, (158 + 262) * 1000.0 / 700.0, 1e-3);
}

TEST(PeArray, EmptyTileIsRejectedAtElaboration) {
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 0, 32, 32);
  EXPECT_THROW(simulate(test_arch(), b.program()), InternalError);
}

}  // namespace
}  // namespace systole
