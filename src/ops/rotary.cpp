// rotary: rotary position embedding (RoPE, Su et al. 2021) over the last axis (floats), as the
// Llama family applies it to queries and keys.
//   attributes: `seq_axis` (-2: the sequence axis of [B, H, S, d]; -3 for [B, S, H, d]),
//              `offset` (0: the position of the first token; a decode step's is its cache length),
//              `theta` (10000: the base of the angles), `style` (`half`: pairs (k, k + d/2) as
//              GPT-NeoX and Hugging Face Llama; `interleaved`: pairs (2k, 2k + 1) as GPT-J and
//              Meta's Llama code). The last axis d must be even.
//   shapes:    the input shape; vector ops = elements x kRotaryOpsPerElement (3: x cos, partner
//              sin, add). The angles' cos and sin come from the vector unit's table: no DRAM
//              traffic for them (a choice of the model, docs/workload-format.md).
//   lowering:  the vector unit, in chunks of whole rows of the last axis; each chunk carries its
//              first row and the rows' sequence geometry (isa.h RotaryGeometry).
//   reference: numeric/vector_math.h rotary_fp per row, at position offset + the row's index
//              along seq_axis.
#include <fmt/format.h>

#include "systole/numeric/vector_math.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

struct RotaryAttrs {
  int64_t seq_axis = -2;
  int64_t offset = 0;
  double theta = 10000.0;
  bool interleaved = false;
};

// The rows' sequence geometry of an input shape (seq_axis already checked).
RotaryGeometry geometry(const Shape& s, const RotaryAttrs& a) {
  const auto rank = static_cast<int64_t>(s.size());
  const int64_t axis = a.seq_axis < 0 ? a.seq_axis + rank : a.seq_axis;
  RotaryGeometry g;
  g.seq = static_cast<uint64_t>(s[static_cast<size_t>(axis)]);
  g.inner = 1;
  for (int64_t d = axis + 1; d < rank - 1; ++d) g.inner *= static_cast<uint64_t>(s[static_cast<size_t>(d)]);
  g.offset = static_cast<uint64_t>(a.offset);
  g.theta = a.theta;
  g.interleaved = a.interleaved;
  return g;
}

class Rotary final : public Operator {
 public:
  const char* name() const override { return "rotary"; }
  std::vector<TypeSpelling> spellings() const override {
    return {{"rotary", {"seq_axis", "offset", "theta", "style"}}};
  }

  void parse(LayerFields& f, Layer* l) const override {
    RotaryAttrs a;
    if (f.has("seq_axis")) f.get_int("seq_axis", &a.seq_axis);
    if (f.has("offset") && f.get_int("offset", &a.offset) && (a.offset < 0 || a.offset > (int64_t{1} << 31)))
      f.fail("offset", std::to_string(a.offset), "must be in [0, 2^31] (a token position)");
    if (f.has("theta") && f.get_number("theta", &a.theta) && !(a.theta > 1.0 && a.theta <= 1e12))
      f.fail("theta", fmt::format("{}", a.theta), "must be in (1, 1e12]");
    std::string style = "half";
    if (f.has("style")) f.get_choice("style", {"half", "interleaved"}, &style);
    a.interleaved = style == "interleaved";
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    const Shape& s = l.input_shapes[0];
    const RotaryAttrs& a = l.as<RotaryAttrs>();
    if (s.size() < 2 || s.back() % 2 != 0) {
      c.fail("input", shape_str(s), "rotary needs at least 2 axes and an even last axis (pairs of values)");
      return;
    }
    const int64_t axis = shape_math::resolve_axis(c, "seq_axis", a.seq_axis, s.size());
    if (axis < 0) return;
    if (axis == static_cast<int64_t>(s.size()) - 1) {
      c.fail("seq_axis", std::to_string(a.seq_axis), "the sequence axis cannot be the last (rotated) axis");
      return;
    }
    l.output_shape = s;
    l.vector_ops = shape_math::product({shape_math::elements(s), kRotaryOpsPerElement});
  }

  void lower(LoweringContext& ctx) const override {
    const Shape& s = ctx.layer.output_shape;
    const int64_t row = s.back();
    std::vector<lowering::VectorChunk> chunks = lowering::elementwise_chunks(
        ctx, VectorFunc::kRotary, row, kRotaryOpsPerElement, "one row of the last axis");
    const RotaryGeometry g = geometry(s, ctx.layer.as<RotaryAttrs>());
    uint64_t first_row = 0;
    for (lowering::VectorChunk& c : chunks) {
      c.op.rotary = g;
      c.op.first_row = first_row;
      first_row += c.op.elements / static_cast<uint64_t>(row);
    }
    lowering::emit_vector_chunks(ctx, chunks, "rows", static_cast<uint64_t>(row));
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    reference_support::need_weights(l, weights, false);
    const Tensor& in = *inputs[0];
    reference_support::expect_shape(l, "input", in, l.output_shape);
    const RotaryGeometry g = geometry(in.shape, l.as<RotaryAttrs>());
    const int64_t d = in.shape.back();
    Tensor out(in.dtype, in.shape);
    const reference_support::QuantizedAccess io(l, in.dtype, QuantRange::kWide);
    std::vector<float> x(static_cast<size_t>(d)), y(static_cast<size_t>(d));
    for (int64_t r = 0; r * d < in.elements(); ++r) {
      for (int64_t i = 0; i < d; ++i) x[static_cast<size_t>(i)] = io.get(in, r * d + i);
      const auto position = static_cast<int64_t>(g.offset + (static_cast<uint64_t>(r) / g.inner) % g.seq);
      rotary_fp(x.data(), y.data(), d, position, g.theta, g.interleaved);
      for (int64_t i = 0; i < d; ++i) io.set(out, r * d + i, y[static_cast<size_t>(i)]);
    }
    return out;
  }
};

}  // namespace

void register_operator_rotary(OperatorRegistrar& r) {
  r.add<Rotary>();
}

}  // namespace systole::ops
