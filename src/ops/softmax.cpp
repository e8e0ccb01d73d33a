// softmax over the last axis (floats), optionally causal.
//   attributes: `causal` (false): the input is attention scores [..., Q, K] (K >= Q) of Q queries
//              that are the last Q of the K positions (a prefill: Q == K; a decode step: Q new
//              tokens after a cache of K - Q); query i sees keys 0..K - Q + i, the rest are masked
//              (their probability is 0).
//   shapes:    the input shape; vector ops = elements x kSoftmaxOpsPerElement (3: max,
//              exp(x - max), divide by the sum). A causal softmax is counted the same: the vector
//              unit streams whole rows and masks in its lanes (no work is skipped).
//   lowering:  the vector unit, in chunks of whole rows of the last axis; a causal chunk carries
//              its first row and Q so that the unit knows each row's query (isa.h VectorOp).
//   reference: numeric/vector_math.h softmax_fp per row, softmax_causal_fp when causal.
#include <fmt/format.h>

#include "systole/numeric/vector_math.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

struct SoftmaxAttrs {
  bool causal = false;
};

// Layers built in code (tests) may carry NoAttrs: a plain softmax.
bool causal_of(const Layer& l) {
  const SoftmaxAttrs* a = l.attrs.get_if<SoftmaxAttrs>();
  return a != nullptr && a->causal;
}

class Softmax final : public Operator {
 public:
  const char* name() const override { return "softmax"; }
  std::vector<TypeSpelling> spellings() const override { return {{"softmax", {"causal"}}}; }

  void parse(LayerFields& f, Layer* l) const override {
    SoftmaxAttrs a;
    if (f.has("causal")) f.get_bool("causal", &a.causal);
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    const Shape& s = l.input_shapes[0];
    if (causal_of(l) && (s.size() < 2 || s[s.size() - 1] < s[s.size() - 2])) {
      c.fail("causal", shape_str(s),
             "a causal softmax needs scores [..., Q, K] with K >= Q (queries are the last Q of K positions)");
      return;
    }
    l.output_shape = s;
    l.vector_ops = shape_math::product({shape_math::elements(l.output_shape), kSoftmaxOpsPerElement});
  }

  void lower(LoweringContext& ctx) const override {
    const Shape& s = ctx.layer.output_shape;
    const int64_t row = s.back();
    std::vector<lowering::VectorChunk> chunks = lowering::elementwise_chunks(
        ctx, VectorFunc::kSoftmax, row, kSoftmaxOpsPerElement, "one row of the last axis");
    if (causal_of(ctx.layer)) {
      uint64_t first_row = 0;
      for (lowering::VectorChunk& c : chunks) {
        c.op.causal_queries = static_cast<uint64_t>(s[s.size() - 2]);
        c.op.first_row = first_row;
        first_row += c.op.elements / static_cast<uint64_t>(row);
      }
    }
    lowering::emit_vector_chunks(ctx, chunks, "rows", static_cast<uint64_t>(row));
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    reference_support::need_weights(l, weights, false);
    const Tensor& in = *inputs[0];
    if (!causal_of(l)) return reference_support::by_rows(l, in, softmax_fp, QuantRange::kUnit);
    if (in.shape.size() < 2 || in.shape.back() < in.shape[in.shape.size() - 2])
      reference_support::layer_error(l, "a causal softmax needs scores [..., Q, K] with K >= Q");
    const int64_t k = in.shape.back(), q = in.shape[in.shape.size() - 2];
    Tensor out(in.dtype, in.shape);
    const reference_support::QuantizedAccess io(l, in.dtype, QuantRange::kUnit);
    std::vector<float> x(static_cast<size_t>(k)), y(static_cast<size_t>(k));
    for (int64_t r = 0; r * k < in.elements(); ++r) {
      for (int64_t j = 0; j < k; ++j) x[static_cast<size_t>(j)] = io.get(in, r * k + j);
      softmax_causal_fp(x.data(), y.data(), k, k - q + r % q + 1);
      for (int64_t j = 0; j < k; ++j) io.set(out, r * k + j, y[static_cast<size_t>(j)]);
    }
    return out;
  }
};

}  // namespace

void register_operator_softmax(OperatorRegistrar& r) {
  r.add<Softmax>();
}

}  // namespace systole::ops
