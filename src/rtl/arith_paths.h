// Private to src/rtl: the arithmetic a PE row performs, one policy per value path. All follow
// numeric/arith.h; the plain integer paths are chosen only when a bound on the operands proves
// that no addition can leave the accumulator's range (so saturation or wrapping could not occur
// and plain addition gives identical results).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <limits>

#include "kernels.h"
#include "systole/numeric/arith.h"

namespace systole::rtl::detail {

// acc_add (numeric/arith.h) with the common case in int64: when acc + x does not overflow int64,
// saturating is a clamp of that sum to [lo, hi] (the 128-bit sum acc_add forms has the same value).
// Wrapping and the overflowing case take acc_add itself.
inline int64_t add_to_accumulator(int64_t acc, int64_t x, const AccumulatorSpec& spec) {
  int64_t s = 0;
  if (spec.overflow == Overflow::kSaturate && !__builtin_add_overflow(acc, x, &s)) {
    const int w = spec.width_bits;
    const int64_t hi = w >= 64 ? INT64_MAX : (int64_t{1} << (w - 1)) - 1;
    const int64_t lo = w >= 64 ? INT64_MIN : -(int64_t{1} << (w - 1));
    return s > hi ? hi : (s < lo ? lo : s);
  }
  return acc_add(acc, x, spec);
}

// Integer partial sums that provably fit int32 and the accumulator width: plain int32 adds.
struct IntPlain32 {
  using V = int32_t;
  using Acc = int32_t;
  using Out = int64_t;
  static constexpr bool kPlain = true;  // kernels.h mac_rows/acc_rows compute it
  AccumulatorSpec spec;
  Acc mac(Acc in, V a, V w) const { return in + a * w; }
  Out add_into(Out o, Acc p) const { return add_to_accumulator(o, p, spec); }
  Acc from_out(Out o) const { return static_cast<Acc>(o); }
  Out to_out(Acc p) const { return p; }
};

// As IntPlain32 with operands held in int16 registers (every int8 and int16 value): half the
// operand bytes per PE and cycle.
struct IntPlain16 {
  using V = int16_t;
  using Acc = int32_t;
  using Out = int64_t;
  static constexpr bool kPlain = true;
  AccumulatorSpec spec;
  Acc mac(Acc in, V a, V w) const { return in + int32_t{a} * int32_t{w}; }
  Out add_into(Out o, Acc p) const { return add_to_accumulator(o, p, spec); }
  Acc from_out(Out o) const { return static_cast<Acc>(o); }
  Out to_out(Acc p) const { return p; }
};

// Integer partial sums that provably fit the accumulator width: plain int64 adds.
struct IntPlain64 {
  using V = int32_t;
  using Acc = int64_t;
  using Out = int64_t;
  static constexpr bool kPlain = true;
  AccumulatorSpec spec;
  Acc mac(Acc in, V a, V w) const { return in + static_cast<int64_t>(a) * w; }
  Out add_into(Out o, Acc p) const { return add_to_accumulator(o, p, spec); }
  Acc from_out(Out o) const { return o; }
  Out to_out(Acc p) const { return p; }
};

// Any integer operands: every addition saturates or wraps to the accumulator width (int_mac).
struct IntExact {
  using V = int32_t;
  using Acc = int64_t;
  using Out = int64_t;
  static constexpr bool kPlain = false;  // every addition saturates or wraps: scalar loops
  AccumulatorSpec spec;
  Acc mac(Acc in, V a, V w) const { return int_mac(in, a, w, spec); }
  Out add_into(Out o, Acc p) const { return add_to_accumulator(o, p, spec); }
  Acc from_out(Out o) const { return o; }
  Out to_out(Acc p) const { return p; }
};

struct Fp32 {
  using V = float;
  using Acc = float;
  using Out = float;
  static constexpr bool kPlain = true;
  AccumulatorSpec spec;
  Acc mac(Acc in, V a, V w) const { return fp_mac(in, a, w); }
  Out add_into(Out o, Acc p) const { return o + p; }
  Acc from_out(Out o) const { return o; }
  Out to_out(Acc p) const { return p; }
};

// Largest |x| over n values (as a double, exact for int32 and int64 magnitudes up to 2^53).
// The int32 versions reduce to the minimum and maximum, which vectorise.
inline void min_max(const int32_t* x, int64_t n, int32_t& lo, int32_t& hi) {
  int32_t l = 0, h = 0;
  for (int64_t i = 0; i < n; ++i) {
    l = std::min(l, x[i]);
    h = std::max(h, x[i]);
  }
  lo = l;
  hi = h;
}
inline double max_abs(const int32_t* x, int64_t n) {
  int32_t lo = 0, hi = 0;
  min_max(x, n, lo, hi);
  return static_cast<double>(std::max(-static_cast<int64_t>(lo), static_cast<int64_t>(hi)));
}
inline double max_abs(const int64_t* x, int64_t n) {
  double m = 0;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, std::abs(static_cast<double>(x[i])));
  return m;
}

inline bool fits_int16(const int32_t* x, int64_t n) {
  int32_t lo = 0, hi = 0;
  min_max(x, n, lo, hi);
  return lo >= INT16_MIN && hi <= INT16_MAX;
}

// Calls fn(policy) with the fastest integer policy whose plain adds are exact: `bound` is an
// upper bound on |any partial sum| (computed in double with margin by the caller); `int16`: every
// operand fits int16.
template <typename Fn>
auto with_int_policy(const AccumulatorSpec& spec, double bound, bool int16, Fn&& fn) {
  const double limit =
      static_cast<double>((spec.width_bits >= 64 ? std::numeric_limits<int64_t>::max()
                                                 : (int64_t{1} << (spec.width_bits - 1)) - 1));
  // A relative margin against rounding in the double bound.
  const double b = bound * (1.0 + 1e-6) + 1.0;
  const bool fits32 = b <= limit && b <= static_cast<double>(std::numeric_limits<int32_t>::max());
  if (fits32 && int16) return fn(IntPlain16{spec});
  if (fits32) return fn(IntPlain32{spec});
  if (b <= limit && b <= 9.0e18) return fn(IntPlain64{spec});
  return fn(IntExact{spec});
}

}  // namespace systole::rtl::detail
