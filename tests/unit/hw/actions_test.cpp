// The priced actions (InstructionRecord::actions, LayerStats::actions): register shifts per
// dataflow by enumerating the folds, a LOAD's and a STORE's bursts and bank accesses, and the
// per-layer sums against the scratchpads' whole-run counters.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "systole/array/array_timing.h"
#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/hw/array/pe_array.h"
#include "systole/hw/core/simulate.h"
#include "systole/stats/attribution.h"
#include "systole/workload/loader.h"
#include "unit/hw/program_builder.h"
#include "unit/hw/run_top.h"

namespace systole {
namespace {

using hwtest::ProgramBuilder;
using hwtest::run_top;
using hwtest::test_arch;

MatmulOp matmul(Dataflow d, uint64_t m, uint64_t n, uint64_t k) {
  MatmulOp op;
  op.dataflow = d;
  op.m = m;
  op.n = n;
  op.k = k;
  return op;
}

// Fold sizes of a dimension of `size` on `pes` PEs: full folds, then the remainder.
std::vector<int64_t> folds_of(int64_t size, int64_t pes) {
  std::vector<int64_t> out;
  for (int64_t done = 0; done < size; done += pes) out.push_back(std::min(pes, size - done));
  return out;
}

// The hop count by walking every fold (r rows, c columns) and every element, independent of the
// closed form: streamed along the rows (q = c PEs: c - 1 hops), streamed down the columns
// (r - 1 hops), the stationary block (row i: i hops, 0 + 1 + ... + r - 1 per column).
struct Hops {
  int64_t along_rows = 0, down_cols = 0, block = 0;
};
Hops walk(int64_t sr, int64_t sc, int64_t t, int64_t rows, int64_t cols) {
  Hops h;
  for (int64_t r : folds_of(sr, rows)) {
    for (int64_t c : folds_of(sc, cols)) {
      for (int64_t step = 0; step < t; ++step) {
        for (int64_t i = 0; i < r; ++i) h.along_rows += c - 1;
        for (int64_t j = 0; j < c; ++j) h.down_cols += r - 1;
      }
      for (int64_t j = 0; j < c; ++j)
        for (int64_t i = 0; i < r; ++i) h.block += i;
    }
  }
  return h;
}

// 4 x 4 array, m = 5, n = 6, k = 7: no dimension divides into whole folds.
const ArrayGeometry kSmall{4, 4, ArrayMicroarch{}};
constexpr int64_t kIn = 1, kW = 2, kAcc = 4;  // element bytes, all different

TEST(RegisterShifts, WeightStationaryByHand) {
  // WS: Sr = k = 7 -> row folds 4, 3; Sc = n = 6 -> column folds 4, 2; T = m = 5.
  // Inputs along the rows: T * sum r*(c-1) = 5 * (4*3 + 4*1 + 3*3 + 3*1) = 5 * 28 = 140 x 1 B.
  // Partial sums down the columns: T * sum c*(r-1) = 5 * (4*3 + 2*3 + 4*2 + 2*2) = 5 * 30 = 150 x 4 B.
  // Weights preloaded: sum c * r(r-1)/2 = 4*6 + 2*6 + 4*3 + 2*3 = 54 x 2 B.
  const int64_t expected = 140 * kIn + 150 * kAcc + 54 * kW;
  EXPECT_EQ(expected, 848);
  const MatmulOp op = matmul(Dataflow::kWeightStationary, 5, 6, 7);
  EXPECT_EQ(hw::register_shift_bytes(kSmall, op, kIn, kW, kAcc), expected);
  const Hops h = walk(7, 6, 5, 4, 4);
  EXPECT_EQ(h.along_rows, 140);
  EXPECT_EQ(h.down_cols, 150);
  EXPECT_EQ(h.block, 54);
  // A later chunk of a split stream does not preload again.
  MatmulOp later = op;
  later.stream_first = false;
  EXPECT_EQ(hw::register_shift_bytes(kSmall, later, kIn, kW, kAcc), 140 * kIn + 150 * kAcc);
}

TEST(RegisterShifts, InputStationaryStreamsWeightsAndPreloadsInputs) {
  // IS: Sr = k = 7, Sc = m = 5, T = n = 6.
  const Hops h = walk(7, 5, 6, 4, 4);
  const MatmulOp op = matmul(Dataflow::kInputStationary, 5, 6, 7);
  EXPECT_EQ(hw::register_shift_bytes(kSmall, op, kIn, kW, kAcc),
            h.along_rows * kW + h.down_cols * kAcc + h.block * kIn);
  // Hand: rows 4, 3; columns 4, 1. along = 6 * (4*3 + 4*0 + 3*3 + 3*0) = 126; down = 6 * (4*3 +
  // 1*3 + 4*2 + 1*2) = 150; block = 4*6 + 1*6 + 4*3 + 1*3 = 45.
  EXPECT_EQ(h.along_rows, 126);
  EXPECT_EQ(h.down_cols, 150);
  EXPECT_EQ(h.block, 45);
}

TEST(RegisterShifts, OutputStationaryDrainsOutputsOnTheLastChunk) {
  // OS: Sr = m = 5, Sc = n = 6, T = k = 7.
  const Hops h = walk(5, 6, 7, 4, 4);
  const MatmulOp op = matmul(Dataflow::kOutputStationary, 5, 6, 7);
  EXPECT_EQ(hw::register_shift_bytes(kSmall, op, kIn, kW, kAcc),
            h.along_rows * kIn + h.down_cols * kW + h.block * kAcc);
  // Hand: rows 4, 1; columns 4, 2. along = 7 * (4*3 + 4*1 + 1*3 + 1*1) = 140; down = 7 * (4*3 +
  // 2*3 + 4*0 + 2*0) = 126; block = 4*6 + 2*6 + 0 + 0 = 36.
  EXPECT_EQ(h.along_rows, 140);
  EXPECT_EQ(h.down_cols, 126);
  EXPECT_EQ(h.block, 36);
  MatmulOp first = op;
  first.stream_last = false;
  EXPECT_EQ(hw::register_shift_bytes(kSmall, first, kIn, kW, kAcc), 140 * kIn + 126 * kW);
}

TEST(Actions, LoadAndStoreCountBurstsAndBankWords) {
  // test_arch: 64 B bursts, 4 B bank words (16 banks). LOAD 3 rows x 100 B into ifmap at 0:
  // bursts 3 * ceil(100 / 64) = 6, bank word writes 300 / 4 = 75. STORE 2 x 64 B from ofmap at
  // 0: bursts 2, word reads 128 / 4 = 32.
  ProgramBuilder b;
  const uint32_t ld = b.load(Buffer::kIfmap, 3, 100);
  b.store(Buffer::kOfmap, 2, 64, {ld});
  auto top = run_top(test_arch(), b.program());
  const auto& recs = top->controller().records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].actions.dma_bursts, 6);
  EXPECT_EQ(recs[0].actions.ifmap.write_accesses, 75);
  EXPECT_EQ(recs[0].actions.ifmap.read_accesses, 0);
  EXPECT_EQ(recs[0].actions.ofmap.read_accesses, 0);
  EXPECT_EQ(recs[1].actions.dma_bursts, 2);
  EXPECT_EQ(recs[1].actions.ofmap.read_accesses, 32);
  EXPECT_EQ(recs[1].actions.ifmap.write_accesses, 0);
  EXPECT_EQ(top->scratchpad(Buffer::kIfmap).counters().write_accesses, 75);
  EXPECT_EQ(top->scratchpad(Buffer::kOfmap).counters().read_accesses, 32);
}

