// softmax over the last axis (floats).
//   shapes:    the input shape; vector ops = elements x kSoftmaxOpsPerElement (3: max,
//              exp(x - max), divide by the sum).
//   lowering:  the vector unit, in chunks of whole rows of the last axis.
//   reference: numeric/vector_math.h softmax_fp per row.
#include <fmt/format.h>

#include "systole/numeric/vector_math.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"

namespace systole::ops {
namespace {

class Softmax final : public Operator {
 public:
  const char* name() const override { return "softmax"; }
  std::vector<TypeSpelling> spellings() const override { return {{"softmax", {}}}; }

  void infer(LayerCheck& c, Layer& l) const override {
    (void)c;
    l.output_shape = l.input_shapes[0];
    l.vector_ops = shape_math::product({shape_math::elements(l.output_shape), kSoftmaxOpsPerElement});
  }

  void lower(LoweringContext& ctx) const override {
    const int64_t row = ctx.layer.output_shape.back();
    lowering::emit_vector_chunks(
        ctx,
        lowering::elementwise_chunks(ctx, VectorFunc::kSoftmax, row, kSoftmaxOpsPerElement,
                                     "one row of the last axis"),
        "rows", static_cast<uint64_t>(row));
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    reference_support::need_weights(l, weights, false);
    return reference_support::by_rows(l, *inputs[0], "softmax", softmax_fp);
  }
  std::string functional_support(const ArchSpec& arch, const Network& net, const Layer& l) const override {
    (void)net;
    return is_float(arch.core.array.input_type) ? "" : fmt::format("{} needs float data", to_string(l.kind));
  }
};

}  // namespace

void register_operator_softmax(OperatorRegistrar& r) {
  r.add<Softmax>();
}

}  // namespace systole::ops
