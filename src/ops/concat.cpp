// concat: its inputs joined along `axis` (ONNX Concat; a negative axis counts from the end).
//   shapes:    the inputs have one rank and equal extents on every other axis; the output's axis
//              extent is the sum of theirs. No MACs, no vector ops, no weights.
//   lowering:  data movement only, on the DMA: viewing the output as [outer, axis x inner]
//              (outer = the extents before the axis, inner = those after), input i is `outer` rows
//              of size_i x inner elements that land at column offset_i x inner of the output's rows.
//              Each input is copied through the ifmap scratchpad (compiler emit_copies: a LOAD of
//              as many rows as fit half of it, then a STORE of them to their strided place), so
//              the layer reads every output byte from DRAM once and writes it once: cycles are
//              the DMA's, energy DRAM + scratchpad accesses + bursts, no compute unit.
//   reference: the same copy, element by element.
#include <algorithm>

#include <fmt/format.h>

#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

struct ConcatAttrs {
  int64_t axis = 0;  // as written: -rank..rank-1
};

// The extents before and after `axis` of `s`.
void outer_inner(const Shape& s, size_t axis, int64_t* outer, int64_t* inner) {
  *outer = 1, *inner = 1;
  for (size_t d = 0; d < s.size(); ++d) {
    if (d < axis) *outer *= s[d];
    if (d > axis) *inner *= s[d];
  }
}

class Concat final : public Operator {
 public:
  const char* name() const override { return "concat"; }
  bool passes_quant() const override { return true; }
  std::vector<TypeSpelling> spellings() const override { return {{"concat", {"axis"}}}; }
  std::pair<size_t, size_t> arity() const override { return {1, 64}; }

  void parse(LayerFields& f, Layer* l) const override {
    ConcatAttrs a;
    if (!f.has("axis"))
      f.missing("axis", "required for concat: the axis to join along (negative counts from the end)");
    else
      f.get_int("axis", &a.axis);
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    const Shape& first = l.input_shapes[0];
    const int64_t axis = shape_math::resolve_axis(c, "axis", l.as<ConcatAttrs>().axis, first.size());
    if (axis < 0) return;
    Shape out = first;
    for (size_t i = 1; i < l.input_shapes.size(); ++i) {
      const Shape& s = l.input_shapes[i];
      bool same = s.size() == first.size();
      for (size_t d = 0; same && d < s.size(); ++d) same = d == static_cast<size_t>(axis) || s[d] == first[d];
      if (!same) {
        c.fail("inputs", shape_str(first) + " and " + shape_str(s),
               fmt::format("'{}' and '{}' must have one rank and equal extents on every axis but {}",
                           l.inputs[0], l.inputs[i], axis));
        return;
      }
      out[static_cast<size_t>(axis)] =
          shape_math::sum(out[static_cast<size_t>(axis)], s[static_cast<size_t>(axis)]);
      if (out[static_cast<size_t>(axis)] < 0) {
        c.fail("inputs", shape_str(s), fmt::format("the extent of axis {} overflows 64 bits", axis));
        return;
      }
    }
    l.output_shape = out;
  }

  void lower(LoweringContext& ctx) const override {
    const Layer& l = ctx.layer;
    const size_t axis = resolved_axis(l);
    const lowering::TensorView& out = ctx.plan.views.at(l.name);
    int64_t outer = 0, inner = 0;
    outer_inner(l.output_shape, axis, &outer, &inner);
    const int64_t e = ctx.eb.act, row = l.output_shape[axis] * inner * e;
    std::vector<lowering::BlockCopy> blocks;
    int64_t offset = 0;  // along the axis
    for (size_t i = 0; i < l.inputs.size(); ++i) {
      const lowering::TensorView& in = ctx.plan.views.at(l.inputs[i]);
      const int64_t part = l.input_shapes[i][axis] * inner * e;  // bytes of one row of input i
      blocks.push_back({in.addr, out.addr + static_cast<uint64_t>(offset * inner * e), outer, part, part, row,
                        in.source_layer});
      offset += l.input_shapes[i][axis];
    }
    lowering::emit_copies(ctx, blocks);
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& in, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    reference_support::need_weights(l, weights, false);
    const Shape& first = in[0]->shape;
    const int64_t rank = static_cast<int64_t>(first.size()), a = l.as<ConcatAttrs>().axis;
    if (a < -rank || a >= rank)
      reference_support::layer_error(l, fmt::format("axis {} of a rank-{} input", a, rank));
    const auto axis = static_cast<size_t>(a < 0 ? a + rank : a);
    Shape os = first;
    os[axis] = 0;
    for (const Tensor* t : in) {
      bool same = t->shape.size() == first.size() && t->dtype == in[0]->dtype;
      for (size_t d = 0; same && d < first.size(); ++d) same = d == axis || t->shape[d] == first[d];
      if (!same) {
        reference_support::layer_error(
            l, fmt::format("input {} {} does not concatenate with {} {} along axis {}", shape_str(t->shape),
                           to_string(t->dtype), shape_str(first), to_string(in[0]->dtype), axis));
      }
      os[axis] += t->shape[axis];
    }
    Tensor out(in[0]->dtype, os);
    int64_t outer = 0, inner = 0;
    outer_inner(os, axis, &outer, &inner);
    const int64_t e = bytes_of(out.dtype);
    int64_t offset = 0;
    for (const Tensor* t : in) {
      const int64_t run = t->shape[axis] * inner * e;
      for (int64_t o = 0; o < outer; ++o) {
        std::copy_n(t->bytes.begin() + o * run, run, out.bytes.begin() + (o * os[axis] + offset) * inner * e);
      }
      offset += t->shape[axis];
    }
    return out;
  }

 private:
  static size_t resolved_axis(const Layer& l) {
    const int64_t a = l.as<ConcatAttrs>().axis, rank = static_cast<int64_t>(l.output_shape.size());
    return static_cast<size_t>(a < 0 ? a + rank : a);
  }
};

}  // namespace

void register_operator_concat(OperatorRegistrar& r) {
  r.add<Concat>();
}

}  // namespace systole::ops
