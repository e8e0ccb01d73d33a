// The element functions of the vector unit, defined once (like numeric/arith.h for the MAC): the
// functional vector unit and the reference layers both call these, so a layer's vector math has
// one meaning. No SystemC here.
//
// Integers carry no quantisation scale or zero point: a stored integer tensor element *is* the
// value (units of 1). An integer accumulator of a layer requantised with `shift` holds the value
// in units of 2^-shift (requantize divides by 2^shift). Float functions take and return fp32; the
// transcendental parts are evaluated in double and rounded once to fp32; the caller rounds the
// result to the output dtype (fp16 / bf16).
#pragma once

#include <cstdint>

namespace systole {

// relu: max(x, 0).
int64_t relu_int(int64_t x);
// relu6 on integers: clamp(x, 0, 6 * 2^shift), i.e. the value 6 in the units of x. On a stored
// tensor shift = 0 (clamp to [0, 6]); on an accumulator it is the layer's requantisation shift,
// and requantize(relu6_int(acc, s), s, t) == relu6_int(requantize(acc, s, t), 0) for every
// integer output dtype t (requantize is monotone and maps 0 -> 0 and 6 * 2^s -> 6), so a fused
// relu6 may run before or after requantisation. shift in 0..56.
int64_t relu6_int(int64_t x, int shift);

// Float activations (NaN in gives NaN out).
float relu_fp(float x);     // x > 0 ? x : +0
float relu6_fp(float x);    // min(max(x, 0), 6)
float gelu_fp(float x);     // tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
float sigmoid_fp(float x);  // 1 / (1 + exp(-x))
float tanh_fp(float x);
float silu_fp(float x);       // x / (1 + exp(-x)) (x * sigmoid(x), the Swish of SwiGLU)
float hardswish_fp(float x);  // x * min(max(x + 3, 0), 6) / 6 (MobileNetV3)

// round_half_to_even(num / den) for den > 0 (the integer average pool).
int64_t div_round_half_even(int64_t num, int64_t den);

// Elementwise arithmetic (the add, sub, mul and div layers): one step of the left-to-right fold
// over a layer's operands, a op b.
enum class ArithOp { kAdd, kSub, kMul, kDiv };
const char* to_string(ArithOp op);  // "add", "sub", "mul", "div"
// On exact integer values (the operands' own; the caller saturates the result to the dtype):
// sums and differences exact (operands within +-2^40), products saturated to int64's range, a
// quotient truncated toward zero (ONNX's integer Div); a / 0 is INT64_MAX or INT64_MIN by a's sign
// and 0 / 0 is 0 (no trap, no undefined behaviour).
int64_t arith_int(ArithOp op, int64_t a, int64_t b);
// In fp32: one IEEE operation rounded to nearest even (x / 0 gives inf or NaN as IEEE says).
float arith_fp(ArithOp op, float a, float b);

// Softmax of one row of n > 0 values: m = max(x); e_i = exp(x_i - m) and s = sum_i e_i (ascending
// i) in double; y_i = fp32(e_i / s).
void softmax_fp(const float* x, float* y, int64_t n);

// Layer normalisation of one row of n > 0 values, without affine parameters (scale 1, shift 0):
// mean and (population) variance in double over ascending i,
// y_i = fp32((x_i - mean) / sqrt(var + kLayerNormEps)).
inline constexpr double kLayerNormEps = 1e-5;
void layernorm_fp(const float* x, float* y, int64_t n);
// Causal softmax of a row of n scores of which the first `keep` (1..n) are visible: softmax_fp
// over them, 0 for the rest.
void softmax_causal_fp(const float* x, float* y, int64_t n, int64_t keep);
// RMSNorm of a row of n values (Zhang & Sennrich 2019, Llama), no scale: ms = mean of x_i^2 in
// double; y_i = fp32(x_i / sqrt(ms + kRmsNormEps)).
inline constexpr double kRmsNormEps = 1e-5;
void rmsnorm_fp(const float* x, float* y, int64_t n);
// Rotary position embedding (Su et al. 2021) of one row of d (even) values at `position`: pair k
// (k < d / 2) is rotated by the angle position * theta^(-2k / d). `interleaved` pairs elements
// (2k, 2k + 1) (GPT-J, Meta's Llama code); otherwise (k, k + d / 2) ("rotate_half": GPT-NeoX,
// Hugging Face Llama). For a pair (a, b): a' = a cos - b sin, b' = b cos + a sin, in double,
// rounded to fp32.
void rotary_fp(const float* x, float* y, int64_t d, int64_t position, double theta, bool interleaved);

}  // namespace systole
