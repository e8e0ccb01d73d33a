// The register-level (rtl) model of the systolic array: one MATMUL tile simulated cycle by cycle.
// Every PE holds its registers (stationary operand and, with preload_overlap, its shadow; the
// moving operand(s) with their valid/fold tags; the partial sum and its pipeline stages), and each
// cycle all PEs update from the previous cycle's registers. The dataflow (rtl/dataflow.h) defines
// how the registers shift; docs/rtl-array.md describes them per dataflow. No SystemC here.
//
// Contract: for every tile, TileResult::cycles equals array/array_timing.h tile_timing().cycles
// and the outputs equal numeric/gemm_reference.h reference_gemm_int/fp with k_group = R for ws and is
// and 0 for os (tests/fidelity/rtl_equivalence_test.cpp checks both).
#pragma once

#include <cstdint>

#include "systole/array/array_observer.h"
#include "systole/array/array_timing.h"
#include "systole/isa/isa.h"
#include "systole/numeric/arith.h"

namespace systole::rtl {

struct TileRequest {
  ArrayGeometry geometry;  // R, C and the microarchitecture
  MatmulOp op;             // dataflow, m, n, k, accumulate, stream_first/last, layer_last
  AccumulatorSpec acc;     // kInt32 (with width and overflow) for the integer path, kFp32 for floats
};

struct TileResult {
  // Cycles of the tile counted as tile_timing counts them: the cycle after the last result lands
  // in the accumulator (SCALE-Sim counting: the sum of each fold's counted span, minus one for a
  // layer's last tile). Measured from the simulated registers, not computed from the closed form.
  int64_t cycles = 0;
  int64_t folds = 0;
  int64_t simulated_cycles = 0;  // clock cycles the engine stepped (includes uncounted preload/drain)
  int64_t pe_cycles = 0;         // simulated_cycles * R * C: the work the engine did
};

// Integer path: a (m x k) and w (k x n) row-major int32 operands (int8/int16 values); out (m x n)
// row-major int64 accumulators, read as the initial value when op.accumulate, else overwritten.
// Requires acc.type == kInt32. Throws InternalError for a malformed request or a register hazard
// (an operand meeting a stationary value of another fold, an accumulator read before the previous
// row fold's write landed): the schedule would be wrong.
TileResult run_tile(const TileRequest& req, const int32_t* a, const int32_t* w, int64_t* out,
                    IArrayObserver* observer = nullptr);

// Float path (fp16/bf16/fp32 operands given exactly as fp32): as above with fp32 accumulators.
// Requires acc.type == kFp32.
TileResult run_tile(const TileRequest& req, const float* a, const float* w, float* out,
                    IArrayObserver* observer = nullptr);

}  // namespace systole::rtl
