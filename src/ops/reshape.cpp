// reshape: the same elements in a new shape; one -1 is inferred. Layout only.
//   shapes:    `shape` (its element count must be the input's); no cost.
//   lowering:  none: the output is a view of the input's DRAM tensor (contiguous strides). A
//              transpose it reads is materialised into a contiguous tensor first
//              (workload/layout.h), so the view is always of contiguous data.
//   reference: the input's bytes with the new shape.
#include <fmt/format.h>

#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

using namespace reference_support;
using namespace shape_math;

class Reshape final : public Operator {
 public:
  const char* name() const override { return "reshape"; }
  bool passes_quant() const override { return true; }
  std::vector<TypeSpelling> spellings() const override { return {{"reshape", {"shape"}}}; }
  LayoutView layout() const override { return LayoutView::kContiguous; }

  void parse(LayerFields& f, Layer* l) const override {
    ReshapeAttrs a;
    if (!f.has("shape"))
      f.missing("shape", "required for reshape");
    else
      f.get_int_list("shape", &a.shape);
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    const Shape& want = l.as<ReshapeAttrs>().shape;
    const int64_t total = elements(l.input_shapes[0]);
    int64_t known = 1;
    int wildcards = 0;
    for (int64_t d : want) {
      if (d == -1) {
        ++wildcards;
      } else if (d < 1) {
        c.fail("shape", shape_str(want), "dimensions must be >= 1, or one -1 to infer");
        return;
      } else {
        known = product({known, d});
        if (known < 0) {
          c.fail("shape", shape_str(want), "element count overflows 64 bits");
          return;
        }
      }
    }
    if (want.empty() || wildcards > 1) {
      c.fail("shape", shape_str(want), "needs at least one dimension and at most one -1");
      return;
    }
    if ((wildcards == 0 && known != total) || (wildcards == 1 && total % known != 0)) {
      c.fail("shape", shape_str(want),
             fmt::format("element count {} of input {} does not fit", total, shape_str(l.input_shapes[0])));
      return;
    }
    l.output_shape = want;
    for (int64_t& d : l.output_shape) {
      if (d == -1) d = total / known;
    }
  }

  void lower(LoweringContext& ctx) const override {
    ctx.rec->dataflow = "none";
    ctx.rec->reason = fmt::format("layout only: output aliases '{}' at 0x{:x}", ctx.layer.inputs.at(0),
                                  ctx.plan.views.at(ctx.layer.name).addr);
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    need_weights(l, weights, false);
    const Tensor& in = *inputs[0];
    Shape s = l.as<ReshapeAttrs>().shape;
    int64_t known = 1, wild = -1;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == -1 && wild < 0) {
        wild = static_cast<int64_t>(i);
      } else if (s[i] < 1) {
        layer_error(l, "reshape " + shape_str(s) + " needs dimensions >= 1 and at most one -1");
      } else {
        known *= s[i];
      }
    }
    if (wild >= 0 && known > 0 && in.elements() % known == 0)
      s[static_cast<size_t>(wild)] = in.elements() / known;
    if (num_elements(s) != in.elements()) {
      layer_error(l, fmt::format("cannot reshape {} to {}", shape_str(in.shape),
                                 shape_str(l.as<ReshapeAttrs>().shape)));
    }
    Tensor out = in;
    out.shape = s;
    return out;
  }
};

}  // namespace

void register_operator_reshape(OperatorRegistrar& r) {
  r.add<Reshape>();
}

}  // namespace systole::ops
