// Tensor element access (little-endian bytes, saturation, rounding) and the accumulator arithmetic
// of numeric/arith.h (saturate / wrap at widths 8, 16, 24, 32).
#include <cmath>

#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/numeric/arith.h"
#include "systole/numeric/tensor.h"

namespace systole {
namespace {

TEST(Tensor, ZeroFilledWithBytesPerDtype) {
  const Tensor t(DataType::kInt16, {2, 3});
  EXPECT_EQ(t.elements(), 6);
  EXPECT_EQ(t.bytes.size(), 12u);
  for (uint8_t b : t.bytes) EXPECT_EQ(b, 0);
  EXPECT_EQ(Tensor(DataType::kFp32, {}).bytes.size(), 4u);  // a scalar holds one element
  EXPECT_EQ(Tensor(DataType::kBf16, {5, 0}).elements(), 0);
}

TEST(Tensor, LittleEndianBytes) {
  Tensor t(DataType::kInt32, {2});
  t.set_int(0, 0x01020304);
  t.set_int(1, -2);
  const std::vector<uint8_t> want = {0x04, 0x03, 0x02, 0x01, 0xfe, 0xff, 0xff, 0xff};
  EXPECT_EQ(t.bytes, want);
  EXPECT_EQ(t.get_int(0), 0x01020304);
  EXPECT_EQ(t.get_int(1), -2);
  Tensor h(DataType::kFp16, {1});
  h.set_float(0, 1.0f);  // 0x3c00
  EXPECT_EQ(h.bytes, (std::vector<uint8_t>{0x00, 0x3c}));
  Tensor b(DataType::kBf16, {1});
  b.set_float(0, -2.0f);  // 0xc000
  EXPECT_EQ(b.bytes, (std::vector<uint8_t>{0x00, 0xc0}));
  Tensor f(DataType::kFp32, {1});
  f.set_float(0, 1.0f);  // 0x3f800000
  EXPECT_EQ(f.bytes, (std::vector<uint8_t>{0x00, 0x00, 0x80, 0x3f}));
}

TEST(Tensor, SetIntSaturates) {
  Tensor i8(DataType::kInt8, {4});
  i8.set_int(0, 127);
  i8.set_int(1, 128);
  i8.set_int(2, -129);
  i8.set_int(3, -1000000);
  EXPECT_EQ(i8.get_int(0), 127);
  EXPECT_EQ(i8.get_int(1), 127);
  EXPECT_EQ(i8.get_int(2), -128);
  EXPECT_EQ(i8.get_int(3), -128);
  Tensor i16(DataType::kInt16, {2});
  i16.set_int(0, 40000);
  i16.set_int(1, -40000);
  EXPECT_EQ(i16.get_int(0), 32767);
  EXPECT_EQ(i16.get_int(1), -32768);
  Tensor i32(DataType::kInt32, {2});
  i32.set_int(0, int64_t{1} << 40);
  i32.set_int(1, -(int64_t{1} << 40));
  EXPECT_EQ(i32.get_int(0), INT32_MAX);
  EXPECT_EQ(i32.get_int(1), INT32_MIN);
}

TEST(Tensor, SetFloatRoundsToNearestEven) {
  Tensor h(DataType::kFp16, {3});
  h.set_float(0, 1.0f + 0x1p-11f);  // tie -> 1.0
  h.set_float(1, 1.0f + 3 * 0x1p-11f);
  h.set_float(2, 70000.0f);  // overflow -> inf
  EXPECT_EQ(h.get_float(0), 1.0f);
  EXPECT_EQ(h.get_float(1), 1.0f + 2 * 0x1p-10f);
  EXPECT_TRUE(std::isinf(h.get_float(2)));
  Tensor i8(DataType::kInt8, {6});
  const float in[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 300.0f};
  const int64_t want[] = {0, 2, 2, 0, -2, 127};
  for (int i = 0; i < 6; ++i) i8.set_float(i, in[i]);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(i8.get_int(i), want[i]) << in[i];
  EXPECT_THROW(i8.set_float(0, std::nanf("")), InternalError);
  Tensor f(DataType::kFp32, {1});
  f.set_int(0, (int64_t{1} << 24) + 1);  // not representable: nearest even 2^24
  EXPECT_EQ(f.get_float(0), 16777216.0f);
}

TEST(Tensor, KindsAndRanges) {
  EXPECT_TRUE(is_integer(DataType::kInt8) && is_integer(DataType::kInt16) && is_integer(DataType::kInt32));
  EXPECT_TRUE(is_float(DataType::kFp16) && is_float(DataType::kBf16) && is_float(DataType::kFp32));
  EXPECT_FALSE(is_integer(DataType::kFp32) || is_float(DataType::kInt8));
  EXPECT_EQ(int_min(DataType::kInt8), -128);
  EXPECT_EQ(int_max(DataType::kInt16), 32767);
  EXPECT_EQ(int_min(DataType::kInt32), INT32_MIN);
  EXPECT_THROW(int_max(DataType::kFp16), InternalError);
  EXPECT_EQ(round_to(DataType::kBf16, 1.0f + 0x1p-8f), 1.0f);
}

TEST(Tensor, OutOfRangeAndWrongKindAreInternalErrors) {
  Tensor t(DataType::kInt8, {2});
  EXPECT_THROW(t.get_int(2), InternalError);
  EXPECT_THROW(t.set_int(-1, 0), InternalError);
  Tensor f(DataType::kFp32, {1});
  EXPECT_THROW(f.get_int(0), InternalError);
  t.set_int(1, -7);
  EXPECT_EQ(t.get_float(1), -7.0f);  // integers convert
}

TEST(Arith, OverflowNames) {
  EXPECT_STREQ(to_string(Overflow::kSaturate), "saturate");
  EXPECT_STREQ(to_string(Overflow::kWrap), "wrap");
  Overflow o = Overflow::kSaturate;
  EXPECT_TRUE(parse_overflow("wrap", &o));
  EXPECT_EQ(o, Overflow::kWrap);
  EXPECT_TRUE(parse_overflow("saturate", &o));
  EXPECT_EQ(o, Overflow::kSaturate);
  EXPECT_FALSE(parse_overflow("clamp", &o));
}

AccumulatorSpec spec(int width, Overflow o) {
  AccumulatorSpec s;
  s.width_bits = width;
  s.overflow = o;
  return s;
}

// Wrap = two's complement modulo 2^w, computed here by a different route: ((v + 2^(w-1)) mod 2^w)
// - 2^(w-1) with a mathematical (non-negative) modulo.
int64_t wrap_ref(int64_t v, int w) {
  const __int128 m = static_cast<__int128>(1) << w, h = m / 2;
  __int128 r = (static_cast<__int128>(v) + h) % m;
  if (r < 0) r += m;
  return static_cast<int64_t>(r - h);
}

TEST(Arith, WrapAndSaturateAtWidths) {
  for (int w : {8, 16, 24, 32}) {
    const int64_t hi = (int64_t{1} << (w - 1)) - 1, lo = -hi - 1;
    const auto sat = spec(w, Overflow::kSaturate), wrap = spec(w, Overflow::kWrap);
    EXPECT_EQ(acc_add(hi, 1, sat), hi) << w;
    EXPECT_EQ(acc_add(lo, -1, sat), lo) << w;
    EXPECT_EQ(acc_add(hi, 1, wrap), lo) << w;
    EXPECT_EQ(acc_add(lo, -1, wrap), hi) << w;
    EXPECT_EQ(acc_add(hi - 5, 3, sat), hi - 2) << w;
    // Repeated MACs of 127 * 127 = 16129 from 0 at each width.
    int64_t s = 0, r = 0, exact = 0;
    for (int i = 0; i < 300; ++i) {
      s = int_mac(s, 127, 127, sat);
      r = int_mac(r, 127, 127, wrap);
      exact += 16129;
      EXPECT_EQ(s, std::min(exact, hi)) << w << " step " << i;
      EXPECT_EQ(r, wrap_ref(exact, w)) << w << " step " << i;
    }
  }
  // Written-out cases at width 8: 100 + 100 = 200 -> 127 (saturate) / 200 - 256 = -56 (wrap).
  EXPECT_EQ(acc_add(100, 100, spec(8, Overflow::kSaturate)), 127);
  EXPECT_EQ(acc_add(100, 100, spec(8, Overflow::kWrap)), -56);
  // Width 24: 2^23 - 1 + 2 wraps to -2^23 + 1.
  EXPECT_EQ(acc_add((1 << 23) - 1, 2, spec(24, Overflow::kWrap)), -(1 << 23) + 1);
}

TEST(Arith, FloatMacRoundsTwice) {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is exact in no fp32 sum: the product rounds to 1 + 2^-11
  // (the 2^-24 is below half an ulp, 2^-24 == half of 2^-23: a tie, to even 1 + 2^-11).
  // Added to -1 it gives 2^-11, whereas a fused multiply-add would keep 2^-11 + 2^-24.
  const float a = 1.0f + 0x1p-12f;
  EXPECT_EQ(fp_mac(-1.0f, a, a), 0x1p-11f);
  // acc + p with acc = 2^24: adding 1 is a tie and goes to even (lost), adding 3 gives 2^24 + 4.
  EXPECT_EQ(fp_mac(16777216.0f, 1.0f, 1.0f), 16777216.0f);
  EXPECT_EQ(fp_mac(16777216.0f, 3.0f, 1.0f), 16777220.0f);
}

}  // namespace
}  // namespace systole
