#include "systole/hw/element_codec.h"

#include <cstring>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/numeric/float16.h"

namespace systole::hw {
namespace {

uint64_t load_le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int b = n - 1; b >= 0; --b) v = (v << 8) | p[b];
  return v;
}

void store_le(uint8_t* p, int n, uint64_t v) {
  for (int b = 0; b < n; ++b) p[b] = static_cast<uint8_t>(v >> (8 * b));
}

}  // namespace

int64_t load_int(const uint8_t* p, DataType t) {
  switch (t) {
    case DataType::kInt8:
      return static_cast<int8_t>(p[0]);
    case DataType::kInt16:
      return static_cast<int16_t>(load_le(p, 2));
    case DataType::kInt32:
      return static_cast<int32_t>(load_le(p, 4));
    default:
      throw InternalError(fmt::format("load_int of a {} element", to_string(t)));
  }
}

float load_float(const uint8_t* p, DataType t) {
  switch (t) {
    case DataType::kFp16:
      return fp16_to_float(static_cast<uint16_t>(load_le(p, 2)));
    case DataType::kBf16:
      return bf16_to_float(static_cast<uint16_t>(load_le(p, 2)));
    case DataType::kFp32: {
      const auto bits = static_cast<uint32_t>(load_le(p, 4));
      float v;
      std::memcpy(&v, &bits, sizeof v);
      return v;
    }
    default:
      return static_cast<float>(load_int(p, t));
  }
}

void store_int(uint8_t* p, DataType t, int64_t v) {
  int64_t lo = 0, hi = 0;
  switch (t) {
    case DataType::kInt8:
      lo = INT8_MIN, hi = INT8_MAX;
      break;
    case DataType::kInt16:
      lo = INT16_MIN, hi = INT16_MAX;
      break;
    case DataType::kInt32:
      lo = INT32_MIN, hi = INT32_MAX;
      break;
    default:
      throw InternalError(fmt::format("store_int into a {} element", to_string(t)));
  }
  const int64_t s = v < lo ? lo : (v > hi ? hi : v);
  store_le(p, static_cast<int>(bytes_of(t)), static_cast<uint64_t>(s));
}

void store_float(uint8_t* p, DataType t, float v) {
  switch (t) {
    case DataType::kFp16:
      store_le(p, 2, float_to_fp16(v));
      return;
    case DataType::kBf16:
      store_le(p, 2, float_to_bf16(v));
      return;
    case DataType::kFp32: {
      uint32_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      store_le(p, 4, bits);
      return;
    }
    default:
      throw InternalError(fmt::format("store_float into a {} element", to_string(t)));
  }
}

}  // namespace systole::hw
