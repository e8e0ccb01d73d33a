// split: one input cut along `axis` into parts of the given `sizes` (or `parts` equal ones), ONNX
// Split. Several outputs: the loader expands a split layer `s` into one layer per part, named
// `s:0`, `s:1`, ... (docs/operators.md "Several outputs"); consumers name a part, and `s` alone
// names no tensor. Every part is an ordinary layer of kind split with its part index.
//   shapes:    part i is the input with extent sizes[i] on the axis; the sizes must add up to the
//              input's extent (parts: divide it). No MACs, no vector ops, no weights.
//   lowering:  data movement only, on the DMA: viewing the input as [outer, axis x inner], part i
//              is `outer` rows of sizes[i] x inner elements at column offset_i x inner; each is
//              copied through the ifmap scratchpad into the part's contiguous tensor (compiler
//              emit_copies: LOADs of strided rows, STOREs of contiguous ones). Over all parts the
//              input is read once and written once; cycles are the DMA's, no compute unit.
//   reference: the same slice, element by element.
#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

// Every part is a layer of its own: a bound on them keeps a one-line `parts: 1000000000` from
// becoming a billion layers (docs/reliability.md: the size of an input bounds its memory).
constexpr int64_t kMaxParts = 4096;

struct SplitAttrs {
  int64_t axis = 0;  // as written: -rank..rank-1
  // The extent of every part along the axis, or empty with `parts`; shared by the parts' layers.
  std::shared_ptr<const std::vector<int64_t>> sizes = std::make_shared<const std::vector<int64_t>>();
  int64_t parts = 0;  // equal parts (when `sizes` is not given)
  int64_t part = 0;   // which part this layer is (set by expand)

  int64_t count() const { return sizes->empty() ? parts : static_cast<int64_t>(sizes->size()); }
};

// The extents before and after `axis` of `s`.
void outer_inner(const Shape& s, size_t axis, int64_t* outer, int64_t* inner) {
  *outer = 1, *inner = 1;
  for (size_t d = 0; d < s.size(); ++d) {
    if (d < axis) *outer *= s[d];
    if (d > axis) *inner *= s[d];
  }
}

// The parts' extents for an input extent `extent`, or "" -> why not.
std::string part_sizes(const SplitAttrs& a, int64_t extent, std::vector<int64_t>* out) {
  if (a.sizes->empty()) {
    if (a.parts < 1 || extent % a.parts != 0) {
      return fmt::format("parts {} must divide the axis extent {}", a.parts, extent);
    }
    out->assign(static_cast<size_t>(a.parts), extent / a.parts);
    return "";
  }
  int64_t total = 0;
  for (int64_t s : *a.sizes) {
    if (s < 1) return fmt::format("sizes {} must all be >= 1", shape_str(*a.sizes));
    total = shape_math::sum(total, s);
  }
  if (total != extent) {
    return fmt::format("sizes {} add up to {}, not the axis extent {}", shape_str(*a.sizes), total, extent);
  }
  *out = *a.sizes;
  return "";
}

class Split final : public Operator {
 public:
  const char* name() const override { return "split"; }
  bool passes_quant() const override { return true; }
  std::vector<TypeSpelling> spellings() const override { return {{"split", {"axis", "sizes", "parts"}}}; }

  void parse(LayerFields& f, Layer* l) const override {
    SplitAttrs a;
    if (f.has("axis")) f.get_int("axis", &a.axis);
    if (!f.has("sizes") && !f.has("parts")) {
      f.missing("sizes",
                "required for split: sizes (the extent of every part) or parts (a number of equal parts)");
    } else if (f.has("sizes") && f.has("parts")) {
      f.fail("parts", f.text("parts"), "give either sizes or parts, not both");
    } else if (f.has("sizes")) {
      std::vector<int64_t> sizes;
      if (f.get_int_list("sizes", &sizes)) {
        if (sizes.empty() || static_cast<int64_t>(sizes.size()) > kMaxParts) {
          f.fail("sizes", f.text("sizes"), fmt::format("needs 1 to {} parts (each is a layer)", kMaxParts));
        } else {
          a.sizes = std::make_shared<const std::vector<int64_t>>(std::move(sizes));
        }
      }
    } else if (f.get_int("parts", &a.parts) && (a.parts < 1 || a.parts > kMaxParts)) {
      f.fail("parts", std::to_string(a.parts),
             fmt::format("must be 1 to {} (each part is a layer)", kMaxParts));
    }
    l->attrs = a;
  }

