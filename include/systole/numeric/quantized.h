// Quantised vector functions (docs/numerics.md "Quantised vector functions"). The functions only
// floats define (softmax, layernorm, rmsnorm, rotary, gelu, sigmoid, tanh, silu, hardswish) run on
// integer data through per-tensor affine quantisation, real = scale x (q - zero_point): each
// element is dequantised to fp32, the float function runs, and each result is quantised back
// (round half to even, then saturate). The vector unit and the reference both go through these
// functions, so integer runs stay bit-exact.
//
// A tensor may carry its own parameters (the workload's `quant: {scale, zero_point}`, any scale >
// 0, dequantising then rounds once to fp32). Without them they are fixed per format and range
// (powers of two, so dequantising is exact in fp32):
//   kWide           [-8, 8):  scale 2^(4 - bits), zero point 0     (int8: 1/16)
//   kUnit           [0, 1):   scale 2^-bits,      zero point -2^(bits - 1)  (int8: 1/256, -128)
//   kSymmetricUnit  [-1, 1):  scale 2^(1 - bits), zero point 0     (int8: 1/128)
// Inputs are always kWide; outputs by function: softmax and sigmoid kUnit, tanh kSymmetricUnit,
// the others kWide. A GEMM's requantised int8 outputs (docs/functional.md "Requantisation") use
// about a quarter of their range, so read as kWide they are values of about +-2: the range
// attention scores and pre-activations have.
#pragma once

#include <cstdint>
#include <optional>

#include "systole/numeric/data_type.h"

namespace systole {

enum class QuantRange { kWide, kUnit, kSymmetricUnit };

struct QuantParams {
  float scale = 1.0f;
  int64_t zero_point = 0;
  friend bool operator==(const QuantParams& a, const QuantParams& b) {
    return a.scale == b.scale && a.zero_point == b.zero_point;
  }
};

// The parameters of `range` for the integer format `t` (InternalError for a float format).
QuantParams quant_params(DataType t, QuantRange range);
// A tensor's own parameters (a workload's `quant`, Layer::quant) when it has them, else those of
// `range` for `t`: what a quantised function reads its input with or writes its output with.
QuantParams quant_params(DataType t, QuantRange range, const std::optional<QuantParams>& given);
// fp32(q - zero_point) x scale in fp32 (exact when the scale is a power of two).
float dequantize(int64_t q, const QuantParams& p);
// round_half_even(y / scale) + zero_point, saturated to `t`; NaN gives the zero point.
int64_t quantize(float y, const QuantParams& p, DataType t);

}  // namespace systole
