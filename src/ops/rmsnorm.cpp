// rmsnorm: RMS normalisation over the last axis (floats; Zhang & Sennrich 2019, the Llama family's
// norm). The layer owns a scale (last dim parameters, counted as weights) that the compiler does
// not load: it is 1.
//   shapes:    the input shape; vector ops = elements x kRmsNormOpsPerElement (3: mean of squares,
//              normalise, scale); weights = last dim.
//   lowering:  the vector unit, in chunks of whole rows of the last axis.
//   reference: numeric/vector_math.h rmsnorm_fp per row (no scale).
#include <fmt/format.h>

#include "systole/numeric/vector_math.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"

namespace systole::ops {
namespace {

class RmsNorm final : public Operator {
 public:
  const char* name() const override { return "rmsnorm"; }
  std::vector<TypeSpelling> spellings() const override { return {{"rmsnorm", {}}}; }

  void infer(LayerCheck& c, Layer& l) const override {
    (void)c;
    l.output_shape = l.input_shapes[0];
    l.vector_ops = shape_math::product({shape_math::elements(l.output_shape), kRmsNormOpsPerElement});
    l.weight_elements = l.output_shape.back();
  }

  void lower(LoweringContext& ctx) const override {
    const int64_t row = ctx.layer.output_shape.back();
    lowering::emit_vector_chunks(
        ctx,
        lowering::elementwise_chunks(ctx, VectorFunc::kRmsNorm, row, kRmsNormOpsPerElement,
                                     "one row of the last axis"),
        "rows", static_cast<uint64_t>(row));
  }

  // The compiler does not load the scale: it is 1 here, and weights are ignored when given.
  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)weights;
    (void)opt;
    return reference_support::by_rows(l, *inputs[0], rmsnorm_fp);
  }
};

}  // namespace

void register_operator_rmsnorm(OperatorRegistrar& r) {
  r.add<RmsNorm>();
}

}  // namespace systole::ops