  std::vector<Layer> expand(Layer l) const override {
    std::vector<Layer> out;
    const SplitAttrs a = l.as<SplitAttrs>();
    for (int64_t i = 0; i < std::clamp<int64_t>(a.count(), 1, kMaxParts); ++i) {
      Layer part = l;
      part.name = fmt::format("{}:{}", l.name, i);
      part.as<SplitAttrs>().part = i;
      out.push_back(std::move(part));
    }
    return out;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    const auto& a = l.as<SplitAttrs>();
    const Shape& in = l.input_shapes[0];
    const int64_t axis = shape_math::resolve_axis(c, "axis", a.axis, in.size());
    if (axis < 0) return;
    std::vector<int64_t> sizes;
    const std::string why = part_sizes(a, in[static_cast<size_t>(axis)], &sizes);
    if (!why.empty()) {
      // Every part has the same attributes: the first reports, the others fail with it.
      if (a.part == 0) {
        c.fail(a.sizes->empty() ? "parts" : "sizes",
               a.sizes->empty() ? std::to_string(a.parts) : shape_str(*a.sizes), why);
      } else {
        c.fail_quietly();
      }
      return;
    }
    if (a.part < 0 || a.part >= static_cast<int64_t>(sizes.size())) {
      c.fail("", std::to_string(a.part), fmt::format("part {} of a split into {}", a.part, sizes.size()));
      return;
    }
    l.output_shape = in;
    l.output_shape[static_cast<size_t>(axis)] = sizes[static_cast<size_t>(a.part)];
  }

  void lower(LoweringContext& ctx) const override {
    const Layer& l = ctx.layer;
    const Shape& in_shape = l.input_shapes.at(0);
    const size_t axis = resolved_axis(l);
    std::vector<int64_t> sizes;
    if (!part_sizes(l.as<SplitAttrs>(), in_shape[axis], &sizes).empty())
      throw InternalError("split '" + l.name + "' has bad sizes");
    int64_t offset = 0;  // along the axis
    for (int64_t i = 0; i < l.as<SplitAttrs>().part; ++i) offset += sizes[static_cast<size_t>(i)];
    int64_t outer = 0, inner = 0;
    outer_inner(in_shape, axis, &outer, &inner);
    const int64_t e = ctx.eb.act, row = l.output_shape[axis] * inner * e;
    const lowering::TensorView& in = ctx.plan.views.at(l.inputs.at(0));
    const lowering::TensorView& out = ctx.plan.views.at(l.name);
    lowering::emit_copies(ctx, {{in.addr + static_cast<uint64_t>(offset * inner * e), out.addr, outer, row,
                                 in_shape[axis] * inner * e, row, in.source_layer}});
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    reference_support::need_weights(l, weights, false);
    const Tensor& in = *inputs[0];
    const auto& a = l.as<SplitAttrs>();
    const int64_t rank = static_cast<int64_t>(in.shape.size());
    if (a.axis < -rank || a.axis >= rank) {
      reference_support::layer_error(l, fmt::format("axis {} of a rank-{} input", a.axis, rank));
    }
    const auto axis = static_cast<size_t>(a.axis < 0 ? a.axis + rank : a.axis);
    std::vector<int64_t> sizes;
    const std::string why = part_sizes(a, in.shape[axis], &sizes);
    if (!why.empty()) reference_support::layer_error(l, why);
    if (a.part < 0 || a.part >= static_cast<int64_t>(sizes.size())) {
      reference_support::layer_error(l, fmt::format("part {} of {}", a.part, sizes.size()));
    }
    int64_t offset = 0;
    for (int64_t i = 0; i < a.part; ++i) offset += sizes[static_cast<size_t>(i)];
    Shape os = in.shape;
    os[axis] = sizes[static_cast<size_t>(a.part)];
    Tensor out(in.dtype, os);
    int64_t outer = 0, inner = 0;
    outer_inner(in.shape, axis, &outer, &inner);
    const int64_t e = bytes_of(in.dtype), run = os[axis] * inner * e;
    for (int64_t o = 0; o < outer; ++o) {
      std::copy_n(in.bytes.begin() + (o * in.shape[axis] + offset) * inner * e, run,
                  out.bytes.begin() + o * run);
    }
    return out;
  }

 private:
  static size_t resolved_axis(const Layer& l) {
    const int64_t a = l.as<SplitAttrs>().axis, rank = static_cast<int64_t>(l.output_shape.size());
    return static_cast<size_t>(a < 0 ? a + rank : a);
  }
};

}  // namespace

void register_operator_split(OperatorRegistrar& r) {
  r.add<Split>();
}

}  // namespace systole::ops
