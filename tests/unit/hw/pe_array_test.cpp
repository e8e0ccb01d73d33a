// PeArray at tile fidelity: a MATMUL takes tile_timing cycles, plus a stall when the scratchpad
// ports cannot supply the tile's traffic in that time, plus the bank conflicts of its operand
// vectors (neither under SCALE-Sim counting).
#include <gtest/gtest.h>

#include "systole/array/array_timing.h"
#include "systole/common/error.h"
#include "systole/hw/core/simulate.h"
#include "unit/hw/program_builder.h"
#include "unit/hw/run_top.h"

namespace systole {
namespace {

using hwtest::ProgramBuilder;
using hwtest::run_top;

// test_arch with 32 banks x 4 B per scratchpad: a 32-element int32 partial-sum vector (128 B)
// and any contiguous operand vector of up to 128 B touch each bank at most once. The direct
// operand feeder charges bank conflicts (the staged default does not: see StagedFeeder below).
ArchSpec test_arch() {
  ArchSpec a = hwtest::test_arch();
  a.core.array.operand_feeder = OperandFeeder::kDirect;
  for (systole::ScratchpadParams* s :
       {&a.core.scratchpads.declare("ifmap"), &a.core.scratchpads.declare("weight"),
        &a.core.scratchpads.declare("ofmap")})
    s->banks = 32;
  return a;
}

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
  arch.core.scratchpads.declare("ifmap").read_bytes_per_cycle = 1;  // 2048 ifmap bytes need 2048 cycles
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  const SimResult r = simulate(arch, b.program());
  EXPECT_EQ(r.total_cycles, 2048);
  EXPECT_EQ(r.layers[0].compute_cycles, kTileCycles);
  EXPECT_EQ(r.layers[0].stall_cycles, 2048 - kTileCycles);
  EXPECT_EQ(r.layers[0].array_busy_cycles, 2048);
}

// 2048 ifmap + 1024 weight bytes through 1 B/cycle read ports: two scratchpads need
// max(2048, 1024) cycles, one unified scratchpad 2048 + 1024 (its write port, 1024 B/cycle, takes
// the 8192 partial-sum bytes in 8). One simulation per process: one test per placement.
SimResult run_narrow_read_ports(bool unified) {
  ArchSpec arch = test_arch();
  arch.core.scratchpads.declare("ifmap").read_bytes_per_cycle = 1;
  arch.core.scratchpads.declare("weight").read_bytes_per_cycle = 1;
  if (unified) {
    arch.core.scratchpads.declare("all") = {256, 1, 1024, 32, 4};
    arch.core.scratchpads.placement = {"all", "all", "all"};
  }
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  return simulate(arch, b.program());
}

TEST(PeArray, RolesInTheirOwnScratchpadsUseTheirOwnPorts) {
  const SimResult r = run_narrow_read_ports(false);
  EXPECT_EQ(r.total_cycles, 2048);
  EXPECT_EQ(r.scratchpads.size(), 3u);
}

TEST(PeArray, RolesSharingAScratchpadShareItsPorts) {
  const SimResult r = run_narrow_read_ports(true);
  EXPECT_EQ(r.total_cycles, 3072);
  ASSERT_EQ(r.scratchpads.size(), 1u);
  EXPECT_EQ(r.scratchpads[0].name, "all");
  EXPECT_EQ(r.scratchpads[0].read_bytes, 2048 + 1024) << "one module counts every role's traffic";
  EXPECT_EQ(r.scratchpads[0].write_bytes, 2048 * 4);
}

TEST(PeArray, OfmapWritePortStallUsesAccumulatorBytes) {
  ArchSpec arch = test_arch();
  arch.core.scratchpads.declare("ofmap").write_bytes_per_cycle =
      16;  // 2048 partial sums x 4 B / 16 = 512 cycles
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  const SimResult r = simulate(arch, b.program());
  EXPECT_EQ(r.total_cycles, 512);
}

TEST(PeArray, ScaleSimCountingNeverStallsOnScratchpads) {
  ArchSpec arch = test_arch();
  arch.core.array.scalesim_compat = true;
  arch.core.array.microarch = ArrayMicroarch::scalesim();
  arch.core.scratchpads.declare("ifmap").read_bytes_per_cycle = 1;
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

TEST(PeArray, BusyIsClosedFormPlusPortStallPlusBankConflicts) {
  ArchSpec arch = hwtest::test_arch();  // 16 banks x 4 B per scratchpad
  arch.core.array.operand_feeder = OperandFeeder::kDirect;
  arch.core.scratchpads.declare("ifmap").read_bytes_per_cycle = 8;
  // An ofmap port of 128 B per cycle in front of 16 banks x 4 B: wider than its banks.
  arch.core.scratchpads.declare("ofmap").read_bytes_per_cycle = 128;
  arch.core.scratchpads.declare("ofmap").write_bytes_per_cycle = 128;
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  const auto top = run_top(arch, b.program());
  const hw::InstructionRecord& rec = top->controller().records()[0];
  // Port stall: 2048 ifmap bytes / 8 B per cycle = 256 cycles > 158: 98 stall cycles.
  // Bank conflicts: dense operands. ifmap a[m][0..32) and weight rows w[k][0..32) are 32 int8 =
  // 8 words, no conflict; partial sums out[m][0..32) are 32 int32 = 32 words on 16 banks, 2 per
  // bank, through the port in one cycle: 1 conflict per vector, 64 vectors (T = m) written once
  // (one row fold), read never.
  const int64_t stall = 2048 / 8 - kTileCycles, conflicts = 64 * (32 / 16 - 1);
  EXPECT_EQ(rec.work_cycles, kTileCycles);
  EXPECT_EQ(rec.spm_stall_cycles, stall);
  EXPECT_EQ(rec.bank_conflict_cycles, conflicts);
  EXPECT_EQ(rec.busy_cycles, kTileCycles + stall + conflicts);
  EXPECT_EQ(rec.retire_cycle, kTileCycles + stall + conflicts);
  // Fill/drain = work - F * T = 158 - 1 * 64 (preload R + skew R + C - 2).
  EXPECT_EQ(rec.fill_drain_cycles, kTileCycles - 64);
  EXPECT_EQ(top->array().counters().bank_conflict_cycles, conflicts);

  const hw::ScratchpadCounters& of = top->scratchpad(Buffer::kOfmap).counters();
  EXPECT_EQ(of.write_accesses, 64 * 32);  // one word per int32
  EXPECT_EQ(of.read_accesses, 0);
  EXPECT_EQ(of.bank_conflict_cycles, conflicts);
  EXPECT_EQ(of.accumulator_rmw, 0);
  const hw::ScratchpadCounters& in = top->scratchpad(Buffer::kIfmap).counters();
  EXPECT_EQ(in.read_accesses, 64 * 32 / 4);  // 4 int8 per word
  EXPECT_EQ(in.read_bytes, 2048);
  EXPECT_EQ(in.bank_conflict_cycles, 0);
  EXPECT_EQ(top->scratchpad(Buffer::kWeight).counters().read_accesses, 32 * 32 / 4);
}

// A vector wider than its port takes the port's cycles, which the port stall charges; its banks
// need no more (16 banks x 4 B = the 64 B port), so that is no bank conflict as well.
TEST(PeArray, AVectorWiderThanItsPortCostsPortTimeNotBankConflicts) {
  ArchSpec arch = hwtest::test_arch();  // 16 banks x 4 B, 64 B ports
  arch.core.array.operand_feeder = OperandFeeder::kDirect;
  arch.core.scratchpads.declare("ofmap").write_bytes_per_cycle = 32;
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 32);
  const auto top = run_top(arch, b.program());
  const hw::InstructionRecord& rec = top->controller().records()[0];
  // 64 partial-sum vectors of 128 B through a 32 B port: 256 port cycles > 158, 98 stall; each
  // vector's banks need 2 cycles, fewer than its 4 port cycles.
  EXPECT_EQ(rec.spm_stall_cycles, 64 * 128 / 32 - kTileCycles);
  EXPECT_EQ(rec.bank_conflict_cycles, 0);
  EXPECT_EQ(top->scratchpad(Buffer::kOfmap).counters().write_accesses, 64 * 32);
}

TEST(PeArray, RowFoldsReadModifyWriteTheAccumulator) {
  ArchSpec arch = test_arch();
  arch.core.scratchpads.declare("ofmap").ports_per_bank = 2;
  arch.core.scratchpads.declare("ofmap").banks = 8;  // 32 words of a partial-sum vector: 4 per bank
  // Ports as wide as a vector (128 B): its banks' ceil(4 / 2) = 2 cycles are one beyond the port's.
  arch.core.scratchpads.declare("ofmap").read_bytes_per_cycle = 128;
  arch.core.scratchpads.declare("ofmap").write_bytes_per_cycle = 128;
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 10, 32, 96);  // k = 96: Fr = 3 row folds
  const auto top = run_top(arch, b.program());
  const hw::InstructionRecord& rec = top->controller().records()[0];
  // Each partial-sum vector: ceil(4 / 2) - 1 = 1 conflict; written Fr = 3 times and read
  // Fr - 1 = 2 times per m: (3 + 2) * 10 vectors.
  const int64_t conflicts = (3 + 2) * 10 * (4 / 2 - 1);
  EXPECT_EQ(rec.bank_conflict_cycles, conflicts);
  EXPECT_EQ(rec.busy_cycles, rec.work_cycles + rec.spm_stall_cycles + conflicts);
  const hw::ScratchpadCounters& of = top->scratchpad(Buffer::kOfmap).counters();
  EXPECT_EQ(of.accumulator_rmw, (3 - 1) * 10 * 32);
  EXPECT_EQ(of.read_accesses, (3 - 1) * 10 * 32);
  EXPECT_EQ(of.write_accesses, 3 * 10 * 32);
}

