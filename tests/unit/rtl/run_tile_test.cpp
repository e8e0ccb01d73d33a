// Hand-worked register-level tiles: cycle counts written out as arithmetic, values against a plain
// loop nest in this file (small operands, so no accumulator saturates and the k grouping does not
// matter for integers).
#include "systole/rtl/run_tile.h"

#include <gtest/gtest.h>

#include <vector>

#include "systole/common/error.h"
#include "systole/rtl/dataflow.h"

namespace systole::rtl {
namespace {

struct Case {
  Dataflow dataflow;
  int64_t rows, cols, m, n, k;
  ArrayMicroarch ua;
};

// Runs an integer tile with operands a[i][j] = (i + 2j) % 7 - 3, w[i][j] = (3i + j) % 5 - 2 and
// checks the outputs against out[i][j] = sum_k a[i][k] * w[k][j]; returns the rtl cycles.
int64_t run_and_check(const Case& c, bool accumulate = false) {
  std::vector<int32_t> a(static_cast<size_t>(c.m * c.k)), w(static_cast<size_t>(c.k * c.n));
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.k; ++j) a[i * c.k + j] = static_cast<int32_t>((i + 2 * j) % 7 - 3);
  for (int64_t i = 0; i < c.k; ++i)
    for (int64_t j = 0; j < c.n; ++j) w[i * c.n + j] = static_cast<int32_t>((3 * i + j) % 5 - 2);
  std::vector<int64_t> out(static_cast<size_t>(c.m * c.n), 0), want(out.size(), 0);
  for (size_t i = 0; i < out.size(); ++i) out[i] = want[i] = accumulate ? static_cast<int64_t>(i) - 4 : 99;
  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < c.n; ++j) {
      int64_t s = accumulate ? want[i * c.n + j] : 0;
      for (int64_t q = 0; q < c.k; ++q) s += int64_t{a[i * c.k + q]} * w[q * c.n + j];
      want[i * c.n + j] = s;
    }
  }
  TileRequest req;
  req.geometry = {c.rows, c.cols, c.ua};
  req.op.dataflow = c.dataflow;
  req.op.m = static_cast<uint64_t>(c.m);
  req.op.n = static_cast<uint64_t>(c.n);
  req.op.k = static_cast<uint64_t>(c.k);
  req.op.accumulate = accumulate;
  const TileResult r = run_tile(req, a.data(), w.data(), out.data());
  EXPECT_EQ(out, want);
  EXPECT_EQ(r.cycles, tile_timing(req.geometry, req.op).cycles);
  return r.cycles;
}

TEST(RtlTile, WeightStationaryOverlappedAndPipelined) {
  // WS 4x4, m=5 n=3 k=6: P = R = 4, T = m = 5, Fr = ceil(6/4) = 2, Fc = ceil(3/4) = 1, F = 2,
  // S = R + C - 2 = 6, step = max(T, P) = 5: cycles = P + T + (F-1)*step + S = 4 + 5 + 5 + 6 = 20.
  EXPECT_EQ(run_and_check({Dataflow::kWeightStationary, 4, 4, 5, 3, 6, ArrayMicroarch{}}), 20);
}

TEST(RtlTile, WeightStationaryScaleSim) {
  // Same tile, SCALE-Sim setting: every fold P + T + S = 4 + 5 + 6 = 15 on its own; 2 folds = 30.
  EXPECT_EQ(run_and_check({Dataflow::kWeightStationary, 4, 4, 5, 3, 6, ArrayMicroarch::scalesim()}), 30);
}

TEST(RtlTile, OutputStationaryFourFolds) {
  // OS 3x2, m=4 n=3 k=7: Sr = m = 4 -> 2 row folds, Sc = n = 3 -> 2 column folds, F = 4, T = k = 7,
  // P = 0, S = 3 + 2 - 2 = 3, step = T = 7: cycles = 0 + 7 + 3*7 + 3 = 31.
  EXPECT_EQ(run_and_check({Dataflow::kOutputStationary, 3, 2, 4, 3, 7, ArrayMicroarch{}}), 31);
  EXPECT_EQ(run_and_check({Dataflow::kOutputStationary, 3, 2, 4, 3, 7, ArrayMicroarch{}}, true), 31);
}

TEST(RtlTile, InputStationaryDeepPipelineAndSkewRegisters) {
  // IS 4x4, m=6 n=2 k=4, D = 2, both skew registers: Sr = k = 4 -> 1, Sc = m = 6 -> 2, F = 2,
  // T = n = 2, P = 4, S = D*(R + C - 2) + 1 + 1 = 12 + 2 = 14, step = max(2, 4) = 4:
  // cycles = 4 + 2 + 1*4 + 14 = 24.
  ArrayMicroarch ua;
  ua.pe_pipeline_depth = 2;
  ua.input_skew_registers = ua.output_skew_registers = true;
  EXPECT_EQ(run_and_check({Dataflow::kInputStationary, 4, 4, 6, 2, 4, ua}), 24);
}

