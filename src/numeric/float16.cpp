// fp16 / bf16 <-> fp32 by bit manipulation (no hardware conversion instructions, so the result does
// not depend on the host). Encoding: round to nearest, ties to even; values at or above the
// overflow boundary become infinity; NaN keeps its sign and the top payload bits and gets the
// quiet bit set. Decoding is exact (every fp16 and bf16 value is an fp32 value).
#include "systole/numeric/float16.h"

#include <cstring>

namespace systole {
namespace {

uint32_t bits_of(float v) {
  uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

float float_of(uint32_t b) {
  float v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// Rounds `value` >> `shift` to nearest, ties to even (shift in 1..31).
uint32_t shift_rne(uint32_t value, int shift) {
  const uint32_t q = value >> shift;
  const uint32_t rem = value & ((uint32_t{1} << shift) - 1);
  const uint32_t half = uint32_t{1} << (shift - 1);
  return (rem > half || (rem == half && (q & 1u))) ? q + 1 : q;
}

}  // namespace

float fp16_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) return float_of(sign | 0x7f800000u | (mant << 13));  // inf / NaN, payload kept
  if (exp == 0) {
    if (mant == 0) return float_of(sign);
    // Subnormal mant * 2^-24: normalise so that the implicit bit (0x400) is set.
    int e = -14;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --e;
    }
    return float_of(sign | (static_cast<uint32_t>(e + 127) << 23) | ((mant & 0x3ffu) << 13));
  }
  return float_of(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

uint16_t float_to_fp16(float v) {
  const uint32_t x = bits_of(v);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t a = x & 0x7fffffffu;
  if (a > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u | ((a >> 13) & 0x3ffu));  // quiet NaN
  // 65520 = 0x477ff000 is the midpoint between 65504 (max, odd mantissa) and 2^16: ties go to even,
  // i.e. up, so everything from it on (and infinity) becomes infinity.
  if (a >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  // |v| <= 2^-25 (half the smallest subnormal 2^-24; the tie goes to even 0) becomes zero.
  if (a <= 0x33000000u) return sign;
  const int e = static_cast<int>(a >> 23) - 127;
  const uint32_t mant = a & 0x7fffffu;
  if (e >= -14) {
    // Normal: keep 10 of 23 mantissa bits; a carry out of the mantissa bumps the exponent.
    const uint32_t combined = (static_cast<uint32_t>(e + 15) << 23) | mant;
    return static_cast<uint16_t>(sign | shift_rne(combined, 13));
  }
  // Subnormal result: value = (mant | 2^23) * 2^(e-23) = q * 2^-24, so q = M >> (-e - 1).
  // A carry to 0x400 is exactly the smallest normal's encoding.
  return static_cast<uint16_t>(sign | shift_rne(mant | 0x800000u, -e - 1));
}

float bf16_to_float(uint16_t bits) {
  return float_of(static_cast<uint32_t>(bits) << 16);
}

uint16_t float_to_bf16(float v) {
  const uint32_t x = bits_of(v);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x0040u);  // quiet NaN
  // bf16 is the top half of fp32: round the low 16 bits away, ties to even. Overflow carries into
  // the exponent and yields infinity; subnormals round the same way.
  return static_cast<uint16_t>(shift_rne(x, 16));
}

}  // namespace systole