TEST(Actions, StoreFromTheAccumulatorsReadsAndTimesTheirWidth) {
  // A GEMM STORE of 4096 int8 outputs reads 4096 int32 partial sums: 16384 B on the scratchpad
  // side = 4096 word reads and ceil(16384 / 64 B per cycle) = 256 cycles of the ofmap read port,
  // against 1024 reads and 64 cycles for a plain 4096-B STORE. Ideal DRAM, so the port decides.
  ArchSpec arch = test_arch();
  arch.dram.kind = DramKind::kIdeal;
  ProgramBuilder b;
  const uint32_t plain = b.store(Buffer::kOfmap, 1, 4096);
  b.store(Buffer::kOfmap, 1, 4096, {plain});
  Program p = b.program();
  std::get<DmaDescriptor>(p.instructions[1].payload).from_accumulator = true;
  auto top = run_top(arch, p);
  const auto& recs = top->controller().records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].actions.ofmap.read_accesses, 4096 / 4);
  EXPECT_EQ(recs[1].actions.ofmap.read_accesses, 4096 * 4 / 4);
  EXPECT_EQ(recs[0].sram_read_bytes, 4096);
  EXPECT_EQ(recs[1].sram_read_bytes, 4096 * 4);
  EXPECT_EQ(recs[0].dram_write_bytes, 4096);
  EXPECT_EQ(recs[1].dram_write_bytes, 4096);  // requantised to int8 on the way out
  EXPECT_EQ(recs[1].busy_cycles - recs[0].busy_cycles, 256 - 64);
}

