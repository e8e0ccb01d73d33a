#include "systole/array/array_timing.h"

#include <gtest/gtest.h>

#include "systole/common/error.h"

namespace systole {
namespace {

MatmulOp tile(Dataflow d, uint64_t m, uint64_t n, uint64_t k) {
  MatmulOp op;
  op.dataflow = d;
  op.m = m;
  op.n = n;
  op.k = k;
  return op;
}

ArrayGeometry scalesim(int64_t r, int64_t c) {
  return {r, c, ArrayMicroarch::scalesim()};
}

}  // namespace

TEST(ArrayTiming, ScaleSimWeightStationaryPerFold) {
  // 8x4 array, WS, m=10 n=6 k=20: Sr=k=20 -> 3 row folds, Sc=n=6 -> 2 col folds, T=m=10.
  // Per fold 2R + C + T - 2 = 16 + 4 + 10 - 2 = 28; 6 folds -> 168.
  TileTiming t = tile_timing(scalesim(8, 4), tile(Dataflow::kWeightStationary, 10, 6, 20));
  EXPECT_EQ(t.folds, 6);
  EXPECT_EQ(t.cycles, 168);
  EXPECT_EQ(t.stream_cycles, 60);
}

TEST(ArrayTiming, ScaleSimOutputStationaryPerFold) {
  // 8x4 array, OS, m=10 n=6 k=20: Sr=m=10 -> 2, Sc=n=6 -> 2, T=k=20. Per fold T + R + C - 2 = 30.
  TileTiming t = tile_timing(scalesim(8, 4), tile(Dataflow::kOutputStationary, 10, 6, 20));
  EXPECT_EQ(t.cycles, 4 * 30);
}

TEST(ArrayTiming, ScaleSimInputStationaryPerFold) {
  // 8x4 array, IS, m=10 n=6 k=20: Sr=k=20 -> 3, Sc=m=10 -> 3, T=n=6. Per fold 16 + 4 + 6 - 2 = 24.
  TileTiming t = tile_timing(scalesim(8, 4), tile(Dataflow::kInputStationary, 10, 6, 20));
  EXPECT_EQ(t.cycles, 9 * 24);
}

TEST(ArrayTiming, ScaleSimChunksSumToTheUnsplitFold) {
  // One WS fold (k=8, n=4 on 8x4) streaming m=10 split into chunks of 3, 3, 4: the preload (8) is
  // charged on the first chunk, the skew (8 + 4 - 2 = 10) on the last, the layer's -1 on the last.
  ArrayGeometry g = scalesim(8, 4);
  MatmulOp a = tile(Dataflow::kWeightStationary, 3, 4, 8);
  a.stream_last = false;
  MatmulOp b = a;
  b.stream_first = false;
  MatmulOp c = tile(Dataflow::kWeightStationary, 4, 4, 8);
  c.stream_first = false;
  c.layer_last = true;
  EXPECT_EQ(tile_timing(g, a).cycles, 8 + 3);
  EXPECT_EQ(tile_timing(g, b).cycles, 3);
  EXPECT_EQ(tile_timing(g, c).cycles, 4 + 10 - 1);
  EXPECT_EQ(tile_timing(g, a).cycles + tile_timing(g, b).cycles + tile_timing(g, c).cycles,
            2 * 8 + 4 + 10 - 2 - 1);
}

TEST(ArrayTiming, RealisticOverlapsPreloadAndPipelinesFolds) {
  // 4x4 WS, m=10 n=4 k=12: 3 folds, T=10, P=4, S=6. cycles = P + T + 2*max(T,P) + S = 4+10+20+6.
  ArrayGeometry g{4, 4, ArrayMicroarch{}};
  EXPECT_EQ(tile_timing(g, tile(Dataflow::kWeightStationary, 10, 4, 12)).cycles, 40);
  // T=2 < P=4: each further fold waits for its preload: 4 + 2 + 2*4 + 6.
  EXPECT_EQ(tile_timing(g, tile(Dataflow::kWeightStationary, 2, 4, 12)).cycles, 20);
}

TEST(ArrayTiming, PipelineDepthAndSkewRegistersLengthenTheSkew) {
  // 4x4 WS, m=10 n=4 k=12 as above (P=4, T=10, 3 folds) with D = 3 and both skew registers:
  // S = D*(R + C - 2) + 1 + 1 = 18 + 2 = 20; cycles = 4 + 10 + 2*10 + 20 = 54.
  ArrayMicroarch ua;
  ua.pe_pipeline_depth = 3;
  ua.input_skew_registers = ua.output_skew_registers = true;
  ArrayGeometry g{4, 4, ua};
  EXPECT_EQ(skew_cycles(g), 20);
  EXPECT_EQ(tile_timing(g, tile(Dataflow::kWeightStationary, 10, 4, 12)).cycles, 54);
  // Without fold pipelining the 20-cycle skew is paid per fold: 4 + 10 + 2*10 + 3*20 = 94.
  g.microarch.fold_pipelining = false;
  EXPECT_EQ(tile_timing(g, tile(Dataflow::kWeightStationary, 10, 4, 12)).cycles, 94);
}

TEST(ArrayTiming, AccumulatorLatencyBoundsRowFoldStepsAndEndsTheTile) {
  // 4x4 WS, m=2 n=8 k=12: Fr = 3, Fc = 2, T = 2, P = 4, S = 6, step = max(2, 4) = 4.
  // L = 9: row-fold steps max(4, 9) = 9 (2 per column block), the column step stays 4, and the
  // last result lands 9 cycles after it leaves: 4 + 2*2*9 + 1*4 + 2 + 6 + 9 = 61.
  ArrayMicroarch ua;
  ua.accumulator_rmw_latency = 9;
  ArrayGeometry g{4, 4, ua};
  EXPECT_EQ(tile_timing(g, tile(Dataflow::kWeightStationary, 2, 8, 12)).cycles, 61);
  // L = 3 <= step: only the tail: 4 + 2 + 5*4 + 6 + 3 = 35.
  g.microarch.accumulator_rmw_latency = 3;
  EXPECT_EQ(tile_timing(g, tile(Dataflow::kWeightStationary, 2, 8, 12)).cycles, 35);
  // OS accumulates in the PEs: L does not enter. OS m=2 n=8 k=12: Sr=2 -> 1, Sc=8 -> 2, T=12,
  // P=0, S=6: 0 + 12 + 1*12 + 6 = 30.
  EXPECT_EQ(tile_timing(g, tile(Dataflow::kOutputStationary, 2, 8, 12)).cycles, 30);
}

TEST(ArrayTiming, DocsWorkedExample) {
  // docs/array-timing.md: 8x4 WS, m=10 n=6 k=20: Fr = 3, Fc = 2, T = 10, P = 8, S = 10.
  // Realistic: 8 + 10 + 5*10 + 10 = 78. With D = 2, both skew registers, L = 20:
  // S = 2*10 + 2 = 22, gap_row = max(10, 20) = 20: 8 + 2*2*20 + 1*10 + 10 + 22 + 20 = 150.
  ArrayGeometry g{8, 4, ArrayMicroarch{}};
  EXPECT_EQ(tile_timing(g, tile(Dataflow::kWeightStationary, 10, 6, 20)).cycles, 78);
  g.microarch.pe_pipeline_depth = 2;
  g.microarch.input_skew_registers = g.microarch.output_skew_registers = true;
  g.microarch.accumulator_rmw_latency = 20;
  EXPECT_EQ(tile_timing(g, tile(Dataflow::kWeightStationary, 10, 6, 20)).cycles, 150);
}

TEST(ArrayTiming, ScaleSimCountingRejectsOtherMicroarchitecture) {
  ArrayGeometry g = scalesim(4, 4);
  g.microarch.pe_pipeline_depth = 2;
  EXPECT_THROW(tile_timing(g, tile(Dataflow::kWeightStationary, 3, 4, 8)), InternalError);
}

TEST(ArrayTiming, SplitStreamWithoutScaleSimCountingIsABug) {
  ArrayGeometry g{4, 4, ArrayMicroarch{}};
  MatmulOp op = tile(Dataflow::kWeightStationary, 3, 4, 8);
  op.stream_last = false;
  EXPECT_THROW(tile_timing(g, op), InternalError);
}

TEST(ArrayTiming, TrafficWeightStationary) {
  // 4x4, m=10 n=6 k=12: inputs re-read per column fold (2), partial sums per row fold (3).
  TileTraffic t = tile_traffic({4, 4, {}}, tile(Dataflow::kWeightStationary, 10, 6, 12));
  EXPECT_EQ(t.weight_reads, 72);
  EXPECT_EQ(t.ifmap_reads, 2 * 120);
  EXPECT_EQ(t.ofmap_writes, 3 * 60);
  EXPECT_EQ(t.ofmap_reads, 2 * 60);
}

}  // namespace systole
