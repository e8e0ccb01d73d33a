#include "systole/timing/array_timing.h"

#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole {
namespace {
int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}
}  // namespace

FoldShape fold_shape(Dataflow d, int64_t m, int64_t n, int64_t k) {
  switch (d) {
    case Dataflow::kWeightStationary:
      return {k, n, m};
    case Dataflow::kOutputStationary:
      return {m, n, k};
    case Dataflow::kInputStationary:
      return {k, m, n};
  }
  throw InternalError("unknown dataflow");
}

int64_t fold_count(const ArrayGeometry& g, const FoldShape& f) {
  return ceil_div(f.sr, g.rows) * ceil_div(f.sc, g.cols);
}

int64_t preload_cycles(const ArrayGeometry& g, Dataflow d) {
  return d == Dataflow::kOutputStationary ? 0 : g.rows;
}

int64_t skew_cycles(const ArrayGeometry& g) {
  return g.rows + g.cols - 2;
}

TileTiming tile_timing(const ArrayGeometry& g, const MatmulOp& op) {
  if (op.m == 0 || op.n == 0 || op.k == 0 || g.rows <= 0 || g.cols <= 0) {
    throw InternalError(
        fmt::format("empty MATMUL tile m={} n={} k={} on {}x{}", op.m, op.n, op.k, g.rows, g.cols));
  }
  const auto& ua = g.microarch;
  const FoldShape f = fold_shape(op.dataflow, static_cast<int64_t>(op.m), static_cast<int64_t>(op.n),
                                 static_cast<int64_t>(op.k));
  const int64_t folds = fold_count(g, f);
  const int64_t p = preload_cycles(g, op.dataflow);
  const int64_t s = skew_cycles(g);
  TileTiming out;
  out.folds = folds;
  out.stream_cycles = folds * f.t;
  if (ua.scalesim_counting) {
    if (ua.preload_overlap || ua.fold_pipelining) {
      throw InternalError("scalesim_counting requires preload_overlap and fold_pipelining off");
    }
    out.cycles = folds * f.t + (op.stream_first ? folds * p : 0) + (op.stream_last ? folds * s : 0) -
                 (op.layer_last ? 1 : 0);
    return out;
  }
  if (!op.stream_first || !op.stream_last) {
    throw InternalError("a MATMUL with a split stream needs the SCALE-Sim counting microarchitecture");
  }
  const int64_t step = ua.preload_overlap ? std::max(f.t, p) : p + f.t;
  out.cycles = p + f.t + (folds - 1) * step + (ua.fold_pipelining ? 1 : folds) * s;
  return out;
}

TileTraffic tile_traffic(const ArrayGeometry& g, const MatmulOp& op) {
  const auto m = static_cast<int64_t>(op.m), n = static_cast<int64_t>(op.n), k = static_cast<int64_t>(op.k);
  const int64_t acc = op.accumulate ? 1 : 0;
  TileTraffic t;
  switch (op.dataflow) {
    case Dataflow::kWeightStationary:
      t.weight_reads = k * n;
      t.ifmap_reads = ceil_div(n, g.cols) * m * k;
      t.ofmap_writes = ceil_div(k, g.rows) * m * n;
      t.ofmap_reads = (ceil_div(k, g.rows) - 1 + acc) * m * n;
      break;
    case Dataflow::kOutputStationary:
      t.ifmap_reads = ceil_div(n, g.cols) * m * k;
      t.weight_reads = ceil_div(m, g.rows) * k * n;
      t.ofmap_writes = m * n;
      t.ofmap_reads = acc * m * n;
      break;
    case Dataflow::kInputStationary:
      t.ifmap_reads = k * m;
      t.weight_reads = ceil_div(m, g.cols) * k * n;
      t.ofmap_writes = ceil_div(k, g.rows) * m * n;
      t.ofmap_reads = (ceil_div(k, g.rows) - 1 + acc) * m * n;
      break;
  }
  return t;
}

}  // namespace systole