// WS m=8 n=32 k=4 with the weights stored transposed ([n][k], as the compiler stores conv
// weights) with a column stride of 32 B: the preload row w[k][0..32) is the int8 bytes k + 32 n,
// i.e. words 8 n (the 4 values of k share a word).
Program transposed_weight_tile() {
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 32, 4);
  Program p = b.program();
  MatmulOp& op = std::get<MatmulOp>(p.instructions[0].payload);
  op.weight_layout.row_stride = 1;
  op.weight_layout.col_stride = 32;
  return p;
}

TEST(PeArray, TransposedWeightsConflictUnderInterleaving) {
  ArchSpec arch = test_arch();
  arch.core.scratchpads.declare("weight").banks = 16;
  const auto top = run_top(arch, transposed_weight_tile());
  // Words 8 n mod 16: banks 0 and 8, 16 words each: 15 conflicts per preload row, 4 rows.
  EXPECT_EQ(top->controller().records()[0].bank_conflict_cycles, 4 * (16 - 1));
  EXPECT_EQ(top->scratchpad(Buffer::kWeight).counters().read_accesses, 4 * 32);
}

TEST(PeArray, XorMappingSpreadsTransposedWeights) {
  ArchSpec arch = test_arch();
  arch.core.scratchpads.declare("weight").banks = 16;
  arch.core.scratchpads.declare("weight").bank_mapping = BankMapping::kXor;
  const auto top = run_top(arch, transposed_weight_tile());
  // Word 8 n: (8 n mod 16) xor (n / 2 mod 16) = 8 (n mod 2) xor (n / 2): for n < 32 every bank
  // exactly twice: 1 conflict per preload row.
  EXPECT_EQ(top->controller().records()[0].bank_conflict_cycles, 4 * (2 - 1));
}

TEST(PeArray, StagedFeederCountsPackedWordsAndChargesNoConflicts) {
  ArchSpec arch = test_arch();
  arch.core.scratchpads.declare("weight").banks = 16;
  arch.core.array.operand_feeder = OperandFeeder::kStaged;
  const auto top = run_top(arch, transposed_weight_tile());
  // The same tile as TransposedWeightsConflictUnderInterleaving: the staging buffers read each
  // 32-byte preload row as 8 packed words (not the 32 words its bytes are spread over) and absorb
  // the 60 conflict cycles.
  EXPECT_EQ(top->controller().records()[0].bank_conflict_cycles, 0);
  EXPECT_EQ(top->scratchpad(Buffer::kWeight).counters().read_accesses, 4 * 8);
  EXPECT_EQ(top->scratchpad(Buffer::kWeight).counters().bank_conflict_cycles, 0);
}

TEST(PeArray, EmptyTileIsRejectedAtElaboration) {
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 0, 32, 32);
  EXPECT_THROW(simulate(test_arch(), b.program()), InternalError);
}

}  // namespace
}  // namespace systole
