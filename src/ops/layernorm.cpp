// layernorm: layer normalisation over the last axis (floats). The layer owns a scale and a shift
// (2 x last dim parameters, counted as weights) that the compiler does not load: they are 1 and 0.
//   shapes:    the input shape; vector ops = elements x kLayerNormOpsPerElement (4: mean,
//              variance, normalise, scale-and-shift); weights 2 x last dim.
//   lowering:  the vector unit, in chunks of whole rows of the last axis.
//   reference: numeric/vector_math.h layernorm_fp per row (no affine parameters).
#include <fmt/format.h>

#include "systole/numeric/vector_math.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"

namespace systole::ops {
namespace {

class LayerNorm final : public Operator {
 public:
  const char* name() const override { return "layernorm"; }
  std::vector<TypeSpelling> spellings() const override { return {{"layernorm", {}}}; }

  void infer(LayerCheck& c, Layer& l) const override {
    (void)c;
    l.output_shape = l.input_shapes[0];
    l.vector_ops = shape_math::product({shape_math::elements(l.output_shape), kLayerNormOpsPerElement});
    l.weight_elements = shape_math::product({2, l.output_shape.back()});
  }

  void lower(LoweringContext& ctx) const override {
    const int64_t row = ctx.layer.output_shape.back();
    lowering::emit_vector_chunks(
        ctx,
        lowering::elementwise_chunks(ctx, VectorFunc::kLayerNorm, row, kLayerNormOpsPerElement,
                                     "one row of the last axis"),
        "rows", static_cast<uint64_t>(row));
  }

  // The compiler does not load layernorm's scale and shift: they are 1 and 0 here, and weights are
  // ignored when given.
  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)weights;
    (void)opt;
    return reference_support::by_rows(l, *inputs[0], layernorm_fp);
  }
};

}  // namespace

void register_operator_layernorm(OperatorRegistrar& r) {
  r.add<LayerNorm>();
}

}  // namespace systole::ops
