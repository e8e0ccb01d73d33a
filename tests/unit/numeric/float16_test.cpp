// fp16 / bf16 conversions: exhaustive round trips, an independent decoder, an independent encoder
// on a sweep of fp32 bit patterns, and the rounding cases written out.
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include "systole/numeric/float16.h"

namespace systole {
namespace {

uint32_t bits(float v) {
  uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
float from_bits(uint32_t b) {
  float v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// Decoding by the textbook formula, in double: (-1)^s * 2^(e-15) * (1 + m/1024), subnormals
// (-1)^s * m * 2^-24.
double fp16_formula(uint16_t h) {
  const int s = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  const double sign = s ? -1.0 : 1.0;
  if (e == 0x1f) return m ? NAN : sign * INFINITY;
  if (e == 0) return sign * std::ldexp(m, -24);
  return sign * std::ldexp(1.0 + m / 1024.0, e - 15);
}

TEST(Float16, DecodeMatchesFormulaForAllPatterns) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = fp16_to_float(static_cast<uint16_t>(h));
    const double want = fp16_formula(static_cast<uint16_t>(h));
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(f)) << std::hex << h;
    } else {
      EXPECT_EQ(static_cast<double>(f), want) << std::hex << h;
      EXPECT_EQ(std::signbit(f), (h & 0x8000) != 0) << std::hex << h;
    }
  }
}

TEST(Float16, ExhaustiveRoundTrip) {
  int nans = 0;
  for (uint32_t h = 0; h < 65536; ++h) {
    const uint16_t b = static_cast<uint16_t>(h);
    const float f = fp16_to_float(b);
    const uint16_t back = float_to_fp16(f);
    if ((b & 0x7c00) == 0x7c00 && (b & 0x3ff) != 0) {
      ++nans;
      EXPECT_TRUE(std::isnan(fp16_to_float(back))) << std::hex << h;
      EXPECT_EQ(back & 0x8000, b & 0x8000) << "NaN keeps its sign " << std::hex << h;
      EXPECT_NE(back & 0x200, 0) << "NaN comes back quiet " << std::hex << h;
      if (b & 0x200) {
        EXPECT_EQ(back, b) << "a quiet NaN keeps its payload " << std::hex << h;
      }
    } else {
      EXPECT_EQ(back, b) << std::hex << h;
    }
  }
  EXPECT_EQ(nans, 2 * 1023);
}

TEST(Bfloat16, ExhaustiveRoundTrip) {
  int nans = 0;
  for (uint32_t h = 0; h < 65536; ++h) {
    const uint16_t b = static_cast<uint16_t>(h);
    const float f = bf16_to_float(b);
    EXPECT_EQ(bits(f), h << 16);  // decoding is the top half of fp32
    const uint16_t back = float_to_bf16(f);
    if ((b & 0x7f80) == 0x7f80 && (b & 0x7f) != 0) {
      ++nans;
      EXPECT_TRUE(std::isnan(bf16_to_float(back))) << std::hex << h;
      EXPECT_NE(back & 0x40, 0) << std::hex << h;
      if (b & 0x40) {
        EXPECT_EQ(back, b) << std::hex << h;
      }
    } else {
      EXPECT_EQ(back, b) << std::hex << h;
    }
  }
  EXPECT_EQ(nans, 2 * 127);
}

// Independent bf16 encoder: the two neighbouring bf16 values (truncation and the next one up in
// magnitude), the nearer one in exact double arithmetic, ties to the even encoding.
uint16_t bf16_oracle(float v) {
  const uint32_t x = bits(v);
  const uint16_t lo = static_cast<uint16_t>(x >> 16);
  if ((x & 0xffff) == 0) return lo;
  const uint16_t hi = static_cast<uint16_t>(lo + 1);
  const double dv = std::fabs(static_cast<double>(v));
  const double dlo = std::fabs(static_cast<double>(from_bits(static_cast<uint32_t>(lo) << 16)));
  // The value above the largest finite bf16 rounds like a next binade step (2^128).
  const double dhi = (hi & 0x7f80) == 0x7f80
                         ? std::ldexp(1.0, 128)
                         : std::fabs(static_cast<double>(from_bits(static_cast<uint32_t>(hi) << 16)));
  if (dv - dlo < dhi - dv) return lo;
  if (dv - dlo > dhi - dv) return hi;
  return (lo & 1) ? hi : lo;
}

TEST(Bfloat16, EncodeMatchesOracleOnSweep) {
  for (uint64_t x = 0; x < (uint64_t{1} << 32); x += 65521) {  // prime stride: all bit positions
    const float v = from_bits(static_cast<uint32_t>(x));
    if (std::isnan(v)) continue;
    ASSERT_EQ(float_to_bf16(v), bf16_oracle(v)) << std::hex << x;
  }
}

