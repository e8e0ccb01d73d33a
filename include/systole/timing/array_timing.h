// Closed-form timing and scratchpad traffic of one MATMUL tile on an R x C systolic array.
// Shared by the compiler (to choose tiles) and the tile-fidelity PeArray (to time them); the
// register-level model must reproduce these cycle counts exactly. No SystemC here.
//
// Mapping of a tile out[m x n] += in[m x k] * w[k x n] onto the array (Sr rows-dimension,
// Sc columns-dimension, T streaming time), as in SCALE-Sim v2:
//   WS (weight-stationary): Sr = k, Sc = n, T = m
//   OS (output-stationary): Sr = m, Sc = n, T = k
//   IS (input-stationary):  Sr = k, Sc = m, T = n
// Folds F = ceil(Sr / R) * ceil(Sc / C); each fold streams T operand vectors.
// Stationary preload P = R cycles for WS and IS (operands shift down R rows), 0 for OS.
// Skew S = R + C - 2 cycles (wavefront fill and drain across the array).
//
// Cycles of a tile:
//   cycles = P + T + (F - 1) * step + (fold_pipelining ? 1 : F) * S
//   step   = preload_overlap ? max(T, P) : P + T
// With the SCALE-Sim setting (no overlap, no pipelining) this is F * (P + T + S), i.e. per fold
// 2R + C + T - 2 for WS/IS and T + R + C - 2 for OS. Under scalesim_counting a fold's stream may
// be split into chunks over several tiles: a chunk costs F * T, plus F * P on the first chunk
// and F * S on the last, and the layer's last tile counts one cycle less.
#pragma once

#include <cstdint>

#include "systole/compiler/isa.h"
#include "systole/config/arch_spec.h"

namespace systole {

struct ArrayGeometry {
  int64_t rows = 0;  // R
  int64_t cols = 0;  // C
  ArrayMicroarch microarch;
};

struct FoldShape {
  int64_t sr = 0, sc = 0, t = 0;
};

FoldShape fold_shape(Dataflow d, int64_t m, int64_t n, int64_t k);
int64_t fold_count(const ArrayGeometry& g, const FoldShape& f);
int64_t preload_cycles(const ArrayGeometry& g, Dataflow d);
int64_t skew_cycles(const ArrayGeometry& g);

struct TileTiming {
  int64_t cycles = 0;         // array cycles of this tile (closed form above)
  int64_t folds = 0;          // F
  int64_t stream_cycles = 0;  // F * T: cycles in which operands stream through (useful work)
};

// Throws InternalError for an empty tile, or for a split stream without scalesim_counting.
TileTiming tile_timing(const ArrayGeometry& g, const MatmulOp& op);

// Elements the array reads from / writes to the scratchpads for one tile:
//   WS: weights k*n once; inputs ceil(n/C)*m*k; partial sums written ceil(k/R)*m*n and read
//       (ceil(k/R) - 1 + accumulate)*m*n (accumulator read-modify-write between row folds)
//   OS: inputs ceil(n/C)*m*k; weights ceil(m/R)*k*n; outputs written m*n, read accumulate*m*n
//   IS: inputs k*m once; weights ceil(m/C)*k*n; partial sums as WS
struct TileTraffic {
  int64_t ifmap_reads = 0;
  int64_t weight_reads = 0;
  int64_t ofmap_reads = 0;
  int64_t ofmap_writes = 0;
};
TileTraffic tile_traffic(const ArrayGeometry& g, const MatmulOp& op);

}  // namespace systole
