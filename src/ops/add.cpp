// add: the elementwise sum of two or more equal-shaped tensors.
//   shapes:    the input shape; vector ops = elements x (inputs - 1).
//   lowering:  the vector unit, in chunks of elements: one LOAD per operand into the same ifmap
//              half, a VECTOR add, a STORE.
//   reference: integers summed exactly, saturated once to the dtype; floats added in input order
//              in fp32 (each sum rounded to nearest even), then rounded to the dtype.
#include <fmt/format.h>

#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"

namespace systole::ops {
namespace {

using namespace reference_support;
using namespace shape_math;

class Add final : public Operator {
 public:
  const char* name() const override { return "add"; }
  std::vector<TypeSpelling> spellings() const override { return {{"add", {}}}; }
  std::pair<size_t, size_t> arity() const override { return {2, 64}; }

  void infer(LayerCheck& c, Layer& l) const override {
    for (size_t i = 1; i < l.input_shapes.size(); ++i) {
      if (l.input_shapes[i] != l.input_shapes[0]) {
        c.fail("inputs", shape_str(l.input_shapes[0]) + " + " + shape_str(l.input_shapes[i]),
               fmt::format("add needs equal shapes ('{}' and '{}' differ)", l.inputs[0], l.inputs[i]));
        return;
      }
    }
    l.output_shape = l.input_shapes[0];
    l.vector_ops = product({elements(l.output_shape), static_cast<int64_t>(l.input_shapes.size() - 1)});
  }

  void lower(LoweringContext& ctx) const override {
    lowering::emit_vector_chunks(
        ctx, lowering::elementwise_chunks(ctx, VectorFunc::kAdd, 1, 1, "one element of each operand"),
        "elements");
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& in, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    need_weights(l, weights, false);
    if (in.size() < 2) layer_error(l, fmt::format("add needs at least 2 inputs, got {}", in.size()));
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i]->dtype != in[0]->dtype) {
        layer_error(l, fmt::format("inputs have dtypes {} and {}; add needs one dtype",
                                   to_string(in[0]->dtype), to_string(in[i]->dtype)));
      }
      expect_shape(l, "input", *in[i], in[0]->shape);
    }
    Tensor out(in[0]->dtype, in[0]->shape);
    const bool ints = is_integer(out.dtype);
    for (int64_t e = 0; e < out.elements(); ++e) {
      if (ints) {
        int64_t s = 0;
        for (const Tensor* t : in) s += t->get_int(e);  // |s| < 64 * 2^31: exact
        out.set_int(e, s);
      } else {
        float s = in[0]->get_float(e);
        for (size_t i = 1; i < in.size(); ++i) s += in[i]->get_float(e);
        out.set_float(e, s);
      }
    }
    return out;
  }
  int64_t reduction_length(const Layer& l) const override { return static_cast<int64_t>(l.inputs.size()); }
};

}  // namespace

void register_operator_add(OperatorRegistrar& r) {
  r.add<Add>();
}

}  // namespace systole::ops