#if defined(__FLT16_MAX__)
// GCC's _Float16 conversion (libgcc's software __truncsfhf2 or F16C) as an independent encoder.
TEST(Float16, EncodeMatchesCompilerFloat16OnSweep) {
  for (uint64_t x = 0; x < (uint64_t{1} << 32); x += 4099) {
    const float v = from_bits(static_cast<uint32_t>(x));
    if (std::isnan(v)) continue;
    const _Float16 h = static_cast<_Float16>(v);
    uint16_t want;
    std::memcpy(&want, &h, sizeof want);
    ASSERT_EQ(float_to_fp16(v), want) << std::hex << x;
  }
}
#endif

TEST(Float16, TiesToEven) {
  // Around 1.0 the fp16 spacing is 2^-10; halfway cases go to the even mantissa.
  EXPECT_EQ(float_to_fp16(1.0f + 0x1p-11f), 0x3c00);             // 1 + half ulp -> 1.0 (even)
  EXPECT_EQ(float_to_fp16(1.0f + 3 * 0x1p-11f), 0x3c02);         // 1 + 1.5 ulp -> 1 + 2 ulp (even)
  EXPECT_EQ(float_to_fp16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);  // just above half -> up
  EXPECT_EQ(float_to_fp16(-(1.0f + 0x1p-11f)), 0xbc00);
  EXPECT_EQ(float_to_fp16(2049.0f), 0x6800);  // 2049 between 2048 and 2050 -> 2048
  EXPECT_EQ(float_to_fp16(2051.0f), 0x6802);  // spacing 2: 2050 = 0x6801 (odd), 2052 = 0x6802
  // Subnormal ties: 2^-25 is half of the smallest subnormal -> 0; 3 * 2^-25 -> 2 * 2^-24.
  EXPECT_EQ(float_to_fp16(0x1p-25f), 0x0000);
  EXPECT_EQ(float_to_fp16(3 * 0x1p-25f), 0x0002);
  EXPECT_EQ(float_to_fp16(0x1p-25f + 0x1p-40f), 0x0001);
  EXPECT_EQ(float_to_fp16(-0x1p-26f), 0x8000);  // underflow keeps the sign
}

TEST(Float16, ExtremesAndOverflowBoundary) {
  EXPECT_EQ(float_to_fp16(65504.0f), 0x7bff);  // largest finite
  EXPECT_EQ(fp16_to_float(0x7bff), 65504.0f);
  EXPECT_EQ(float_to_fp16(65519.996f), 0x7bff);  // below the midpoint 65520
  EXPECT_EQ(float_to_fp16(65520.0f), 0x7c00);    // midpoint, odd max -> inf
  EXPECT_EQ(float_to_fp16(-65520.0f), 0xfc00);
  EXPECT_EQ(float_to_fp16(1e10f), 0x7c00);
  EXPECT_EQ(float_to_fp16(INFINITY), 0x7c00);
  EXPECT_EQ(fp16_to_float(0x0400), 0x1p-14f);             // smallest normal
  EXPECT_EQ(fp16_to_float(0x0001), 0x1p-24f);             // smallest subnormal
  EXPECT_EQ(fp16_to_float(0x03ff), 1023 * 0x1p-24f);      // largest subnormal
  EXPECT_EQ(float_to_fp16(0x1p-14f - 0x1p-25f), 0x0400);  // rounds up into the normals
  EXPECT_EQ(float_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(float_to_fp16(1e-30f), 0x0000);
  EXPECT_EQ(float_to_fp16(std::nanf("")) & 0x7e00, 0x7e00);
}

TEST(Bfloat16, RoundingAndExtremes) {
  EXPECT_EQ(float_to_bf16(1.0f + 0x1p-8f), 0x3f80);  // half ulp (2^-7) -> even
  EXPECT_EQ(float_to_bf16(1.0f + 3 * 0x1p-8f), 0x3f82);
  EXPECT_EQ(float_to_bf16(1.0f + 0x1p-8f + 0x1p-20f), 0x3f81);
  EXPECT_EQ(float_to_bf16(from_bits(0x7f7fffff)), 0x7f80);  // FLT_MAX rounds to inf
  EXPECT_EQ(float_to_bf16(from_bits(0x7f7f7fff)), 0x7f7f);  // below the midpoint: max finite
  EXPECT_EQ(float_to_bf16(from_bits(0x7f7f8000)), 0x7f80);  // midpoint, odd -> inf
  EXPECT_EQ(float_to_bf16(from_bits(0x00008000)), 0x0000);  // subnormal tie -> even 0
  EXPECT_EQ(float_to_bf16(from_bits(0x00018000)), 0x0002);  // subnormal tie -> even 2
  EXPECT_EQ(float_to_bf16(-INFINITY), 0xff80);
  EXPECT_EQ(float_to_bf16(from_bits(0x7f800001)) & 0x7fc0, 0x7fc0);  // signalling NaN -> quiet
}

}  // namespace
}  // namespace systole
