// Closed-form timing and scratchpad traffic of one MATMUL tile on an R x C systolic array.
// Shared by the compiler (to choose tiles) and the tile-fidelity PeArray (to time them); the
// register-level model must reproduce these cycle counts exactly. No SystemC here.
//
// Mapping of a tile out[m x n] += in[m x k] * w[k x n] onto the array (Sr rows-dimension,
// Sc columns-dimension, T streaming time), as in SCALE-Sim v2 (each dataflow's mapping is defined
// once in src/array/dataflows/; the terms below follow from it, array/dataflow.h):
//   WS (weight-stationary): Sr = k, Sc = n, T = m
//   OS (output-stationary): Sr = m, Sc = n, T = k
//   IS (input-stationary):  Sr = k, Sc = m, T = n
// Folds F = Fr * Fc, Fr = ceil(Sr / R) row folds, Fc = ceil(Sc / C) column folds, visited column
// fold outer, row fold inner (so the row folds of one output block follow each other); each fold
// streams T operand vectors.
//
// Terms (microarchitecture fields in ArrayMicroarch, config/arch_spec.h):
//   P  = R when an input is stationary, WS and IS (the stationary block shifts down R rows
//        through the column ports), 0 when the outputs are, OS (they start in the PEs);
//   S  = D * (R + C - 2) + Ki + Ko: the wavefront needs D(R - 1) cycles to reach the last row and
//        D(C - 1) to leave the last column, D = pe_pipeline_depth register stages per hop,
//        Ki = input_skew_registers ? 1 : 0 (input register in front of the skew FIFOs),
//        Ko = output_skew_registers ? 1 : 0 (output register behind the de-skew FIFOs);
//   L  = accumulator_rmw_latency when an input is stationary, WS and IS (fold partial sums are
//        added into the accumulator SRAM), 0 for OS (it accumulates in the PEs);
//   step = preload_overlap ? max(T, P) : P + T   (stream start to stream start, pipelined folds)
//   gap  = step + (fold_pipelining ? 0 : S)      (without pipelining a fold drains first)
//   gap_row = max(gap, L)                        (next row fold of the same output block: its
//                                                 partial sums must not overtake the accumulator
//                                                 write of the previous row fold)
// Cycles of a tile (stream of fold f starts at s_f, s_0 = P; the last result lands L cycles
// after it leaves the array at s_(F-1) + T + S - 1):
//   cycles = P + Fc * (Fr - 1) * gap_row + (Fc - 1) * gap + T + S + L
// With L <= gap this is P + T + (F - 1) * step + (fold_pipelining ? 1 : F) * S + L.
// The SCALE-Sim setting (ArrayMicroarch::scalesim(): no overlap, no pipelining, D = 1, no skew
// registers, L = 0) gives F * (P + T + S), i.e. per fold 2R + C + T - 2 for WS/IS and
// T + R + C - 2 for OS. Under scalesim_counting a fold's stream may be split into chunks over
// several tiles: a chunk costs F * T, plus F * P on the first chunk and F * S on the last, and
// the layer's last tile counts one cycle less.
#pragma once

#include <cstdint>

#include "systole/array/dataflow.h"
#include "systole/config/arch_spec.h"
#include "systole/isa/isa.h"

namespace systole {

struct ArrayGeometry {
  int64_t rows = 0;  // R
  int64_t cols = 0;  // C
  ArrayMicroarch microarch;
};

FoldShape fold_shape(Dataflow d, int64_t m, int64_t n, int64_t k);
int64_t fold_count(const ArrayGeometry& g, const FoldShape& f);
int64_t preload_cycles(const ArrayGeometry& g, Dataflow d);
int64_t skew_cycles(const ArrayGeometry& g);                            // S
int64_t accumulator_latency(const ArrayGeometry& g, Dataflow d);        // L
int64_t row_fold_count(const ArrayGeometry& g, const FoldShape& f);     // Fr
int64_t column_fold_count(const ArrayGeometry& g, const FoldShape& f);  // Fc
// The products one partial sum adds from 0 before the accumulator takes it: the array extent of k
// (R when k lies along the rows), or 0 when k is streamed and products add straight into the
// PEs' accumulators (numeric/k_grouped_sum.h).
int64_t k_group(const ArrayGeometry& g, Dataflow d);

struct TileTiming {
  int64_t cycles = 0;         // array cycles of this tile (closed form above)
  int64_t folds = 0;          // F
  int64_t stream_cycles = 0;  // F * T: cycles in which operands stream through (useful work)
  // The part of cycles - stream_cycles spent shifting the stationary block in (exposed preload):
  // P + (F - 1) * (step - T), i.e. per later fold P without preload_overlap and max(0, P - T)
  // with it; under scalesim_counting F * P on a stream's first chunk (0 otherwise). At most
  // cycles - stream_cycles (clamped: a 1 x 1 array's layer-last chunk counts one cycle less).
  int64_t preload_cycles = 0;
};

// Throws InternalError for an empty tile, for a split stream without scalesim_counting, or for
// scalesim_counting with any field other than ArrayMicroarch::scalesim()'s.
TileTiming tile_timing(const ArrayGeometry& g, const MatmulOp& op);

// Elements the array reads from / writes to the scratchpads for one tile (array/dataflow.h: a
// streamed operand once per fold of the array dimension it is not indexed by; partial sums once
// per fold of k):
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
