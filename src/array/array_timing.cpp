#include "systole/array/array_timing.h"

#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/int_math.h"

namespace systole {
FoldShape fold_shape(Dataflow d, int64_t m, int64_t n, int64_t k) {
  return dataflow_model(d).fold(m, n, k);
}

int64_t row_fold_count(const ArrayGeometry& g, const FoldShape& f) {
  return ceil_div(f.sr, g.rows);
}

int64_t column_fold_count(const ArrayGeometry& g, const FoldShape& f) {
  return ceil_div(f.sc, g.cols);
}

int64_t fold_count(const ArrayGeometry& g, const FoldShape& f) {
  return row_fold_count(g, f) * column_fold_count(g, f);
}

int64_t preload_cycles(const ArrayGeometry& g, Dataflow d) {
  return dataflow_model(d).accumulates_in_pes() ? 0 : g.rows;
}

int64_t k_group(const ArrayGeometry& g, Dataflow d) {
  return dataflow_model(d).array_extent(GemmDim::kK, g.rows, g.cols);
}

int64_t skew_cycles(const ArrayGeometry& g) {
  const auto& ua = g.microarch;
  return ua.pe_pipeline_depth * (g.rows + g.cols - 2) + (ua.input_skew_registers ? 1 : 0) +
         (ua.output_skew_registers ? 1 : 0);
}

int64_t accumulator_latency(const ArrayGeometry& g, Dataflow d) {
  return dataflow_model(d).accumulates_in_pes() ? 0 : g.microarch.accumulator_rmw_latency;
}

TileTiming tile_timing(const ArrayGeometry& g, const MatmulOp& op) {
  const auto& ua = g.microarch;
  if (op.m == 0 || op.n == 0 || op.k == 0 || g.rows <= 0 || g.cols <= 0 || ua.pe_pipeline_depth < 1 ||
      ua.accumulator_rmw_latency < 0) {
    throw InternalError(
        fmt::format("empty MATMUL tile m={} n={} k={} on {}x{} (pe_pipeline_depth {}, rmw latency {})", op.m,
                    op.n, op.k, g.rows, g.cols, ua.pe_pipeline_depth, ua.accumulator_rmw_latency));
  }
  const FoldShape f = fold_shape(op.dataflow, static_cast<int64_t>(op.m), static_cast<int64_t>(op.n),
                                 static_cast<int64_t>(op.k));
  const int64_t folds = fold_count(g, f);
  const int64_t p = preload_cycles(g, op.dataflow);
  const int64_t s = skew_cycles(g);
  TileTiming out;
  out.folds = folds;
  out.stream_cycles = folds * f.t;
  if (ua.scalesim_counting) {
    const ArrayMicroarch want = ArrayMicroarch::scalesim();
    if (ua.preload_overlap || ua.fold_pipelining || ua.input_skew_registers || ua.output_skew_registers ||
        ua.pe_pipeline_depth != want.pe_pipeline_depth ||
        ua.accumulator_rmw_latency != want.accumulator_rmw_latency) {
      throw InternalError("scalesim_counting requires the rest of ArrayMicroarch::scalesim()");
    }
    out.cycles = folds * f.t + (op.stream_first ? folds * p : 0) + (op.stream_last ? folds * s : 0) -
                 (op.layer_last ? 1 : 0);
    out.preload_cycles = std::clamp<int64_t>(op.stream_first ? folds * p : 0, 0,
                                             std::max<int64_t>(0, out.cycles - out.stream_cycles));
    return out;
  }
  if (!op.stream_first || !op.stream_last) {
    throw InternalError("a MATMUL with a split stream needs the SCALE-Sim counting microarchitecture");
  }
  const int64_t fr = row_fold_count(g, f), fc = column_fold_count(g, f);
  const int64_t l = accumulator_latency(g, op.dataflow);
  const int64_t step = ua.preload_overlap ? std::max(f.t, p) : p + f.t;
  const int64_t gap = step + (ua.fold_pipelining ? 0 : s);
  const int64_t gap_row = std::max(gap, l);
  out.cycles = p + fc * (fr - 1) * gap_row + (fc - 1) * gap + f.t + s + l;
  out.preload_cycles = p + (folds - 1) * (step - f.t);  // <= cycles - F * T: gap_row >= gap >= step
  return out;
}

TileTraffic tile_traffic(const ArrayGeometry& g, const MatmulOp& op) {
  const auto m = static_cast<int64_t>(op.m), n = static_cast<int64_t>(op.n), k = static_cast<int64_t>(op.k);
  const int64_t acc = op.accumulate ? 1 : 0;
  const DataflowModel& df = dataflow_model(op.dataflow);
  auto extent = [&](GemmDim d) { return d == GemmDim::kM ? m : d == GemmDim::kN ? n : k; };
  auto folds = [&](GemmDim d) { return ceil_div(extent(d), df.array_extent(d, g.rows, g.cols)); };
  // Elements of an operand, times the folds that pass over it again when it is streamed.
  auto reads = [&](TileOperand o) {
    const OperandAccess a = df.access(o);
    const OperandDims d = operand_dims(o);
    return (a.refetched ? folds(a.refetch_dim) : 1) * extent(d.first) * extent(d.second);
  };
  TileTraffic t;
  t.ifmap_reads = reads(TileOperand::kIfmap);
  t.weight_reads = reads(TileOperand::kWeight);
  if (df.accumulates_in_pes()) {
    t.ofmap_writes = m * n;
    t.ofmap_reads = acc * m * n;
  } else {  // one partial sum per fold of k, added into the accumulator
    const int64_t kf = folds(GemmDim::kK);
    t.ofmap_writes = kf * m * n;
    t.ofmap_reads = (kf - 1 + acc) * m * n;
  }
  return t;
}

}  // namespace systole
