// LayerCheck diagnostics and the overflow-checked size arithmetic of shape inference. Output sizes
// follow PyTorch's floor convention:
//   out = floor((in + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1.
#include "systole/workload/layer_check.h"

#include <algorithm>

#include <fmt/format.h>

namespace systole {

void LayerCheck::fail(const std::string& key, const std::string& value, const std::string& rule) {
  std::string path = layer_key(m_layer, m_index);
  if (!key.empty()) path += "." + key;
  m_out->add(Diagnostic{m_net.source_path, m_layer.source_line, path, value,
                        fmt::format("layer '{}' ({}): {}", m_layer.name, to_string(m_layer.kind), rule)});
  m_ok = false;
}

bool LayerCheck::at_least(const std::string& key, int64_t value, int64_t minimum) {
  if (value >= minimum) return true;
  fail(key, std::to_string(value), fmt::format("must be an integer >= {}", minimum));
  return false;
}

namespace shape_math {

int64_t product(std::initializer_list<int64_t> factors) {
  int64_t p = 1;
  for (int64_t f : factors) {
    if (f < 0 || __builtin_mul_overflow(p, f, &p)) return -1;
  }
  return p;
}

int64_t elements(const Shape& s) {
  int64_t p = 1;
  for (int64_t d : s) {
    if (d < 0 || __builtin_mul_overflow(p, d, &p)) return -1;
  }
  return p;
}

int64_t sum(int64_t a, int64_t b) {
  int64_t s = 0;
  return a < 0 || b < 0 || __builtin_add_overflow(a, b, &s) ? -1 : s;
}

int64_t window_extent(int64_t kernel, int64_t dilation) {
  return sum(product({dilation, kernel - 1}), 1);
}

void same_padding(int64_t in, int64_t effective_kernel, int64_t stride, int64_t* before, int64_t* after) {
  const int64_t out = (in - 1) / stride + 1;
  const int64_t total = std::max<int64_t>(effective_kernel - (in - (out - 1) * stride), 0);
  *before = total / 2;
  *after = total - *before;
}

int64_t window_out(LayerCheck& c, const char* axis, int64_t in, int64_t kernel, int64_t dilation,
                   int64_t stride, int64_t pad_before, int64_t pad_after) {
  const int64_t effective = window_extent(kernel, dilation);
  if (effective < 0) {
    c.fail(dilation > 1 ? "dilation" : "kernel", std::to_string(dilation > 1 ? dilation : kernel),
           fmt::format("{} kernel extent dilation x (kernel - 1) + 1 = {} x {} + 1 overflows 64 bits", axis,
                       dilation, kernel - 1));
    return -1;
  }
  const int64_t padded = sum(sum(in, pad_before), pad_after);
  if (padded < 0) {
    c.fail("padding", std::to_string(std::max(pad_before, pad_after)),
           fmt::format("{} padded input {} + {} + {} overflows 64 bits", axis, in, pad_before, pad_after));
    return -1;
  }
  if (effective > padded) {
    c.fail("kernel", std::to_string(kernel),
           fmt::format(
               "{} kernel extent {} (dilation {}) is larger than the padded input {} ({} + padding {} + {})",
               axis, effective, dilation, padded, in, pad_before, pad_after));
    return -1;
  }
  return (padded - effective) / stride + 1;
}

bool expect_rank(LayerCheck& c, const Shape& s, size_t rank, const char* layout) {
  if (s.size() == rank) return true;
  c.fail("input", shape_str(s), fmt::format("needs a rank-{} input {}", rank, layout));
  return false;
}

int64_t resolve_axis(LayerCheck& c, const std::string& key, int64_t axis, size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    c.fail(key, std::to_string(axis),
           fmt::format("must be an axis of the rank-{} input: -{}..{} (negative counts from the end)", r, r,
                       r - 1));
    return -1;
  }
  return axis < 0 ? axis + r : axis;
}

}  // namespace shape_math
}  // namespace systole