TEST(Actions, VectorCountsTheOfmapWords) {
  // 1000 elements x 2 ops: reads 1000 * 4 B = 4000 B, writes 1000 B (ProgramBuilder), through the
  // ofmap's 4 B bank words: ceil(4000 / 4) = 1000 reads, ceil(1000 / 4) = 250 writes.
  ProgramBuilder b;
  b.vector(1000, 2);
  const SimResult r = simulate(test_arch(), b.program());
  EXPECT_EQ(r.total.actions.ofmap.read_accesses, 1000);
  EXPECT_EQ(r.total.actions.ofmap.write_accesses, 250);
  EXPECT_EQ(r.scratchpads.at(2).read_accesses, 1000);
  EXPECT_EQ(r.scratchpads.at(2).write_accesses, 250);
  EXPECT_EQ(r.total.vector_ops, 2000);
}

TEST(Actions, MatmulRecordsShiftsRmwsAndTheScratchpadsAccesses) {
  // WS on 32 x 32, m = 64, n = 32, k = 64 (int8 / int32): Sr = 64 -> 2 row folds of 32, Sc = 32,
  // T = 64. Shifts: inputs 64 * 64 * 31 = 126976 x 1 B, partial sums 64 * 32 * (64 - 2) = 126976
  // x 4 B, weights 32 * 2 * (32 * 31 / 2) = 31744 x 1 B. RMWs (Fr - 1 + 0) * m * n = 2048.
  ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 64, 32, 64);
  auto top = run_top(test_arch(), b.program());
  const hw::InstructionRecord& r = top->controller().records().at(0);
  EXPECT_EQ(r.actions.register_shift_bytes, 126976 * 1 + 126976 * 4 + 31744 * 1);
  EXPECT_EQ(r.actions.ofmap.accumulator_rmw, 2048);
  EXPECT_EQ(r.actions.dma_bursts, 0);
  for (Buffer buf : {Buffer::kIfmap, Buffer::kWeight, Buffer::kOfmap}) {
    const auto& c = top->scratchpad(buf).counters();
    EXPECT_EQ(r.actions.at(buf).read_accesses, c.read_accesses) << to_string(buf);
    EXPECT_EQ(r.actions.at(buf).write_accesses, c.write_accesses) << to_string(buf);
    EXPECT_EQ(r.actions.at(buf).accumulator_rmw, c.accumulator_rmw) << to_string(buf);
  }
  EXPECT_GT(r.actions.ifmap.read_accesses, 0);
  EXPECT_GT(r.actions.weight.read_accesses, 0);
  EXPECT_GT(r.actions.ofmap.write_accesses, 0);
}

