// Seeded tensors: FNV-1a and splitmix64 against published vectors, pinned first values (computed
// independently in Python), determinism, stream independence and ranges.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "systole/numeric/random.h"

namespace systole {
namespace {

TEST(Random, Fnv1aPublishedVectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
}

TEST(Random, Splitmix64PublishedFirstValue) {
  uint64_t state = 0;
  EXPECT_EQ(splitmix64_next(&state), 0xe220a8397b1dcdafull);
  EXPECT_EQ(state, 0x9e3779b97f4a7c15ull);
}

TEST(Random, PinnedFirstValues) {
  // state = fnv1a64("conv1.weight") ^ 1234; int8 = top 8 bits - 128, int16 = top 16 bits - 32768.
  const Tensor i8 = random_tensor(DataType::kInt8, {6}, 1234, "conv1.weight");
  const int64_t w8[] = {41, -110, 13, -7, 11, -94};
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(i8.get_int(i), w8[i]) << i;
  const Tensor i16 = random_tensor(DataType::kInt16, {2, 3}, 1234, "conv1.weight");
  const int64_t w16[] = {10656, -28153, 3494, -1775, 2995, -23982};
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(i16.get_int(i), w16[i]) << i;
  const Tensor i32 = random_tensor(DataType::kInt32, {6}, 1234, "conv1.weight");  // capped at 16 bits
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(i32.get_int(i), w16[i]) << i;
  // Floats: (top 24 bits - 2^23) * 2^-23.
  const Tensor f = random_tensor(DataType::kFp32, {4}, 7, "x");
  const int64_t u[] = {4048194, 5563657, 2068772, 514744};
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(f.get_float(i), static_cast<float>(u[i]) * 0x1p-23f) << i;
  const Tensor h = random_tensor(DataType::kFp16, {4}, 7, "x");
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(h.get_float(i), round_to(DataType::kFp16, f.get_float(i))) << i;
}

TEST(Random, SameInputsSameBytes) {
  for (DataType t : {DataType::kInt8, DataType::kInt16, DataType::kInt32, DataType::kFp16, DataType::kBf16,
                     DataType::kFp32}) {
    const Tensor a = random_tensor(t, {3, 5, 7}, 99, "layer.weight");
    const Tensor b = random_tensor(t, {3, 5, 7}, 99, "layer.weight");
    EXPECT_EQ(a.bytes, b.bytes) << to_string(t);
    EXPECT_EQ(a.bytes.size(), static_cast<size_t>(105 * bytes_of(t)));
  }
}

TEST(Random, StreamsAndSeedsDiffer) {
  const Tensor a = random_tensor(DataType::kInt8, {256}, 1, "conv1.weight");
  const Tensor b = random_tensor(DataType::kInt8, {256}, 1, "conv1.input");
  const Tensor c = random_tensor(DataType::kInt8, {256}, 2, "conv1.weight");
  int same_ab = 0, same_ac = 0;
  for (int64_t i = 0; i < 256; ++i) {
    same_ab += a.get_int(i) == b.get_int(i);
    same_ac += a.get_int(i) == c.get_int(i);
  }
  // Independent uniform int8 streams agree on ~1/256 of the elements; allow a generous margin.
  EXPECT_LT(same_ab, 10);
  EXPECT_LT(same_ac, 10);
  // A prefix of a larger tensor is the smaller tensor (element i is the i-th draw).
  const Tensor big = random_tensor(DataType::kInt8, {512}, 1, "conv1.weight");
  EXPECT_TRUE(std::equal(a.bytes.begin(), a.bytes.end(), big.bytes.begin()));
}

TEST(Random, ValuesWithinRangeAndSpread) {
  const Tensor i8 = random_tensor(DataType::kInt8, {4096}, 5, "r");
  int64_t lo = 0, hi = 0;
  for (int64_t i = 0; i < i8.elements(); ++i) {
    lo = std::min(lo, i8.get_int(i));
    hi = std::max(hi, i8.get_int(i));
  }
  EXPECT_EQ(lo, -128);  // 4096 draws hit both ends with probability > 1 - 2e-7
  EXPECT_EQ(hi, 127);
  const Tensor i32 = random_tensor(DataType::kInt32, {4096}, 5, "r");
  for (int64_t i = 0; i < i32.elements(); ++i) {
    EXPECT_GE(i32.get_int(i), -32768);
    EXPECT_LE(i32.get_int(i), 32767);
  }
  for (DataType t : {DataType::kFp16, DataType::kBf16, DataType::kFp32}) {
    const Tensor f = random_tensor(t, {4096}, 5, "r");
    double sum = 0.0;
    for (int64_t i = 0; i < f.elements(); ++i) {
      const float v = f.get_float(i);
      EXPECT_GE(v, -1.0f);
      EXPECT_LE(v, t == DataType::kFp32 ? 1.0f - 0x1p-23f : 1.0f);  // rounding may reach +1
      sum += v;
    }
    EXPECT_LT(std::abs(sum / 4096), 0.05) << to_string(t);  // mean ~ 0 (sd of the mean ~ 0.009)
  }
}

}  // namespace
}  // namespace systole
