#include "systole/numeric/broadcast.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole {

bool broadcast_shape(const std::vector<Shape>& shapes, Shape* out) {
  size_t rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.size());
  Shape r(rank, 1);
  for (const Shape& s : shapes) {
    for (size_t k = 0; k < s.size(); ++k) {
      int64_t& have = r[rank - s.size() + k];
      const int64_t e = s[k];
      if (e == have || e == 1) continue;
      if (have != 1) return false;
      have = e;
    }
  }
  *out = std::move(r);
  return true;
}

BroadcastGeometry broadcast_geometry(const Shape& out, const std::vector<Shape>& operands) {
  const size_t rank = out.size();
  // Every operand's row-major strides over the output's axes (0 where it is broadcast).
  std::vector<std::vector<int64_t>> full(operands.size(), std::vector<int64_t>(rank, 0));
  for (size_t o = 0; o < operands.size(); ++o) {
    const Shape& s = operands[o];
    if (s.size() > rank) {
      throw InternalError(
          fmt::format("operand {} of rank {} broadcast to {}", shape_str(s), s.size(), shape_str(out)));
    }
    int64_t step = 1;
    for (size_t k = s.size(); k-- > 0;) {
      const size_t axis = rank - s.size() + k;
      if (s[k] != out[axis] && s[k] != 1) {
        throw InternalError(fmt::format("operand {} does not broadcast to {}", shape_str(s), shape_str(out)));
      }
      full[o][axis] = s[k] == 1 ? 0 : step;
      step *= s[k];
    }
  }
  BroadcastGeometry g;
  g.stride.assign(operands.size(), {});
  for (size_t k = 0; k < rank; ++k) {
    if (out[k] == 1) continue;
    // Axis k merges into the previous kept axis p when, for every operand, stepping p once is
    // stepping k through its whole extent: stride_p == stride_k * extent_k.
    bool merge = !g.extent.empty();
    for (size_t o = 0; merge && o < operands.size(); ++o) merge = g.stride[o].back() == full[o][k] * out[k];
    if (merge) {
      g.extent.back() *= out[k];
      for (size_t o = 0; o < operands.size(); ++o) g.stride[o].back() = full[o][k];
    } else {
      g.extent.push_back(out[k]);
      for (size_t o = 0; o < operands.size(); ++o) g.stride[o].push_back(full[o][k]);
    }
  }
  if (g.extent.empty()) {  // a single element
    g.extent.push_back(1);
    for (auto& s : g.stride) s.push_back(0);
  }
  return g;
}

int64_t BroadcastGeometry::offset(size_t operand, int64_t i) const {
  const std::vector<int64_t>& s = stride[operand];
  int64_t off = 0;
  for (size_t k = extent.size(); k-- > 0;) {
    off += (i % extent[k]) * s[k];
    i /= extent[k];
  }
  return off;
}

std::pair<int64_t, int64_t> BroadcastGeometry::span(size_t operand, int64_t first, int64_t count) const {
  const std::vector<int64_t>& s = stride[operand];
  const size_t n = extent.size();
  // inner[k]: elements of one step of axis k - 1, i.e. of the sub-tensor spanned by axes k..n-1;
  // reach[k]: the largest offset within such a sub-tensor (strides are >= 0).
  std::vector<int64_t> inner(n + 1, 1), reach(n + 1, 0);
  for (size_t k = n; k-- > 0;) {
    inner[k] = inner[k + 1] * extent[k];
    reach[k] = reach[k + 1] + (extent[k] - 1) * s[k];
  }
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  // Cover [first, end) with runs of whole sub-tensors: at i, the coarsest axis k whose steps
  // (inner[k + 1] elements) i is aligned to and one of which still fits, then as many steps of
  // axis k as fit before the end or the axis wraps. Every run has one prefix of outer indices, so
  // its offsets lie in [prefix + idx_k * s_k, prefix + (idx_k + m - 1) * s_k + reach[k + 1]]. At
  // most two runs per axis.
  int64_t i = first;
  const int64_t end = first + count;
  while (i < end) {
    size_t k = 0;
    while (i % inner[k + 1] != 0 || i + inner[k + 1] > end) ++k;
    const int64_t idx = (i / inner[k + 1]) % extent[k];
    const int64_t m = std::min(extent[k] - idx, (end - i) / inner[k + 1]);
    const int64_t start = offset(operand, i);  // prefix + idx * s_k (inner indices are 0)
    lo = std::min(lo, start);
    hi = std::max(hi, start + (m - 1) * s[k] + reach[k + 1]);
    i += m * inner[k + 1];
  }
  return {lo, hi};
}

}  // namespace systole
