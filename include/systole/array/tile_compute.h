// The values of one MATMUL tile in functional simulation, SystemC-free: gather the operands from
// scratchpad bytes through the tile's OperandLayouts (isa/isa.h), compute, scatter the result.
//   out[m x n] = (accumulate ? ofmap contents : 0) (+) in[m x k] * w[k x n]
// with the arithmetic of numeric/arith.h: products added in ascending k; weight- and
// input-stationary arrays sum each group of R consecutive k of the tile (one row fold, starting at
// the tile's first k) from 0 and add the group's sum into the accumulator; output-stationary
// arrays add every product straight into it (k_group 0). Integer operands (int8 / int16) with an
// integer accumulator (AccumulatorSpec width and overflow), or float operands (fp16 / bf16 / fp32)
// with an fp32 accumulator.
#pragma once

#include <cstdint>
#include <vector>

#include "systole/isa/isa.h"
#include "systole/numeric/arith.h"

namespace systole::hw {

struct TileNumerics {
  DataType input_type = DataType::kInt8;
  DataType weight_type = DataType::kInt8;
  AccumulatorSpec acc;  // acc.type is the ofmap scratchpad's element type
};

// A scratchpad's bytes.
struct SpmBytes {
  uint8_t* data = nullptr;
  int64_t size = 0;
};

// One tile's operands and accumulator as values, row-major: a (m x k), w (k x n), out (m x n).
// The integer path fills the *_int vectors, the float path the *_fp ones.
struct TileValues {
  int64_t m = 0, n = 0, k = 0;
  bool is_float = false;
  std::vector<int32_t> a_int, w_int;
  std::vector<int64_t> out_int;
  std::vector<float> a_fp, w_fp, out_fp;
};

// Reads a, w and (when op.accumulate) the accumulator from the scratchpads; out starts at 0
// otherwise. Padding elements of the ifmap layout read as 0. Throws InternalError for an element
// outside its scratchpad.
TileValues gather_tile(const MatmulOp& op, const TileNumerics& nx, SpmBytes ifmap, SpmBytes weight,
                       SpmBytes ofmap);
// Zero operands and accumulator of the tile's shape (rtl fidelity without data).
TileValues zero_tile(const MatmulOp& op, const TileNumerics& nx);
// The tile-fidelity computation: out (+)= a * w with the grouping above (k_group = R for WS and
// IS, 0 for OS).
void compute_tile(TileValues& v, const AccumulatorSpec& acc, int64_t k_group);
// Writes out into the ofmap scratchpad through op.ofmap_layout (accumulator type).
void scatter_tile(const MatmulOp& op, const TileNumerics& nx, const TileValues& v, SpmBytes ofmap);

}  // namespace systole::hw
