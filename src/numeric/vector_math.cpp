#include "systole/numeric/vector_math.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole {

int64_t relu_int(int64_t x) {
  return x > 0 ? x : 0;
}

int64_t relu6_int(int64_t x, int shift) {
  if (shift < 0 || shift > 56)
    throw InternalError("relu6_int shift " + std::to_string(shift) + " not in 0..56");
  const int64_t hi = int64_t{6} << shift;
  return x < 0 ? 0 : (x > hi ? hi : x);
}

float relu_fp(float x) {
  if (std::isnan(x)) return x;
  return x > 0.0f ? x : 0.0f;
}

float relu6_fp(float x) {
  if (std::isnan(x)) return x;
  return x > 6.0f ? 6.0f : (x > 0.0f ? x : 0.0f);
}

float gelu_fp(float x) {
  const double v = x;
  constexpr double kSqrt2OverPi = 0.79788456080286535588;  // sqrt(2 / pi)
  return static_cast<float>(0.5 * v * (1.0 + std::tanh(kSqrt2OverPi * (v + 0.044715 * v * v * v))));
}

float sigmoid_fp(float x) {
  return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x))));
}

float tanh_fp(float x) {
  return static_cast<float>(std::tanh(static_cast<double>(x)));
}

float silu_fp(float x) {
  const double v = x;
  return static_cast<float>(v / (1.0 + std::exp(-v)));
}

float hardswish_fp(float x) {
  const double v = x;
  return static_cast<float>(v * std::min(std::max(v + 3.0, 0.0), 6.0) / 6.0);
}

int64_t div_round_half_even(int64_t num, int64_t den) {
  if (den <= 0) throw InternalError("div_round_half_even by " + std::to_string(den));
  int64_t q = num / den, r = num % den;  // truncating: r has num's sign
  if (r < 0) {
    q -= 1;
    r += den;
  }
  // Now num = q * den + r with 0 <= r < den; compare 2r with den without overflow.
  const int64_t twice_r_minus_den = r - (den - r);
  if (twice_r_minus_den > 0 || (twice_r_minus_den == 0 && (q & 1) != 0)) q += 1;
  return q;
}

const char* to_string(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd:
      return "add";
    case ArithOp::kSub:
      return "sub";
    case ArithOp::kMul:
      return "mul";
    case ArithOp::kDiv:
      return "div";
  }
  return "?";
}

int64_t arith_int(ArithOp op, int64_t a, int64_t b) {
  switch (op) {
    case ArithOp::kAdd:
      return a + b;
    case ArithOp::kSub:
      return a - b;
    case ArithOp::kMul: {
      int64_t r = 0;
      if (__builtin_mul_overflow(a, b, &r)) r = (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
      return r;
    }
    case ArithOp::kDiv:
      if (b == 0) return a == 0 ? 0 : a > 0 ? INT64_MAX : INT64_MIN;
      if (a == INT64_MIN && b == -1) return INT64_MAX;
      return a / b;  // C++ truncates toward zero
  }
  return 0;
}

float arith_fp(ArithOp op, float a, float b) {
  switch (op) {
    case ArithOp::kAdd:
      return a + b;
    case ArithOp::kSub:
      return a - b;
    case ArithOp::kMul:
      return a * b;
    case ArithOp::kDiv:
      return a / b;
  }
  return 0.0f;
}

void softmax_fp(const float* x, float* y, int64_t n) {
  if (n <= 0) throw InternalError("softmax of an empty row");
  float m = x[0];
  for (int64_t i = 1; i < n; ++i) {
    if (x[i] > m || std::isnan(x[i])) m = x[i];
  }
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += std::exp(static_cast<double>(x[i]) - m);
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(std::exp(static_cast<double>(x[i]) - m) / s);
}

void softmax_causal_fp(const float* x, float* y, int64_t n, int64_t keep) {
  if (keep < 1 || keep > n) throw InternalError(fmt::format("causal softmax keeping {} of {}", keep, n));
  softmax_fp(x, y, keep);
  for (int64_t i = keep; i < n; ++i) y[i] = 0.0f;
}

void rmsnorm_fp(const float* x, float* y, int64_t n) {
  if (n <= 0) throw InternalError("rmsnorm of an empty row");
  double ms = 0.0;
  for (int64_t i = 0; i < n; ++i) ms += static_cast<double>(x[i]) * x[i];
  ms /= static_cast<double>(n);
  const double rms = std::sqrt(ms + kRmsNormEps);
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(x[i] / rms);
}

void rotary_fp(const float* x, float* y, int64_t d, int64_t position, double theta, bool interleaved) {
  if (d <= 0 || d % 2 != 0) throw InternalError(fmt::format("rotary embedding of a row of {} values", d));
  const int64_t half = d / 2;
  for (int64_t k = 0; k < half; ++k) {
    const double angle = static_cast<double>(position) * std::pow(theta, -2.0 * static_cast<double>(k) / d);
    const double c = std::cos(angle), s = std::sin(angle);
    const int64_t i = interleaved ? 2 * k : k, j = interleaved ? 2 * k + 1 : k + half;
    const double a = x[i], b = x[j];
    y[i] = static_cast<float>(a * c - b * s);
    y[j] = static_cast<float>(b * c + a * s);
  }
}

void layernorm_fp(const float* x, float* y, int64_t n) {
  if (n <= 0) throw InternalError("layernorm of an empty row");
  double mean = 0.0;
  for (int64_t i = 0; i < n; ++i) mean += x[i];
  mean /= static_cast<double>(n);
  double var = 0.0;
  for (int64_t i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  var /= static_cast<double>(n);
  const double sd = std::sqrt(var + kLayerNormEps);
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>((x[i] - mean) / sd);
}

}  // namespace systole
