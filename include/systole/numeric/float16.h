// IEEE 754 binary16 (fp16) and bfloat16 (bf16) <-> fp32. Encoding rounds to nearest, ties to even,
// with subnormals, infinities and NaN (a NaN stays a quiet NaN). Decoding is exact.
// No SystemC here.
#pragma once

#include <cstdint>

namespace systole {

float fp16_to_float(uint16_t bits);
uint16_t float_to_fp16(float v);
float bf16_to_float(uint16_t bits);
uint16_t float_to_bf16(float v);

}  // namespace systole
