#include "systole/numeric/tensor.h"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/numeric/float16.h"

namespace systole {
namespace {

// Little-endian load / store of `n` bytes as an unsigned value (host-order independent).
uint64_t load_le(const uint8_t* p, int64_t n) {
  uint64_t v = 0;
  for (int64_t b = n - 1; b >= 0; --b) v = (v << 8) | p[b];
  return v;
}

void store_le(uint8_t* p, int64_t n, uint64_t v) {
  for (int64_t b = 0; b < n; ++b) p[b] = static_cast<uint8_t>(v >> (8 * b));
}

uint32_t float_bits(float v) {
  uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

float bits_float(uint32_t b) {
  float v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

}  // namespace

bool is_integer(DataType t) {
  return t == DataType::kInt8 || t == DataType::kInt16 || t == DataType::kInt32;
}

bool is_float(DataType t) {
  return t == DataType::kFp16 || t == DataType::kBf16 || t == DataType::kFp32;
}

int64_t int_max(DataType t) {
  if (!is_integer(t)) throw InternalError(fmt::format("int_max of float dtype {}", to_string(t)));
  return (int64_t{1} << (8 * bytes_of(t) - 1)) - 1;
}

int64_t int_min(DataType t) {
  return -int_max(t) - 1;
}

int64_t saturate_to(DataType t, int64_t v) {
  const int64_t lo = int_min(t), hi = int_max(t);
  return v < lo ? lo : (v > hi ? hi : v);
}

float round_to(DataType t, float v) {
  switch (t) {
    case DataType::kFp16:
      return fp16_to_float(float_to_fp16(v));
    case DataType::kBf16:
      return bf16_to_float(float_to_bf16(v));
    case DataType::kFp32:
      return v;
    default:
      throw InternalError(fmt::format("round_to integer dtype {}", to_string(t)));
  }
}

Tensor::Tensor(DataType t, Shape s) : dtype(t), shape(std::move(s)) {
  for (int64_t d : shape) {
    if (d < 0) throw InternalError("tensor shape " + shape_str(shape) + " has a negative dimension");
  }
  bytes.assign(static_cast<size_t>(num_elements(shape) * bytes_of(t)), 0);
}

int64_t Tensor::elements() const {
  return num_elements(shape);
}

namespace {
const uint8_t* element_ptr(const Tensor& t, int64_t i) {
  const int64_t e = bytes_of(t.dtype);
  if (i < 0 || (i + 1) * e > static_cast<int64_t>(t.bytes.size())) {
    throw InternalError(fmt::format("tensor element {} out of range ({} elements of {})", i,
                                    static_cast<int64_t>(t.bytes.size()) / e, to_string(t.dtype)));
  }
  return t.bytes.data() + i * e;
}
}  // namespace

int64_t load_element_int(const uint8_t* p, DataType t) {
  switch (t) {
    case DataType::kInt8:
      return static_cast<int8_t>(p[0]);
    case DataType::kInt16:
      return static_cast<int16_t>(load_le(p, 2));
    case DataType::kInt32:
      return static_cast<int32_t>(load_le(p, 4));
    default:
      throw InternalError(fmt::format("integer load of a {} element", to_string(t)));
  }
}

float load_element_float(const uint8_t* p, DataType t) {
  switch (t) {
    case DataType::kFp16:
      return fp16_to_float(static_cast<uint16_t>(load_le(p, 2)));
    case DataType::kBf16:
      return bf16_to_float(static_cast<uint16_t>(load_le(p, 2)));
    case DataType::kFp32:
      return bits_float(static_cast<uint32_t>(load_le(p, 4)));
    default:
      return static_cast<float>(load_element_int(p, t));
  }
}

void store_element_int(uint8_t* p, DataType t, int64_t v) {
  if (is_float(t)) {
    store_element_float(p, t, static_cast<float>(v));
    return;
  }
  store_le(p, bytes_of(t), static_cast<uint64_t>(saturate_to(t, v)));
}

void store_element_float(uint8_t* p, DataType t, float v) {
  switch (t) {
    case DataType::kFp16:
      store_le(p, 2, float_to_fp16(v));
      return;
    case DataType::kBf16:
      store_le(p, 2, float_to_bf16(v));
      return;
    case DataType::kFp32:
      store_le(p, 4, float_bits(v));
      return;
    default:
      break;
  }
  if (std::isnan(v)) throw InternalError(fmt::format("NaN stored into a {} element", to_string(t)));
  // Round half to even in double (exact for every float), then saturate; +-inf saturate too.
  const double d = static_cast<double>(v);
  double r = std::floor(d);
  const double frac = d - r;  // exact: d has at most 24 significant bits
  if (frac > 0.5 || (frac == 0.5 && std::fmod(r, 2.0) != 0.0)) r += 1.0;
  const double lo = static_cast<double>(int_min(t)), hi = static_cast<double>(int_max(t));
  store_element_int(p, t, static_cast<int64_t>(r < lo ? lo : (r > hi ? hi : r)));
}

int64_t Tensor::get_int(int64_t i) const {
  return load_element_int(element_ptr(*this, i), dtype);
}

float Tensor::get_float(int64_t i) const {
  return load_element_float(element_ptr(*this, i), dtype);
}

void Tensor::set_int(int64_t i, int64_t v) {
  store_element_int(const_cast<uint8_t*>(element_ptr(*this, i)), dtype, v);
}

void Tensor::set_float(int64_t i, float v) {
  store_element_float(const_cast<uint8_t*>(element_ptr(*this, i)), dtype, v);
}

}  // namespace systole
