// The dataflow mapping (array/dataflow.h) and what the array models derive from it, against the
// per-dataflow formulas written out by hand (SCALE-Sim v2's mapping, array/array_timing.h).
#include "systole/array/dataflow.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "systole/array/array_timing.h"
#include "systole/common/error.h"
#include "systole/common/int_math.h"

namespace systole {
namespace {

MatmulOp tile(Dataflow d, int64_t m, int64_t n, int64_t k, bool accumulate) {
  MatmulOp op;
  op.dataflow = d;
  op.m = static_cast<uint64_t>(m);
  op.n = static_cast<uint64_t>(n);
  op.k = static_cast<uint64_t>(k);
  op.accumulate = accumulate;
  return op;
}

}  // namespace

TEST(Dataflow, EveryListedDataflowIsRegisteredInListOrder) {
  EXPECT_EQ(dataflow_registry().names(), dataflow_names());
  EXPECT_EQ(dataflow_names(), (std::vector<std::string>{"ws", "os", "is"}));
}

TEST(Dataflow, TheShippedMappingsAreSCALESims) {
  auto axes = [](Dataflow d) {
    const DataflowAxes& a = dataflow_model(d).axes();
    return std::string(to_string(a.rows)) + to_string(a.cols) + to_string(a.stream);
  };
  EXPECT_EQ(axes(Dataflow::kWeightStationary), "knm");
  EXPECT_EQ(axes(Dataflow::kOutputStationary), "mnk");
  EXPECT_EQ(axes(Dataflow::kInputStationary), "kmn");
  EXPECT_EQ(dataflow_model(Dataflow::kWeightStationary).stationary(), TileOperand::kWeight);
  EXPECT_EQ(dataflow_model(Dataflow::kOutputStationary).stationary(), TileOperand::kOfmap);
  EXPECT_EQ(dataflow_model(Dataflow::kInputStationary).stationary(), TileOperand::kIfmap);
}

TEST(Dataflow, DerivedTermsMatchThePerDataflowFormulas) {
  const ArrayGeometry g{8, 4, ArrayMicroarch{}};
  for (Dataflow d : {Dataflow::kWeightStationary, Dataflow::kOutputStationary, Dataflow::kInputStationary}) {
    const bool os = d == Dataflow::kOutputStationary;
    EXPECT_EQ(preload_cycles(g, d), os ? 0 : 8) << to_string(d);
    EXPECT_EQ(accumulator_latency(g, d), os ? 0 : g.microarch.accumulator_rmw_latency) << to_string(d);
    EXPECT_EQ(k_group(g, d), os ? 0 : 8) << to_string(d);
  }
  // Streamed operands move along the rows / down the columns (WS: inputs and partial sums; IS:
  // weights and partial sums; OS: inputs and weights).
  const DataflowModel& ws = dataflow_model(Dataflow::kWeightStationary);
  const DataflowModel& os = dataflow_model(Dataflow::kOutputStationary);
  const DataflowModel& is = dataflow_model(Dataflow::kInputStationary);
  EXPECT_EQ(ws.along_rows(), TileOperand::kIfmap);
  EXPECT_EQ(ws.down_cols(), TileOperand::kOfmap);
  EXPECT_EQ(is.along_rows(), TileOperand::kWeight);
  EXPECT_EQ(is.down_cols(), TileOperand::kOfmap);
  EXPECT_EQ(os.along_rows(), TileOperand::kIfmap);
  EXPECT_EQ(os.down_cols(), TileOperand::kWeight);
}

// tile_traffic against the formulas of array_timing.h, on random tiles and arrays.
TEST(Dataflow, TrafficMatchesTheHandFormulasOnRandomTiles) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> dim(1, 300), arr(1, 40);
  for (int i = 0; i < 2000; ++i) {
    const int64_t m = dim(rng), n = dim(rng), k = dim(rng), R = arr(rng), C = arr(rng);
    const bool acc = (rng() & 1) != 0;
    const int64_t a = acc ? 1 : 0;
    const ArrayGeometry g{R, C, ArrayMicroarch{}};
    const TileTraffic ws = tile_traffic(g, tile(Dataflow::kWeightStationary, m, n, k, acc));
    EXPECT_EQ(ws.weight_reads, k * n);
    EXPECT_EQ(ws.ifmap_reads, ceil_div(n, C) * m * k);
    EXPECT_EQ(ws.ofmap_writes, ceil_div(k, R) * m * n);
    EXPECT_EQ(ws.ofmap_reads, (ceil_div(k, R) - 1 + a) * m * n);
    const TileTraffic os = tile_traffic(g, tile(Dataflow::kOutputStationary, m, n, k, acc));
    EXPECT_EQ(os.ifmap_reads, ceil_div(n, C) * m * k);
    EXPECT_EQ(os.weight_reads, ceil_div(m, R) * k * n);
    EXPECT_EQ(os.ofmap_writes, m * n);
    EXPECT_EQ(os.ofmap_reads, a * m * n);
    const TileTraffic is = tile_traffic(g, tile(Dataflow::kInputStationary, m, n, k, acc));
    EXPECT_EQ(is.ifmap_reads, k * m);
    EXPECT_EQ(is.weight_reads, ceil_div(m, C) * k * n);
    EXPECT_EQ(is.ofmap_writes, ceil_div(k, R) * m * n);
    EXPECT_EQ(is.ofmap_reads, (ceil_div(k, R) - 1 + a) * m * n);
    if (HasFailure()) break;
  }
}

// A mapping no shipped dataflow uses (n along the rows, k along the columns): the rules of
// array/dataflow.h still say where everything goes.
TEST(Dataflow, AnUnshippedMappingFollowsTheSameRules) {
  const DataflowModel d(Dataflow::kWeightStationary, {GemmDim::kN, GemmDim::kK, GemmDim::kM});
  EXPECT_EQ(d.stationary(), TileOperand::kWeight);
  EXPECT_EQ(d.along_rows(), TileOperand::kOfmap);   // out[m][n]: n on the rows, m streamed
  EXPECT_EQ(d.down_cols(), TileOperand::kIfmap);    // in[m][k]: k on the columns
  EXPECT_EQ(d.array_extent(GemmDim::kK, 8, 4), 4);  // partial sums of 4 products
  const FoldShape f = d.fold(10, 20, 30);
  EXPECT_EQ(f.sr, 20);
  EXPECT_EQ(f.sc, 30);
  EXPECT_EQ(f.t, 10);
  const OperandAccess in = d.access(TileOperand::kIfmap);
  EXPECT_EQ(in.along, GemmDim::kK);
  EXPECT_TRUE(in.along_second);
  EXPECT_TRUE(in.refetched);
  EXPECT_EQ(in.refetch_dim, GemmDim::kN);  // re-read for every fold of n along the rows
  const OperandAccess w = d.access(TileOperand::kWeight);
  EXPECT_FALSE(w.refetched);
  EXPECT_EQ(w.along, GemmDim::kK);  // the columns dimension
  EXPECT_FALSE(w.along_second);     // k is w[k][n]'s first index
}

TEST(Dataflow, AMappingThatIsNoPermutationIsABug) {
  EXPECT_THROW(DataflowModel(Dataflow::kWeightStationary, {GemmDim::kK, GemmDim::kK, GemmDim::kM}),
               InternalError);
}

}  // namespace systole
