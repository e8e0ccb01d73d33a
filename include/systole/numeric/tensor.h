// A dense tensor of one DataType in row-major order, stored as the bytes the hardware holds
// (little-endian; fp16/bf16 as their 16-bit encodings). No SystemC here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/numeric/data_type.h"
#include "systole/numeric/shape.h"

namespace systole {

struct Tensor {
  DataType dtype = DataType::kInt8;
  Shape shape;
  std::vector<uint8_t> bytes;  // num_elements(shape) * bytes_of(dtype)

  Tensor() = default;
  Tensor(DataType t, Shape s);  // zero-filled

  int64_t elements() const;
  // Element i (flat index) as an exact integer (integer dtypes; InternalError otherwise).
  int64_t get_int(int64_t i) const;
  // Element i as fp32 (float dtypes exactly; integer dtypes converted).
  float get_float(int64_t i) const;
  // Stores v: integer dtypes saturate to the dtype's range; float dtypes round to nearest even.
  // set_float into an integer dtype rounds half to even, then saturates (NaN: InternalError);
  // set_int into a float dtype converts v to fp32 (nearest even), then to the dtype.
  // An index outside [0, elements()) is an InternalError.
  void set_int(int64_t i, int64_t v);
  void set_float(int64_t i, float v);
};

// One element at `p` in the hardware's byte layout (little-endian; fp16/bf16 as their 16-bit
// encodings), shared by Tensor and by the simulator's scratchpads and DRAM.
// load_element_int: integer dtypes only (InternalError otherwise). load_element_float: float
// dtypes exactly, integer dtypes converted. store_element_int: integer dtypes saturate, float
// dtypes round. store_element_float: float dtypes round to nearest even; integer dtypes round
// half to even, then saturate (NaN is an InternalError).
int64_t load_element_int(const uint8_t* p, DataType t);
float load_element_float(const uint8_t* p, DataType t);
void store_element_int(uint8_t* p, DataType t, int64_t v);
void store_element_float(uint8_t* p, DataType t, float v);

bool is_integer(DataType t);  // int8, int16, int32
bool is_float(DataType t);    // fp16, bf16, fp32

// Range of an integer dtype: [-2^(b-1), 2^(b-1) - 1] (InternalError for float dtypes).
int64_t int_min(DataType t);
int64_t int_max(DataType t);
// v clamped to the integer dtype's range.
int64_t saturate_to(DataType t, int64_t v);
// v rounded (nearest, ties to even) to a float dtype and back to fp32: the value that
// set_float(i, v) stores. Identity for fp32 (InternalError for integer dtypes).
float round_to(DataType t, float v);

}  // namespace systole
