#include "vector_arithmetic.h"

#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/numeric/tensor.h"
#include "systole/numeric/vector_math.h"

namespace systole::hw {
namespace {

ArithOp arith_of(VectorFunc f) {
  switch (f) {
    case VectorFunc::kAdd:
      return ArithOp::kAdd;
    case VectorFunc::kSub:
      return ArithOp::kSub;
    case VectorFunc::kMul:
      return ArithOp::kMul;
    case VectorFunc::kDiv:
      return ArithOp::kDiv;
    default:
      throw InternalError(fmt::format("vector unit: {} is not elementwise arithmetic", to_string(f)));
  }
}

}  // namespace

bool is_arithmetic(VectorFunc f) {
  return f == VectorFunc::kAdd || f == VectorFunc::kSub || f == VectorFunc::kMul || f == VectorFunc::kDiv;
}

uint64_t arithmetic_operand_elements(const VectorOp& op) {
  if (op.broadcast == nullptr) return op.elements * op.operands;
  if (op.broadcast->stride.size() != op.operands || op.elements == 0) {
    throw InternalError(fmt::format("vector unit: {} of {} elements over {} operands with a geometry of {}",
                                    to_string(op.func), op.elements, op.operands,
                                    op.broadcast->stride.size()));
  }
  uint64_t n = 0;
  for (size_t o = 0; o < op.operands; ++o) {
    const auto [lo, hi] =
        op.broadcast->span(o, static_cast<int64_t>(op.first_element), static_cast<int64_t>(op.elements));
    n += static_cast<uint64_t>(hi - lo + 1);
  }
  return n;
}

void arithmetic(const VectorOp& op, DataType t, const uint8_t* src, uint8_t* dst) {
  const ArithOp f = arith_of(op.func);
  const uint64_t n = op.elements;
  const auto ue = static_cast<uint64_t>(bytes_of(t));
  const bool ints = is_integer(t);
  // Where operand o's element for result i is, in elements from src.
  std::vector<uint64_t> block(op.operands, 0);  // the start of operand o's block or run
  std::vector<int64_t> base(op.operands, 0);    // broadcast: the first offset of operand o's run
  const BroadcastGeometry* g = op.broadcast.get();
  uint64_t at = 0;
  for (size_t o = 0; o < op.operands; ++o) {
    block[o] = at;
    if (g == nullptr) {
      at += n;
    } else {
      const auto [lo, hi] = g->span(o, static_cast<int64_t>(op.first_element), static_cast<int64_t>(n));
      base[o] = lo;
      at += static_cast<uint64_t>(hi - lo + 1);
    }
  }
  // Broadcast: the multi-index of the current result over the geometry's axes, stepped one
  // element at a time, and every operand's offset with it.
  const size_t axes = g == nullptr ? 0 : g->extent.size();
  std::vector<int64_t> idx(axes, 0), off(op.operands, 0);
  if (g != nullptr) {
    int64_t rest = static_cast<int64_t>(op.first_element);
    for (size_t k = axes; k-- > 0;) {
      idx[k] = rest % g->extent[k];
      rest /= g->extent[k];
    }
    for (size_t o = 0; o < op.operands; ++o) off[o] = g->offset(o, static_cast<int64_t>(op.first_element));
  }
  auto operand = [&](size_t o, uint64_t i) {
    const uint64_t e = g == nullptr ? i : static_cast<uint64_t>(off[o] - base[o]);
    return src + (block[o] + e) * ue;
  };
  for (uint64_t i = 0; i < n; ++i) {
    if (ints) {
      int64_t v = load_element_int(operand(0, i), t);
      for (size_t o = 1; o < op.operands; ++o) v = arith_int(f, v, load_element_int(operand(o, i), t));
      store_element_int(dst + i * ue, t, v);
    } else {
      float v = load_element_float(operand(0, i), t);
      for (size_t o = 1; o < op.operands; ++o) v = arith_fp(f, v, load_element_float(operand(o, i), t));
      store_element_float(dst + i * ue, t, v);
    }
    // Step the multi-index (innermost axis first) and the offsets with it.
    for (size_t k = axes; k-- > 0;) {
      for (size_t o = 0; o < op.operands; ++o) off[o] += g->stride[o][k];
      if (++idx[k] < g->extent[k]) break;
      for (size_t o = 0; o < op.operands; ++o) off[o] -= g->stride[o][k] * g->extent[k];
      idx[k] = 0;
    }
  }
}

}  // namespace systole::hw
