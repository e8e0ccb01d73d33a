// Quantised vector functions (numeric/quantized.h).
#include "systole/numeric/quantized.h"

#include <cmath>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/numeric/tensor.h"

namespace systole {

QuantParams quant_params(DataType t, QuantRange range) {
  if (!is_integer(t)) throw InternalError(fmt::format("quantisation parameters of {}", to_string(t)));
  const int bits = static_cast<int>(8 * bytes_of(t));
  switch (range) {
    case QuantRange::kWide:
      return {std::ldexp(1.0f, 4 - bits), 0};
    case QuantRange::kUnit:
      return {std::ldexp(1.0f, -bits), -(int64_t{1} << (bits - 1))};
    case QuantRange::kSymmetricUnit:
      return {std::ldexp(1.0f, 1 - bits), 0};
  }
  throw InternalError("quant_params: unknown range");
}

QuantParams quant_params(DataType t, QuantRange range, const std::optional<QuantParams>& given) {
  return given ? *given : quant_params(t, range);
}

float dequantize(int64_t q, const QuantParams& p) {
  return static_cast<float>(q - p.zero_point) * p.scale;
}

int64_t quantize(float y, const QuantParams& p, DataType t) {
  if (std::isnan(y)) return p.zero_point;
  // y / scale in double: exact for a power-of-two scale (unless it overflows, and then it saturates
  // below), one rounding for any other.
  const double steps = std::nearbyint(static_cast<double>(y) / static_cast<double>(p.scale));
  const double q = steps + static_cast<double>(p.zero_point);
  const auto hi = static_cast<double>(int_max(t)), lo = -hi - 1.0;
  return q >= hi ? int_max(t) : q <= lo ? int_min(t) : static_cast<int64_t>(q);
}

}  // namespace systole