TEST(RtlTile, AccumulatorReadModifyWriteBoundsRowFolds) {
  // WS 2x2, m=1 n=2 k=6, L = 5: Fr = 3 row folds of one output block, T = 1, P = 2, S = 2,
  // step = max(1, 2) = 2, but a row fold waits max(2, L) = 5 for the previous one's accumulator
  // write: cycles = P + 2*5 + T + S + L = 2 + 10 + 1 + 2 + 5 = 20.
  ArrayMicroarch ua;
  ua.accumulator_rmw_latency = 5;
  EXPECT_EQ(run_and_check({Dataflow::kWeightStationary, 2, 2, 1, 2, 6, ua}), 20);
}

TEST(RtlTile, NoOverlapNoPipelining) {
  // WS 3x5, m=2 n=7 k=3, no overlap and no pipelining (but not SCALE-Sim counting): Fr = 1,
  // Fc = 2, T = 2, P = 3, S = 3 + 5 - 2 = 6; every fold P + T + S = 11: 2 folds = 22.
  ArrayMicroarch ua;
  ua.preload_overlap = ua.fold_pipelining = false;
  EXPECT_EQ(run_and_check({Dataflow::kWeightStationary, 3, 5, 2, 7, 3, ua}), 22);
}

TEST(RtlTile, ScaleSimChunksCountLikeTheClosedForm) {
  // One WS fold (k = 8, n = 4 on 8x4) streaming m = 10 as chunks 3 + 3 + 4: preload 8 on the
  // first, fill/drain 8 + 4 - 2 = 10 on the last, one less for the layer's last tile.
  TileRequest req;
  req.geometry = {8, 4, ArrayMicroarch::scalesim()};
  req.op.n = 4;
  req.op.k = 8;
  std::vector<int32_t> a(40, 1), w(32, 2);
  std::vector<int64_t> out(40, 0);
  req.op.m = 3;
  req.op.stream_last = false;
  EXPECT_EQ(run_tile(req, a.data(), w.data(), out.data()).cycles, 8 + 3);
  req.op.stream_first = false;
  EXPECT_EQ(run_tile(req, a.data(), w.data(), out.data()).cycles, 3);
  req.op.m = 4;
  req.op.stream_last = true;
  req.op.layer_last = true;
  EXPECT_EQ(run_tile(req, a.data(), w.data(), out.data()).cycles, 4 + 10 - 1);
  EXPECT_EQ(out[0], 8 * 1 * 2);
}

TEST(RtlTile, FloatPath) {
  // OS 2x2, m=1 n=1 k=3: one fold, T = 3, S = 2: cycles 0 + 3 + 2 = 5; 0.5*2 + 0.25*4 + 1*(-1) = 1.
  TileRequest req;
  req.geometry = {2, 2, ArrayMicroarch{}};
  req.op.dataflow = Dataflow::kOutputStationary;
  req.op.m = 1;
  req.op.n = 1;
  req.op.k = 3;
  req.acc.type = DataType::kFp32;
  const float a[] = {0.5f, 0.25f, 1.0f}, w[] = {2.0f, 4.0f, -1.0f};
  float out = 7.0f;
  EXPECT_EQ(run_tile(req, a, w, &out).cycles, 5);
  EXPECT_EQ(out, 1.0f);
}

TEST(RtlTile, SaturatingAccumulatorInsideAColumn) {
  // WS 2x1, k = 2, n = 1, m = 1, 8-bit saturating accumulator: the column adds 100*1 then 100*1:
  // 100 + 100 saturates to 127 inside the fold's partial sum.
  TileRequest req;
  req.geometry = {2, 1, ArrayMicroarch{}};
  req.op.m = 1;
  req.op.n = 1;
  req.op.k = 2;
  req.acc.width_bits = 8;
  const int32_t a[] = {100, 100}, w[] = {1, 1};
  int64_t out = 0;
  run_tile(req, a, w, &out);
  EXPECT_EQ(out, 127);
  req.acc.overflow = Overflow::kWrap;
  run_tile(req, a, w, &out);
  EXPECT_EQ(out, 200 - 256);
}

TEST(RtlTile, EveryDataflowHasAnEngineAndAnUnknownMappingIsRefused) {
  const auto names = engine_registry().names();
  EXPECT_EQ(names, (std::vector<std::string>{"rows=k cols=n stream=m", "rows=m cols=n stream=k",
                                             "rows=k cols=m stream=n"}));
  for (const std::string& d : dataflow_names()) {
    Dataflow df{};
    ASSERT_TRUE(parse_dataflow(d, &df));
    EXPECT_NO_THROW(engine_registry().get(df)) << d;
  }
  try {
    engine_registry().get(DataflowAxes{GemmDim::kN, GemmDim::kK, GemmDim::kM});
    FAIL() << "no throw";
  } catch (const UnknownVariant& e) {  // the same error as every registry (common/registry.h)
    EXPECT_STREQ(
        e.what(),
        "unknown register-level engine 'rows=n cols=k stream=m'; registered: rows=k cols=n stream=m, "
        "rows=m cols=n stream=k, rows=k cols=m stream=n");
  }
}

TEST(RtlTile, WrongAccumulatorTypeIsABug) {
  TileRequest req;
  req.geometry = {2, 2, ArrayMicroarch{}};
  req.op.m = req.op.n = req.op.k = 1;
  req.acc.type = DataType::kFp32;
  const int32_t a = 1, w = 1;
  int64_t out = 0;
  EXPECT_THROW(run_tile(req, &a, &w, &out), InternalError);
}

}  // namespace
}  // namespace systole::rtl
