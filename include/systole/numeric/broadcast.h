// NumPy ("multidirectional") broadcasting of elementwise operands, as ONNX's Add / Sub / Mul / Div
// define it: shapes are aligned on their last axis, missing leading axes count as 1, and on every
// axis the extents are equal or 1 (an extent of 1 is repeated along the others').
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "systole/numeric/shape.h"

namespace systole {

// The broadcast shape of `shapes` (at least one); false, *out untouched, when two extents of an
// axis differ and neither is 1.
bool broadcast_shape(const std::vector<Shape>& shapes, Shape* out);

// Where output element i (row-major over the output shape) finds operand o's element:
//   offset(o, i) = sum over axes k of idx_k(i) * stride[o][k]
// idx(i) being i's multi-index over `extent`; an operand's stride is 0 on an axis it is broadcast
// along, its own row-major stride elsewhere. Axes of extent 1 are dropped and neighbouring axes
// merged wherever every operand's strides allow it, so an operand equal in shape to the output is
// one axis of stride 1, and a mask [B, 1, 1, S] beside scores [B, H, S, S] three axes.
struct BroadcastGeometry {
  std::vector<int64_t> extent;               // merged output axes, outermost first; at least one
  std::vector<std::vector<int64_t>> stride;  // [operand][axis], >= 0

  int64_t offset(size_t operand, int64_t i) const;
  // The smallest and largest offset(operand, i) over i in [first, first + count), count >= 1: the
  // run of the operand's elements that output elements [first, first + count) read. O(axes).
  std::pair<int64_t, int64_t> span(size_t operand, int64_t first, int64_t count) const;

  friend bool operator==(const BroadcastGeometry& a, const BroadcastGeometry& b) {
    return a.extent == b.extent && a.stride == b.stride;
  }
};

// The geometry of `operands` broadcast to `out` (broadcast_shape's result); throws InternalError
// when one of them does not broadcast to it.
BroadcastGeometry broadcast_geometry(const Shape& out, const std::vector<Shape>& operands);

}  // namespace systole
