// add, sub, mul, div: elementwise arithmetic over operands broadcast as NumPy and ONNX do
// (numeric/broadcast.h: shapes aligned on their last axis, every extent equal or 1).
//   shapes:    the operands' broadcast shape; add and mul take 2 to 64 operands (a sum or product
//              of them all), sub and div two (a - b, a / b). Vector ops = output elements x
//              (operands - 1), twice that for div (a reciprocal and a multiply per element); add
//              and sub are priced as adds, mul and div as multiplies.
//   lowering:  the vector unit, in chunks of output elements: per chunk one LOAD per operand of
//              the run of its elements the chunk reads (the chunk's own elements when the operand
//              has the output's shape; a broadcast operand's span, BroadcastGeometry::span), a
//              VECTOR (with the layer's BroadcastGeometry when an operand is broadcast), a STORE.
//   reference: integers computed exactly (sums, differences and products of the operands'
//              values, Systole's integer convention: no scales; a quotient truncated toward zero,
//              as ONNX's integer Div; x / 0 is the dtype's largest value of x's sign, 0 / 0 is 0)
//              and saturated once to the dtype; floats in fp32, operands in input order (each
//              step rounded to nearest even), then rounded to the dtype.
#include <memory>

#include <fmt/format.h>

#include "systole/numeric/broadcast.h"
#include "systole/numeric/vector_math.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"

namespace systole::ops {
namespace {

using namespace reference_support;
using namespace shape_math;

template <ArithOp kOp>
class Elementwise final : public Operator {
 public:
  const char* name() const override { return kName; }
  std::vector<TypeSpelling> spellings() const override { return {{kName, {}}}; }
  std::pair<size_t, size_t> arity() const override {
    return kNary ? std::make_pair<size_t, size_t>(2, 64) : std::make_pair<size_t, size_t>(2, 2);
  }

  void infer(LayerCheck& c, Layer& l) const override {
    Shape out;
    if (!broadcast_shape(l.input_shapes, &out)) {
      std::string shapes, names;
      for (size_t i = 0; i < l.input_shapes.size(); ++i) {
        shapes += (i > 0 ? kSymbol : std::string()) + shape_str(l.input_shapes[i]);
        names += fmt::format("{}'{}'", i > 0 ? ", " : "", l.inputs[i]);
      }
      c.fail("inputs", shapes,
             fmt::format("{} needs shapes that broadcast ({}): aligned on the last axis, every extent equal "
                         "or 1",
                         kName, names));
      return;
    }
    l.output_shape = out;
    l.vector_ops = product({elements(l.output_shape), ops_per_element(l.input_shapes.size())});
  }

  void lower(LoweringContext& ctx) const override {
    lowering::emit_vector_chunks(
        ctx,
        lowering::broadcast_chunks(ctx, kFunc, ops_per_element(ctx.layer.inputs.size()),
                                   "one element of each operand"),
        "elements");
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& in, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    need_weights(l, weights, false);
    if (in.size() < 2 || (!kNary && in.size() != 2))
      layer_error(l, fmt::format("{} needs {} inputs, got {}", kName, kNary ? "2 or more" : "2", in.size()));
    std::vector<Shape> shapes;
    for (const Tensor* t : in) {
      if (t->dtype != in[0]->dtype) {
        layer_error(l, fmt::format("inputs have dtypes {} and {}; {} needs one dtype",
                                   to_string(in[0]->dtype), to_string(t->dtype), kName));
      }
      shapes.push_back(t->shape);
    }
    Shape out_shape;
    if (!broadcast_shape(shapes, &out_shape)) layer_error(l, "input shapes do not broadcast");
    Tensor out(in[0]->dtype, out_shape);
    // Operand element of output multi-index idx: the operand's own row-major index, its axes
    // aligned on the last, an extent of 1 read at 0.
    const size_t rank = out_shape.size();
    std::vector<int64_t> idx(rank, 0);
    auto operand_index = [&](const Tensor& t) {
      int64_t at = 0;
      const size_t lead = rank - t.shape.size();
      for (size_t k = 0; k < t.shape.size(); ++k)
        at = at * t.shape[k] + (t.shape[k] == 1 ? 0 : idx[lead + k]);
      return at;
    };
    const bool ints = is_integer(out.dtype);
    for (int64_t e = 0; e < out.elements(); ++e) {
      int64_t rest = e;
      for (size_t k = rank; k-- > 0;) {
        idx[k] = rest % out_shape[k];
        rest /= out_shape[k];
      }
      if (ints) {
        int64_t v = in[0]->get_int(operand_index(*in[0]));
        for (size_t i = 1; i < in.size(); ++i) v = arith_int(kOp, v, in[i]->get_int(operand_index(*in[i])));
        out.set_int(e, v);
      } else {
        float v = in[0]->get_float(operand_index(*in[0]));
        for (size_t i = 1; i < in.size(); ++i) v = arith_fp(kOp, v, in[i]->get_float(operand_index(*in[i])));
        out.set_float(e, v);
      }
    }
    return out;
  }
  int64_t reduction_length(const Layer& l) const override { return static_cast<int64_t>(l.inputs.size()); }

 private:
  // Lane operations per output element: one per operand after the first, two for a division (a
  // reciprocal and a multiply).
  static int64_t ops_per_element(size_t operands) {
    return static_cast<int64_t>(operands - 1) * (kOp == ArithOp::kDiv ? 2 : 1);
  }
  static constexpr bool kNary = kOp == ArithOp::kAdd || kOp == ArithOp::kMul;
  static constexpr const char* kName = kOp == ArithOp::kAdd   ? "add"
                                       : kOp == ArithOp::kSub ? "sub"
                                       : kOp == ArithOp::kMul ? "mul"
                                                              : "div";
  static constexpr const char* kSymbol = kOp == ArithOp::kAdd   ? " + "
                                         : kOp == ArithOp::kSub ? " - "
                                         : kOp == ArithOp::kMul ? " * "
                                                                : " / ";
  static constexpr VectorFunc kFunc = kOp == ArithOp::kAdd   ? VectorFunc::kAdd
                                      : kOp == ArithOp::kSub ? VectorFunc::kSub
                                      : kOp == ArithOp::kMul ? VectorFunc::kMul
                                                             : VectorFunc::kDiv;
};

}  // namespace

void register_operator_add(OperatorRegistrar& r) {
  r.add<Elementwise<ArithOp::kAdd>>();
}
void register_operator_sub(OperatorRegistrar& r) {
  r.add<Elementwise<ArithOp::kSub>>();
}
void register_operator_mul(OperatorRegistrar& r) {
  r.add<Elementwise<ArithOp::kMul>>();
}
void register_operator_div(OperatorRegistrar& r) {
  r.add<Elementwise<ArithOp::kDiv>>();
}

}  // namespace systole::ops
