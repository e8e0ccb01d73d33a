// activation (also spelt relu): an elementwise function, relu, relu6, gelu, sigmoid or tanh.
//   shapes:    the input shape; vector ops = elements.
//   lowering:  the vector unit, in chunks of elements; a relu / relu6 whose only input is a conv2d
//              or matmul with no other consumer is fused into it instead (applied to the output
//              tiles before their STORE; docs/compiler.md "Fusion") and emits nothing itself.
//   reference: numeric/vector_math.h per element; relu and relu6 on any dtype (integers clamp
//              relu6 to [0, 6]), gelu, sigmoid and tanh on floats only.
#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/config/yaml_text.h"
#include "systole/numeric/vector_math.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

using namespace reference_support;
using namespace shape_math;

VectorFunc vector_func(ActivationFunc f) {
  switch (f) {
    case ActivationFunc::kRelu:
      return VectorFunc::kRelu;
    case ActivationFunc::kRelu6:
      return VectorFunc::kRelu6;
    case ActivationFunc::kGelu:
      return VectorFunc::kGelu;
    case ActivationFunc::kSigmoid:
      return VectorFunc::kSigmoid;
    case ActivationFunc::kTanh:
      return VectorFunc::kTanh;
    case ActivationFunc::kSilu:
      return VectorFunc::kSilu;
    case ActivationFunc::kHardSwish:
      return VectorFunc::kHardSwish;
  }
  throw InternalError("unknown activation function");
}

class Activation final : public Operator {
 public:
  const char* name() const override { return "activation"; }
  std::vector<TypeSpelling> spellings() const override {
    return {{"activation", {"function"}}, {"relu", {}}};
  }

  void parse(LayerFields& f, Layer* l) const override {
    ActivationAttrs a;  // relu: the spelling "relu" has no keys
    if (f.type() == "activation") {
      std::string fn;
      const std::vector<std::string> names = activation_func_names();
      if (!f.has("function")) {
        f.missing("function", "required: one of " + join_comma(names));
      } else if (f.get_string("function", &fn) && !parse_activation_func(fn, &a.func)) {
        f.fail("function", fn, "must be one of: " + join_comma(names) + LayerFields::suggestion(fn, names));
      }
    }
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    (void)c;
    l.output_shape = l.input_shapes[0];
    l.vector_ops = elements(l.output_shape);
  }

  void lower(LoweringContext& ctx) const override {
    const VectorFunc f = vector_func(ctx.layer.as<ActivationAttrs>().func);
    lowering::emit_vector_chunks(ctx, lowering::elementwise_chunks(ctx, f, 1, 1, "one element"), "elements");
  }
  std::optional<VectorFunc> fusable_activation(const Layer& l) const override {
    const ActivationFunc f = l.as<ActivationAttrs>().func;
    if (f == ActivationFunc::kRelu || f == ActivationFunc::kRelu6) return vector_func(f);
    return std::nullopt;
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    need_weights(l, weights, false);
    const Tensor& in = *inputs[0];
    const ActivationFunc f = l.as<ActivationAttrs>().func;
    Tensor out(in.dtype, in.shape);
    if (is_integer(in.dtype) && (f == ActivationFunc::kRelu || f == ActivationFunc::kRelu6)) {
      for (int64_t e = 0; e < in.elements(); ++e) {
        const int64_t v = in.get_int(e);
        out.set_int(e, f == ActivationFunc::kRelu ? relu_int(v) : relu6_int(v, 0));
      }
      return out;
    }
    float (*fn)(float) = relu_fp;
    switch (f) {
      case ActivationFunc::kRelu:
        fn = relu_fp;
        break;
      case ActivationFunc::kRelu6:
        fn = relu6_fp;
        break;
      case ActivationFunc::kGelu:
        fn = gelu_fp;
        break;
      case ActivationFunc::kSigmoid:
        fn = sigmoid_fp;
        break;
      case ActivationFunc::kTanh:
        fn = tanh_fp;
        break;
      case ActivationFunc::kSilu:
        fn = silu_fp;
        break;
      case ActivationFunc::kHardSwish:
        fn = hardswish_fp;
        break;
    }
    // Integer data through the quantised path (numeric/quantized.h): sigmoid's outputs are
    // probabilities, tanh's in [-1, 1), the rest in the wide range.
    const QuantizedAccess io(l, in.dtype,
                             f == ActivationFunc::kSigmoid ? QuantRange::kUnit
                             : f == ActivationFunc::kTanh  ? QuantRange::kSymmetricUnit
                                                           : QuantRange::kWide);
    for (int64_t e = 0; e < in.elements(); ++e) io.set(out, e, fn(io.get(in, e)));
    return out;
  }
};

}  // namespace

void register_operator_activation(OperatorRegistrar& r) {
  r.add<Activation>();
}

}  // namespace systole::ops
