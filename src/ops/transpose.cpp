// transpose: a permutation of the axes. Layout only, unless a reshape reads it.
//   shapes:    output axis a is input axis perm[a]; no cost.
//   lowering:  none: the output is a view of the input's DRAM tensor whose strides are the
//              input's, permuted, so a consumer's DMA walks the producer's tensor directly (only
//              matmuls read their operands by strides; functional simulation refuses other readers).
//              Materialised (workload/layout.h: a layer that does not read by strides reads
//              it, e.g. a reshape): a copy through the ifmap
//              scratchpad (compiler emit_copies) of the input walked through those strides into a
//              contiguous tensor of its own, in rows of the innermost output axis when the input
//              holds it contiguously (else of single elements) along the longest other axis, one
//              block of rows per index of the remaining axes.
//   reference: out[i_0, ..., i_r] = in[j] with j_{perm[d]} = i_d (it also materialises the view for
//              the functional check of its consumers; a materialised one is checked itself).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"
#include "systole/workload/layout.h"

namespace systole::ops {
namespace {

using namespace reference_support;

class Transpose final : public Operator {
 public:
  const char* name() const override { return "transpose"; }
  bool passes_quant() const override { return true; }
  std::vector<TypeSpelling> spellings() const override { return {{"transpose", {"perm"}}}; }
  LayoutView layout() const override { return LayoutView::kStrided; }
  bool reads_strided() const override { return true; }  // a view of a view: the strides compose

  void parse(LayerFields& f, Layer* l) const override {
    TransposeAttrs a;
    if (!f.has("perm"))
      f.missing("perm", "required for transpose");
    else
      f.get_int_list("perm", &a.perm);
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    const auto& perm = l.as<TransposeAttrs>().perm;
    const Shape& in = l.input_shapes[0];
    std::set<int64_t> seen(perm.begin(), perm.end());
    bool valid = perm.size() == in.size() && seen.size() == perm.size();
    for (int64_t p : perm) valid = valid && p >= 0 && p < static_cast<int64_t>(in.size());
    if (!valid) {
      c.fail("perm", shape_str(perm),
             fmt::format("must be a permutation of 0..{} for input {}", static_cast<int64_t>(in.size()) - 1,
                         shape_str(in)));
      return;
    }
    for (int64_t p : perm) l.output_shape.push_back(in[static_cast<size_t>(p)]);
  }

  void lower(LoweringContext& ctx) const override {
    if (layout_of(ctx.net, ctx.layer) == LayoutView::kNone) {
      materialise(ctx);
      return;
    }
    ctx.rec->dataflow = "none";
    ctx.rec->reason = fmt::format(
        "layout only: output aliases '{}' at 0x{:x}; consumers' DMA strides absorb the "
        "permutation",
        ctx.layer.inputs.at(0), ctx.plan.views.at(ctx.layer.name).addr);
  }
  // The copy of a materialised transpose (above).
  void materialise(LoweringContext& ctx) const {
    const Layer& l = ctx.layer;
    const lowering::TensorView& src = ctx.plan.views.at(l.inputs.at(0));
    const lowering::TensorView& out = ctx.plan.views.at(l.name);
    const std::vector<int64_t> strides = view_strides(l, src);  // elements of the input, per output axis
    const Shape& shape = l.output_shape;
    const size_t r = shape.size();
    const int64_t e = ctx.eb.act;
    std::vector<int64_t> dense(r, 1);  // the output's own (contiguous) strides
    for (size_t d = r; d-- > 1;) dense[d - 1] = dense[d] * shape[d];
    // Rows: runs of the innermost axis when the input holds it contiguously, else single elements.
    // A block walks one more axis, the rows' axis: the longest of the others (ties: the inner
    // one), so that the blocks are few and long (BERT's head merge: 128 token rows per head, not
    // 12 head rows per token); the remaining axes, in order, index the blocks.
    const bool runs = strides[r - 1] == 1;
    const int64_t run = runs ? shape[r - 1] : 1;
    const size_t inner = runs ? r - 1 : r;  // the axes from here on are inside a row
    const bool one_row = inner == 0;        // a 1-D transpose (the identity): one row
    size_t row_axis = 0;
    for (size_t d = 0; d < inner; ++d) {
      if (shape[d] >= shape[row_axis]) row_axis = d;
    }
    const int64_t rows = one_row ? 1 : shape[row_axis];
    std::vector<size_t> outer;  // the axes that index the blocks
    for (size_t d = 0; d < inner; ++d) {
      if (d != row_axis) outer.push_back(d);
    }
    std::vector<lowering::BlockCopy> blocks;
    int64_t count = 1;
    for (const size_t d : outer) count *= shape[d];
    std::vector<int64_t> idx(outer.size(), 0);
    for (int64_t b = 0; b < count && rows > 0 && run > 0; ++b) {
      int64_t from = 0, to = 0;
      for (size_t i = 0; i < outer.size(); ++i)
        from += idx[i] * strides[outer[i]], to += idx[i] * dense[outer[i]];
      blocks.push_back({src.addr + static_cast<uint64_t>(from * e), out.addr + static_cast<uint64_t>(to * e),
                        rows, run * e, (one_row ? 0 : strides[row_axis]) * e,
                        (one_row ? 0 : dense[row_axis]) * e, src.source_layer});
      for (size_t i = outer.size(); i-- > 0;) {
        if (++idx[i] < shape[outer[i]]) break;
        idx[i] = 0;
      }
    }
    lowering::emit_copies(ctx, blocks);
    ctx.rec->reason =
        fmt::format("materialised: a layer that does not read by strides reads it: {}", ctx.rec->reason);
  }

  std::vector<int64_t> view_strides(const Layer& l, const lowering::TensorView& src) const override {
    if (src.strides.size() != l.output_shape.size()) return lowering::contiguous_strides(l.output_shape);
    // Output axis a is input axis perm[a]: the consumer's DMA walks the producer's strides.
    std::vector<int64_t> strides;
    for (int64_t a : l.as<TransposeAttrs>().perm) strides.push_back(src.strides.at(static_cast<size_t>(a)));
    return strides;
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    need_weights(l, weights, false);
    const Tensor& in = *inputs[0];
    const auto& perm = l.as<TransposeAttrs>().perm;
    const size_t r = in.shape.size();
    std::vector<bool> seen(r, false);
    bool ok = perm.size() == r;
    for (int64_t p : perm) {
      ok = ok && p >= 0 && static_cast<size_t>(p) < r && !seen[static_cast<size_t>(p)];
      if (ok) seen[static_cast<size_t>(p)] = true;
    }
    if (!ok) layer_error(l, fmt::format("perm is not a permutation of the axes of {}", shape_str(in.shape)));
    Shape os(r);
    std::vector<int64_t> in_stride(r, 1);
    for (size_t d = r; d-- > 1;) in_stride[d - 1] = in_stride[d] * in.shape[d];
    for (size_t d = 0; d < r; ++d) os[d] = in.shape[static_cast<size_t>(perm[d])];
    Tensor out(in.dtype, os);
    const int64_t e = bytes_of(in.dtype);
    std::vector<int64_t> idx(r, 0);
    for (int64_t o = 0; o < out.elements(); ++o) {
      int64_t src = 0;
      for (size_t d = 0; d < r; ++d) src += idx[d] * in_stride[static_cast<size_t>(perm[d])];
      std::copy_n(in.bytes.begin() + src * e, e, out.bytes.begin() + o * e);
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < os[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }
};

}  // namespace

void register_operator_transpose(OperatorRegistrar& r) {
  r.add<Transpose>();
}

}  // namespace systole::ops
