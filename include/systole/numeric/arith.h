// The arithmetic of one MAC, defined once: both array models (tile-functional and register-level)
// and the reference loop nests use these functions, so "the same numbers" has one meaning.
// No SystemC here.
//
// Integer path (int8 / int16 operands): operands are exact int32, products exact int64, and every
// addition into an accumulator of `width_bits` either saturates (clamps to
// [-2^(w-1), 2^(w-1) - 1]) or wraps (two's complement modulo 2^w), after each addition.
// Float path (fp16 / bf16 / fp32 operands): operands are converted exactly to fp32 (every fp16
// and bf16 value is an fp32 value); the product and each addition are rounded to fp32 with
// round-to-nearest-even (plain C++ float `*` and `+`, never fused: the whole build passes
// -ffp-contract=off, see CMakeLists.txt). The accumulator of the float path is fp32.
//
// Accumulation order (it matters for saturation and for floats): a systolic column or PE adds
// products in ascending k; weight- and input-stationary arrays form a partial sum over each
// group of R consecutive k (one fold's rows, starting from 0) and then add it into the
// accumulator; output-stationary arrays add every product straight into the accumulator.
#pragma once

#include <cstdint>
#include <string>

#include "systole/numeric/data_type.h"

namespace systole {

enum class Overflow { kSaturate, kWrap };
const char* to_string(Overflow o);  // "saturate", "wrap"
bool parse_overflow(const std::string& s, Overflow* out);

struct AccumulatorSpec {
  DataType type = DataType::kInt32;  // kInt32 (integer path) or kFp32 (float path)
  int width_bits = 32;               // integer path only: 8..64
  Overflow overflow = Overflow::kSaturate;
};

// Integer accumulator addition: (acc + x) saturated or wrapped to spec.width_bits.
inline int64_t acc_add(int64_t acc, int64_t x, const AccumulatorSpec& spec) {
  const int w = spec.width_bits;
  if (spec.overflow == Overflow::kSaturate) {
    const int64_t hi = w >= 64 ? INT64_MAX : (int64_t{1} << (w - 1)) - 1;
    const int64_t lo = w >= 64 ? INT64_MIN : -(int64_t{1} << (w - 1));
    // acc and x are within w <= 64 bits; use __int128 so the sum itself cannot overflow.
    const __int128 s = static_cast<__int128>(acc) + x;
    return s > hi ? hi : (s < lo ? lo : static_cast<int64_t>(s));
  }
  const uint64_t s = static_cast<uint64_t>(acc) + static_cast<uint64_t>(x);
  if (w >= 64) return static_cast<int64_t>(s);
  const uint64_t mask = (uint64_t{1} << w) - 1;
  const uint64_t v = s & mask;
  const uint64_t sign = uint64_t{1} << (w - 1);
  return static_cast<int64_t>(v ^ sign) - static_cast<int64_t>(sign);
}

// Integer MAC: acc + a * b (exact product) into the accumulator.
inline int64_t int_mac(int64_t acc, int32_t a, int32_t b, const AccumulatorSpec& spec) {
  return acc_add(acc, static_cast<int64_t>(a) * b, spec);
}

// Float MAC: fp32(acc + fp32(a * b)), two roundings, never fused.
inline float fp_mac(float acc, float a, float b) {
  const float p = a * b;  // the build passes -ffp-contract=off, so this is never an FMA
  return acc + p;
}

}  // namespace systole
