// Reference GEMM: k_group semantics made visible by saturation and by float rounding, wrap
// invariance, and requantisation ties.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/numeric/gemm_reference.h"
#include "systole/numeric/random.h"

namespace systole {
namespace {

AccumulatorSpec acc(int width, Overflow o) {
  AccumulatorSpec s;
  s.width_bits = width;
  s.overflow = o;
  return s;
}

int64_t dot1(const std::vector<int32_t>& a, const AccumulatorSpec& spec, int64_t k_group) {
  const std::vector<int32_t> ones(a.size(), 1);
  int64_t out = 0;
  reference_gemm_int(1, 1, static_cast<int64_t>(a.size()), a.data(), ones.data(), &out, false, spec, k_group);
  return out;
}

TEST(ReferenceGemm, HandWorkedIntProduct) {
  // [[1, 2, 3], [4, 5, 6]] x [[1, -1], [0, 2], [-3, 1]] = [[1 - 9, -1 + 4 + 3], [4 - 18, -4 + 10 + 6]]
  const std::vector<int32_t> a = {1, 2, 3, 4, 5, 6}, w = {1, -1, 0, 2, -3, 1};
  std::vector<int64_t> out(4, 0);
  reference_gemm_int(2, 2, 3, a.data(), w.data(), out.data(), false, acc(32, Overflow::kSaturate), 0);
  EXPECT_EQ(out, (std::vector<int64_t>{-8, 6, -14, 12}));
  // accumulate adds onto what is there: out + the same product again.
  reference_gemm_int(2, 2, 3, a.data(), w.data(), out.data(), true, acc(32, Overflow::kSaturate), 2);
  EXPECT_EQ(out, (std::vector<int64_t>{-16, 12, -28, 24}));
}

TEST(ReferenceGemm, KGroupChangesSaturatedResult) {
  // Width 8, products 100, 100, -100, -100:
  //   k_group 0 (OS): 100 -> 127 (200 saturates) -> 27 -> -73
  //   k_group 2 (fold of 2 rows): group sums sat(200) = 127 and sat(-200) = -128; 0 + 127 - 128 = -1
  //   k_group 4: one group = the same sequence as k_group 0 -> -73; k_group 1: each product alone -> -73
  //   k_group 3: group 100 + 100 - 100 -> 127 - 100 = 27, then 27 - 100 = -73
  const std::vector<int32_t> a = {100, 100, -100, -100};
  const auto sat8 = acc(8, Overflow::kSaturate);
  EXPECT_EQ(dot1(a, sat8, 0), -73);
  EXPECT_EQ(dot1(a, sat8, 2), -1);
  EXPECT_EQ(dot1(a, sat8, 4), -73);
  EXPECT_EQ(dot1(a, sat8, 1), -73);
  EXPECT_EQ(dot1(a, sat8, 3), -73);
  // Wrapping is addition modulo 2^8, so grouping cannot change it: 0 (exact sum 0).
  for (int64_t g : {0, 1, 2, 3, 4}) EXPECT_EQ(dot1(a, acc(8, Overflow::kWrap), g), 0) << g;
  // A short last group: k_group 3 over 5 products 100, 100, 100, -100, -100 at width 8:
  //   group (100, 100, 100) -> 127; group (-100, -100) -> -128; 127 - 128 = -1.
  EXPECT_EQ(dot1({100, 100, 100, -100, -100}, sat8, 3), -1);
  EXPECT_EQ(dot1({100, 100, 100, -100, -100}, sat8, 0), -73);  // 127, 127, 27, -73
}

TEST(ReferenceGemm, WrapAtWidthsEqualsExactSumModulo) {
  // Random 16-bit products summed at widths 8/16/24/32 with wrap: equal to the exact sum reduced
  // modulo 2^w for every k_group.
  const Tensor ta = random_tensor(DataType::kInt16, {3, 37}, 11, "a");
  const Tensor tw = random_tensor(DataType::kInt16, {37, 2}, 11, "w");
  std::vector<int32_t> a, w;
  for (int64_t i = 0; i < ta.elements(); ++i) a.push_back(static_cast<int32_t>(ta.get_int(i)));
  for (int64_t i = 0; i < tw.elements(); ++i) w.push_back(static_cast<int32_t>(tw.get_int(i)));
  for (int width : {8, 16, 24, 32}) {
    for (int64_t g : {0, 1, 4, 5, 37, 100}) {
      std::vector<int64_t> out(6, 0);
      reference_gemm_int(3, 2, 37, a.data(), w.data(), out.data(), false, acc(width, Overflow::kWrap), g);
      for (int64_t i = 0; i < 3; ++i) {
        for (int64_t j = 0; j < 2; ++j) {
          int64_t exact = 0;
          for (int64_t k = 0; k < 37; ++k) exact += int64_t{a[i * 37 + k]} * w[k * 2 + j];
          const uint64_t m = (uint64_t{1} << width) - 1;
          int64_t want = static_cast<int64_t>(static_cast<uint64_t>(exact) & m);
          if (want >= (int64_t{1} << (width - 1))) want -= int64_t{1} << width;
          EXPECT_EQ(out[i * 2 + j], want) << "width " << width << " k_group " << g;
        }
      }
    }
  }
}

TEST(ReferenceGemm, WideSaturatingAccumulatorIsExactForAnyGroup) {
  const std::vector<int32_t> a = {127, -128, 127, 127, -128, 5, 9};
  for (int64_t g : {0, 1, 2, 3, 7}) EXPECT_EQ(dot1(a, acc(32, Overflow::kSaturate), g), 127 * 3 - 256 + 14);
}

TEST(ReferenceGemm, KGroupChangesFloatSum) {
  // fp32, products 1, 2^-24, 2^-24, 2^-24 (ulp(1) = 2^-23, so 1 + 2^-24 is a tie -> 1):
  //   k_group 0: 1 + 2^-24 -> 1, three times: 1
  //   k_group 2: groups (1 + 2^-24) = 1 and (2^-24 + 2^-24) = 2^-23; 0 + 1 + 2^-23 = 1 + 2^-23
  const std::vector<float> a = {1.0f, 0x1p-24f, 0x1p-24f, 0x1p-24f}, w(4, 1.0f);
  float out = 0.0f;
  reference_gemm_fp(1, 1, 4, a.data(), w.data(), &out, false, 0);
  EXPECT_EQ(out, 1.0f);
  reference_gemm_fp(1, 1, 4, a.data(), w.data(), &out, false, 2);
  EXPECT_EQ(out, 1.0f + 0x1p-23f);
  out = 0.5f;
  reference_gemm_fp(1, 1, 4, a.data(), w.data(), &out, true, 4);  // 0.5 + (1 + 3 * 2^-24 -> 1)
  EXPECT_EQ(out, 1.5f);
}

TEST(Requantize, RoundHalfToEven) {
  const DataType i32 = DataType::kInt32;
  // shift 1: x / 2
  EXPECT_EQ(requantize(1, 1, i32), 0);    // 0.5 -> 0
  EXPECT_EQ(requantize(3, 1, i32), 2);    // 1.5 -> 2
  EXPECT_EQ(requantize(5, 1, i32), 2);    // 2.5 -> 2
  EXPECT_EQ(requantize(7, 1, i32), 4);    // 3.5 -> 4
  EXPECT_EQ(requantize(-1, 1, i32), 0);   // -0.5 -> 0
  EXPECT_EQ(requantize(-3, 1, i32), -2);  // -1.5 -> -2
  EXPECT_EQ(requantize(-5, 1, i32), -2);  // -2.5 -> -2
  // shift 2: x / 4
  EXPECT_EQ(requantize(6, 2, i32), 2);     // 1.5 -> 2
  EXPECT_EQ(requantize(10, 2, i32), 2);    // 2.5 -> 2
  EXPECT_EQ(requantize(11, 2, i32), 3);    // 2.75 -> 3
  EXPECT_EQ(requantize(9, 2, i32), 2);     // 2.25 -> 2
  EXPECT_EQ(requantize(-6, 2, i32), -2);   // -1.5 -> -2
  EXPECT_EQ(requantize(-7, 2, i32), -2);   // -1.75 -> -2
  EXPECT_EQ(requantize(-9, 2, i32), -2);   // -2.25 -> -2
  EXPECT_EQ(requantize(-10, 2, i32), -2);  // -2.5 -> -2
  EXPECT_EQ(requantize(-14, 2, i32), -4);  // -3.5 -> -4
  // Saturation to the output dtype after rounding.
  EXPECT_EQ(requantize(1000, 2, DataType::kInt8), 127);    // 250
  EXPECT_EQ(requantize(-1000, 2, DataType::kInt8), -128);  // -250
  EXPECT_EQ(requantize(509, 2, DataType::kInt8), 127);     // 127.25 -> 127
  EXPECT_EQ(requantize(510, 2, DataType::kInt8), 127);     // 127.5 -> 128 -> 127
  EXPECT_EQ(requantize(1000000, 0, DataType::kInt16), 32767);
  EXPECT_EQ(requantize(INT64_MIN, 63, i32), -1);
  EXPECT_EQ(requantize(INT64_MAX, 63, i32), 1);  // (2^63 - 1) / 2^63 -> 1
  EXPECT_THROW(requantize(1, 0, DataType::kFp32), InternalError);
  EXPECT_THROW(requantize(1, 64, i32), InternalError);
  EXPECT_THROW(requantize(1, -1, i32), InternalError);
}

TEST(Requantize, MatchesExactRationalRounding) {
  // Against a different route: round(acc / 2^s) from the nearest-even rule on long double.
  for (int s = 1; s <= 6; ++s) {
    for (int64_t acc = -300; acc <= 300; ++acc) {
      const long double q = static_cast<long double>(acc) / (1 << s);
      long double fl = static_cast<long double>(static_cast<int64_t>(q));
      if (fl > q) fl -= 1;  // floor
      const long double frac = q - fl;
      int64_t want = static_cast<int64_t>(fl);
      if (frac > 0.5L || (frac == 0.5L && (want % 2 != 0))) ++want;
      EXPECT_EQ(requantize(acc, s, DataType::kInt32), want) << acc << " >> " << s;
    }
  }
}

}  // namespace
}  // namespace systole
