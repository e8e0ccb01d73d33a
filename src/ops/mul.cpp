// mul: the elementwise product of two or more equal-shaped tensors (SwiGLU's gate x up, ONNX Mul
// of two tensors).
//   shapes:    the input shape; vector ops = elements x (inputs - 1), priced as multiplies.
//   lowering:  as add: the vector unit, in chunks of elements: one LOAD per operand into the same
//              ifmap half, a VECTOR mul, a STORE.
//   reference: integers multiplied exactly (the product of the operands' values, Systole's integer
//              convention: no scales), saturated once to the dtype; floats multiplied in input
//              order in fp32 (each product rounded to nearest even), then rounded to the dtype.
#include <fmt/format.h>

#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"

namespace systole::ops {
namespace {

using namespace reference_support;
using namespace shape_math;

class Mul final : public Operator {
 public:
  const char* name() const override { return "mul"; }
  std::vector<TypeSpelling> spellings() const override { return {{"mul", {}}}; }
  std::pair<size_t, size_t> arity() const override { return {2, 64}; }

  void infer(LayerCheck& c, Layer& l) const override {
    for (size_t i = 1; i < l.input_shapes.size(); ++i) {
      if (l.input_shapes[i] != l.input_shapes[0]) {
        c.fail("inputs", shape_str(l.input_shapes[0]) + " * " + shape_str(l.input_shapes[i]),
               fmt::format("mul needs equal shapes ('{}' and '{}' differ)", l.inputs[0], l.inputs[i]));
        return;
      }
    }
    l.output_shape = l.input_shapes[0];
    l.vector_ops = product({elements(l.output_shape), static_cast<int64_t>(l.input_shapes.size() - 1)});
  }

  void lower(LoweringContext& ctx) const override {
    lowering::emit_vector_chunks(
        ctx, lowering::elementwise_chunks(ctx, VectorFunc::kMul, 1, 1, "one element of each operand"),
        "elements");
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& in, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    need_weights(l, weights, false);
    if (in.size() < 2) layer_error(l, fmt::format("mul needs at least 2 inputs, got {}", in.size()));
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i]->dtype != in[0]->dtype) {
        layer_error(l, fmt::format("inputs have dtypes {} and {}; mul needs one dtype",
                                   to_string(in[0]->dtype), to_string(in[i]->dtype)));
      }
      expect_shape(l, "input", *in[i], in[0]->shape);
    }
    Tensor out(in[0]->dtype, in[0]->shape);
    const bool ints = is_integer(out.dtype);
    for (int64_t e = 0; e < out.elements(); ++e) {
      if (ints) {
        int64_t p = in[0]->get_int(e);
        for (size_t i = 1; i < in.size(); ++i) {
          int64_t r = 0;
          const int64_t v = in[i]->get_int(e);
          if (__builtin_mul_overflow(p, v, &r)) r = (p < 0) != (v < 0) ? INT64_MIN : INT64_MAX;
          p = r;
        }
        out.set_int(e, p);
      } else {
        float p = in[0]->get_float(e);
        for (size_t i = 1; i < in.size(); ++i) p *= in[i]->get_float(e);
        out.set_float(e, p);
      }
    }
    return out;
  }
  int64_t reduction_length(const Layer& l) const override { return static_cast<int64_t>(l.inputs.size()); }
};

}  // namespace

void register_operator_mul(OperatorRegistrar& r) {
  r.add<Mul>();
}

}  // namespace systole::ops
