// Raw scratchpad / DRAM bytes <-> values, for the functional units (DMA conversion, PeArray,
// VectorUnit). Little-endian; fp16 / bf16 as their 16-bit encodings; the same encodings as
// numeric/tensor.h. No SystemC here.
#pragma once

#include <cstdint>

#include "systole/config/types.h"

namespace systole::hw {

// Integer dtypes (int8, int16, int32) exactly.
int64_t load_int(const uint8_t* p, DataType t);
// Float dtypes exactly (fp16, bf16, fp32); integer dtypes converted to fp32.
float load_float(const uint8_t* p, DataType t);
// Integer dtypes: v saturated to the dtype's range (callers keep v in range; saturation is the
// dtype's own rule, as Tensor::set_int).
void store_int(uint8_t* p, DataType t, int64_t v);
// Float dtypes: v rounded to nearest even.
void store_float(uint8_t* p, DataType t, float v);

}  // namespace systole::hw
