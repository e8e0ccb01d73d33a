// Private to src/rtl: the array controller's fold schedule and the cycle count measured from the
// registers. Both dataflow engines use it. Folds are visited column fold outer, row fold inner
// (f = fj * Fr + fi), as array/array_timing.h assumes.
#pragma once

#include <cstdint>
#include <vector>

#include "systole/rtl/run_tile.h"

namespace systole::rtl::detail {

struct FoldSchedule {
  int64_t rows = 0, cols = 0;  // R, C
  int64_t depth = 1;           // D: register stages per PE hop
  int64_t skew_in = 0;         // Ki: input register in front of the skew FIFOs (0 or 1)
  int64_t skew_out = 0;        // Ko: output register behind the de-skew FIFOs (0 or 1)
  int64_t rmw = 0;             // L: accumulator read-modify-write latency (0 for os)
  int64_t preload = 0;         // P: cycles a column port takes to shift a stationary block in
  int64_t sr = 0, sc = 0, t = 0;
  int64_t fr = 0, fc = 0, folds = 0;
  bool overlap = true;  // double-buffered stationary registers
  bool counting = false;
  // Stream start of each fold: the cycle its operand vector 0 is read from the scratchpad.
  std::vector<int64_t> start;
  // f % fr and f / fr of each fold, tabulated: the engines ask every cycle, and a division costs
  // more than the rest of a marker.
  std::vector<int64_t> row_of, col_of;

  int64_t fold_row(int64_t f) const { return row_of[static_cast<size_t>(f)]; }
  int64_t fold_col(int64_t f) const { return col_of[static_cast<size_t>(f)]; }
};

// The controller's issue rule: s_0 = P, and fold f + 1 streams
//   preload_overlap ? max(T, P) : P + T     after fold f (its stationary block is in place),
//   + (R + C - 2) * D + Ki + Ko             more without fold_pipelining (fold f has drained),
// and never sooner than L after fold f when both are row folds of one output block. Under
// scalesim_counting every fold drains before the next (the SCALE-Sim setting).
// The register model checks that this schedule is hazard-free while it runs.
FoldSchedule make_schedule(const TileRequest& req);

// Counted cycles from the measured landing cycle of each fold's last result: max + 1, or under
// scalesim_counting the sum over folds of [first chunk ? preload start : stream start,
// last chunk ? last landing + 1 : stream end) minus layer_last.
int64_t counted_cycles(const FoldSchedule& s, const MatmulOp& op, const std::vector<int64_t>& fold_landing);

// What every engine returns once its cycle loop has ended after `simulated_cycles` cycles.
inline TileResult tile_result(const FoldSchedule& s, const MatmulOp& op,
                              const std::vector<int64_t>& fold_landing, int64_t simulated_cycles) {
  TileResult res;
  res.cycles = counted_cycles(s, op, fold_landing);
  res.folds = s.folds;
  res.simulated_cycles = simulated_cycles;
  res.pe_cycles = simulated_cycles * s.rows * s.cols;
  return res;
}

}  // namespace systole::rtl::detail