// Every layer's actions summed equal the scratchpads' whole-run counters and the total.
void expect_layers_sum_to_counters(const SimResult& r) {
  ASSERT_EQ(r.scratchpads.size(), 3u);
  const Buffer bufs[] = {Buffer::kIfmap, Buffer::kWeight, Buffer::kOfmap};
  for (size_t i = 0; i < 3; ++i) {
    const ScratchpadStats& s = r.scratchpads[i];
    ASSERT_EQ(s.name, to_string(bufs[i]));
    SpmActions sum;
    for (const LayerStats& l : r.layers) sum += l.actions.at(bufs[i]);
    const SpmActions& t = r.total.actions.at(bufs[i]);
    EXPECT_EQ(sum.read_accesses, s.read_accesses) << s.name;
    EXPECT_EQ(sum.write_accesses, s.write_accesses) << s.name;
    EXPECT_EQ(sum.accumulator_rmw, s.accumulator_rmw) << s.name;
    EXPECT_EQ(t.read_accesses, s.read_accesses) << s.name;
    EXPECT_EQ(t.write_accesses, s.write_accesses) << s.name;
    EXPECT_EQ(t.accumulator_rmw, s.accumulator_rmw) << s.name;
  }
}

TEST(Actions, Resnet18LayerSumsEqualTheScratchpadsWholeRunCounters) {
  const std::string root = SYSTOLE_SOURCE_DIR;
  const ArchSpec arch = load_arch(root + "/arch/default.yaml");
  const Network net = load_network(root + "/workloads/resnet18.yaml");
  const SimResult r = simulate(arch, compile(arch, net));
  expect_layers_sum_to_counters(r);
  EXPECT_GT(r.total.actions.register_shift_bytes, 0);
  EXPECT_GT(r.total.actions.dma_bursts, 0);
  EXPECT_GT(r.total.actions.ofmap.accumulator_rmw, 0);
}

TEST(Actions, LayerSumsEqualTheScratchpadsWholeRunCounters) {
  ProgramBuilder b(2);
  const uint32_t w0 = b.load(Buffer::kWeight, 1, 1024, {}, 0);
  const uint32_t i0 = b.load(Buffer::kIfmap, 2, 1024, {}, 0);
  const uint32_t m0 = b.matmul(Dataflow::kWeightStationary, 64, 32, 64, {w0, i0}, 0);
  const uint32_t s0 = b.store(Buffer::kOfmap, 1, 2048, {m0}, 0);
  const uint32_t m1 = b.matmul(Dataflow::kOutputStationary, 32, 32, 64, {s0}, 1);
  const uint32_t m2 = b.matmul(Dataflow::kInputStationary, 40, 48, 36, {m1}, 1);
  const uint32_t v1 = b.vector(1000, 2, {m2}, 1);
  b.store(Buffer::kOfmap, 3, 100, {v1}, 1);
  const SimResult r = simulate(test_arch(), b.program());
  ASSERT_EQ(r.layers.size(), 2u);
  expect_layers_sum_to_counters(r);
  // Layers disjoint: layer 0 touched the weight scratchpad, layer 1 did not load into it.
  EXPECT_GT(r.layers[0].actions.weight.write_accesses, 0);
  EXPECT_EQ(r.layers[1].actions.weight.write_accesses, 0);
  // Bursts: 16 + 2 * 16 + 32 (layer 0), 3 * ceil(100 / 64) = 6 (layer 1).
  EXPECT_EQ(r.layers[0].actions.dma_bursts, 16 + 32 + 32);
  EXPECT_EQ(r.layers[1].actions.dma_bursts, 6);
  EXPECT_EQ(r.total.actions.dma_bursts, 86);
  const ArrayGeometry g{32, 32, test_arch().core.array.microarch};
  int64_t shifts = 0;
  for (const Instruction& inst : b.program().instructions)
    if (inst.op == Opcode::kMatmul) shifts += hw::register_shift_bytes(g, inst.matmul(), 1, 1, 4);
  EXPECT_EQ(r.total.actions.register_shift_bytes, shifts);
  EXPECT_EQ(r.layers[0].actions.register_shift_bytes + r.layers[1].actions.register_shift_bytes, shifts);
}

}  // namespace
}  // namespace systole
