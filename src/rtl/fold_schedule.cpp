#include "fold_schedule.h"

#include <algorithm>

#include "systole/common/error.h"

namespace systole::rtl::detail {

FoldSchedule make_schedule(const TileRequest& req) {
  const ArrayGeometry& g = req.geometry;
  const ArrayMicroarch& ua = g.microarch;
  const MatmulOp& op = req.op;
  FoldSchedule s;
  s.rows = g.rows;
  s.cols = g.cols;
  s.depth = ua.pe_pipeline_depth;
  s.skew_in = ua.input_skew_registers ? 1 : 0;
  s.skew_out = ua.output_skew_registers ? 1 : 0;
  s.rmw = accumulator_latency(g, op.dataflow);
  s.preload = preload_cycles(g, op.dataflow);
  const FoldShape shape = fold_shape(op.dataflow, static_cast<int64_t>(op.m), static_cast<int64_t>(op.n),
                                     static_cast<int64_t>(op.k));
  s.sr = shape.sr;
  s.sc = shape.sc;
  s.t = shape.t;
  s.fr = row_fold_count(g, shape);
  s.fc = column_fold_count(g, shape);
  s.folds = s.fr * s.fc;
  s.overlap = ua.preload_overlap;
  s.counting = ua.scalesim_counting;
  if (!s.counting && (!op.stream_first || !op.stream_last)) {
    throw InternalError("rtl: a MATMUL with a split stream needs the SCALE-Sim counting microarchitecture");
  }
  const int64_t drain = s.depth * (s.rows + s.cols - 2) + s.skew_in + s.skew_out;
  const int64_t step = s.overlap ? std::max(s.t, s.preload) : s.preload + s.t;
  const int64_t gap = step + (ua.fold_pipelining && !s.counting ? 0 : drain);
  for (int64_t f = 0; f < s.folds; ++f) {
    s.row_of.push_back(f % s.fr);
    s.col_of.push_back(f / s.fr);
  }
  s.start.resize(static_cast<size_t>(s.folds));
  s.start[0] = s.preload;
  for (int64_t f = 1; f < s.folds; ++f) {
    const bool same_block = s.fold_col(f) == s.fold_col(f - 1);
    s.start[f] = s.start[f - 1] + (same_block ? std::max(gap, s.rmw) : gap);
  }
  return s;
}

int64_t counted_cycles(const FoldSchedule& s, const MatmulOp& op, const std::vector<int64_t>& fold_landing) {
  if (!s.counting) {
    return *std::max_element(fold_landing.begin(), fold_landing.end()) + 1;
  }
  int64_t total = 0;
  for (int64_t f = 0; f < s.folds; ++f) {
    const int64_t from = op.stream_first ? s.start[f] - s.preload : s.start[f];
    const int64_t to = op.stream_last ? fold_landing[f] + 1 : s.start[f] + s.t;
    total += to - from;
  }
  return total - (op.layer_last ? 1 : 0);
}

}  // namespace systole::rtl::detail
