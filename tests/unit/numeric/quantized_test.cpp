// Quantised vector functions (numeric/quantized.h): the fixed per-tensor parameters, exact
// dequantisation, and quantisation that rounds half to even and saturates.
#include "systole/numeric/quantized.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "systole/common/error.h"

namespace systole {
namespace {

TEST(Quantized, ParametersArePowersOfTwoPerFormatAndRange) {
  const QuantParams wide8 = quant_params(DataType::kInt8, QuantRange::kWide);
  EXPECT_EQ(wide8.scale, 1.0f / 16);  // [-8, 8) in 256 steps
  EXPECT_EQ(wide8.zero_point, 0);
  const QuantParams unit8 = quant_params(DataType::kInt8, QuantRange::kUnit);
  EXPECT_EQ(unit8.scale, 1.0f / 256);
  EXPECT_EQ(unit8.zero_point, -128);  // q = -128 is probability 0
  EXPECT_EQ(quant_params(DataType::kInt8, QuantRange::kSymmetricUnit).scale, 1.0f / 128);
  EXPECT_EQ(quant_params(DataType::kInt16, QuantRange::kWide).scale, 1.0f / 4096);
  EXPECT_EQ(quant_params(DataType::kInt16, QuantRange::kUnit).zero_point, -32768);
  EXPECT_THROW(quant_params(DataType::kFp16, QuantRange::kWide), InternalError);
}

TEST(Quantized, DequantisesExactly) {
  const QuantParams unit8 = quant_params(DataType::kInt8, QuantRange::kUnit);
  EXPECT_EQ(dequantize(-128, unit8), 0.0f);
  EXPECT_EQ(dequantize(127, unit8), 255.0f / 256);
  EXPECT_EQ(dequantize(-3, quant_params(DataType::kInt8, QuantRange::kWide)), -0.1875f);
}

TEST(Quantized, QuantisesHalfToEvenAndSaturates) {
  const QuantParams wide8 = quant_params(DataType::kInt8, QuantRange::kWide);
  EXPECT_EQ(quantize(0.03125f, wide8, DataType::kInt8), 0);  // 0.5 steps: to even 0
  EXPECT_EQ(quantize(0.09375f, wide8, DataType::kInt8), 2);  // 1.5 steps: to even 2
  EXPECT_EQ(quantize(-0.09375f, wide8, DataType::kInt8), -2);
  EXPECT_EQ(quantize(0.1f, wide8, DataType::kInt8), 2);  // 1.6 steps
  EXPECT_EQ(quantize(100.0f, wide8, DataType::kInt8), 127);
  EXPECT_EQ(quantize(-100.0f, wide8, DataType::kInt8), -128);
  EXPECT_EQ(quantize(std::numeric_limits<float>::infinity(), wide8, DataType::kInt8), 127);
  EXPECT_EQ(quantize(std::nanf(""), wide8, DataType::kInt8), 0);
  const QuantParams unit8 = quant_params(DataType::kInt8, QuantRange::kUnit);
  EXPECT_EQ(quantize(1.0f, unit8, DataType::kInt8), 127);  // 256 steps above -128 saturates
  EXPECT_EQ(quantize(0.5f, unit8, DataType::kInt8), 0);
  EXPECT_EQ(quantize(0.0f, unit8, DataType::kInt8), -128);
  for (int64_t q = -128; q <= 127; ++q) EXPECT_EQ(quantize(dequantize(q, unit8), unit8, DataType::kInt8), q);
}

}  // namespace
}  // namespace systole
