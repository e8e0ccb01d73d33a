#include "systole/oracle/reference_support.h"

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole {
namespace reference_support {

void layer_error(const Layer& l, const std::string& what) {
  const std::string where = l.source_line > 0 ? fmt::format(", line {}", l.source_line) : std::string();
  throw UserError(fmt::format("layer '{}' ({}{}): {}", l.name, to_string(l.kind), where, what));
}

void expect_shape(const Layer& l, const char* operand, const Tensor& t, const Shape& want) {
  if (t.shape != want) {
    layer_error(
        l, fmt::format("{} tensor has shape {}, expected {}", operand, shape_str(t.shape), shape_str(want)));
  }
}

void need_weights(const Layer& l, const Tensor* weights, bool yes) {
  if ((weights != nullptr) != yes) layer_error(l, yes ? "needs a weight tensor" : "takes no weight tensor");
}

void need_float(const Layer& l, DataType t, const char* what) {
  if (!is_float(t)) {
    layer_error(
        l, fmt::format("{} is defined only for float dtypes (fp16, bf16, fp32), not {}", what, to_string(t)));
  }
}

bool integer_path(const Layer& l, DataType act, DataType weight, const ReferenceOptions& opt) {
  if (is_integer(act) != is_integer(weight)) {
    layer_error(
        l, fmt::format("operand dtypes {} and {} mix integer and float", to_string(act), to_string(weight)));
  }
  const bool ints = is_integer(act);
  const DataType need = ints ? DataType::kInt32 : DataType::kFp32;
  if (opt.acc.type != need) {
    layer_error(l, fmt::format("{} operands need a {} accumulator, not {}", to_string(act), to_string(need),
                               to_string(opt.acc.type)));
  }
  if (ints && (opt.acc.width_bits < 8 || opt.acc.width_bits > 64)) {
    throw InternalError(fmt::format("accumulator width {} not in 8..64", opt.acc.width_bits));
  }
  return ints;
}

std::vector<int32_t> ints_of(const Tensor& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.elements()));
  for (int64_t i = 0; i < t.elements(); ++i) v[static_cast<size_t>(i)] = static_cast<int32_t>(t.get_int(i));
  return v;
}

std::vector<float> floats_of(const Tensor& t) {
  std::vector<float> v(static_cast<size_t>(t.elements()));
  for (int64_t i = 0; i < t.elements(); ++i) v[static_cast<size_t>(i)] = t.get_float(i);
  return v;
}

void store(Tensor* out, int64_t i, int64_t acc, int shift) {
  out->set_int(i, requantize(acc, shift, out->dtype));
}

void store(Tensor* out, int64_t i, float acc, int /*shift*/) {
  out->set_float(i, acc);
}

QuantizedAccess::QuantizedAccess(const Layer& l, DataType t, QuantRange out) : m_int(is_integer(t)) {
  if (!m_int) return;
  m_in = quant_params(t, QuantRange::kWide, l.input_quant.empty() ? std::nullopt : l.input_quant[0]);
  m_out = quant_params(t, out, l.quant);
}

float QuantizedAccess::get(const Tensor& t, int64_t i) const {
  return m_int ? dequantize(t.get_int(i), m_in) : t.get_float(i);
}

void QuantizedAccess::set(Tensor& t, int64_t i, float y) const {
  if (m_int)
    t.set_int(i, quantize(y, m_out, t.dtype));
  else
    t.set_float(i, y);
}

Tensor by_rows(const Layer& l, const Tensor& in, void (*fn)(const float*, float*, int64_t),
               QuantRange range) {
  if (in.shape.empty() || in.shape.back() < 1) layer_error(l, "needs a non-empty last axis");
  Tensor out(in.dtype, in.shape);
  const QuantizedAccess io(l, in.dtype, range);
  const int64_t row = in.shape.back();
  std::vector<float> x(static_cast<size_t>(row)), y(static_cast<size_t>(row));
  for (int64_t base = 0; base < in.elements(); base += row) {
    for (int64_t i = 0; i < row; ++i) x[static_cast<size_t>(i)] = io.get(in, base + i);
    fn(x.data(), y.data(), row);
    for (int64_t i = 0; i < row; ++i) io.set(out, base + i, y[static_cast<size_t>(i)]);
  }
  return out;
}

}  // namespace reference_support
}  // namespace systole
