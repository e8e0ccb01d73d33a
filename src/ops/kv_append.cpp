// kv_append: a KV-cache write. A decoder step stores the keys (or values) of its new tokens after
// the cached ones, and attention then reads the whole cache.
//   inputs:    [cache, new] or [new]. `cache` is [L, B, ...]: L cached tokens of B sequences,
//              sequence-major (token l of every sequence is one contiguous run), a network input
//              that persists between steps. `new` is [B, S, ...]: S new tokens per sequence, as a
//              projection produces them. With [new] alone (a prefill) the cache starts empty.
//   shapes:    [L + S, B, ...]: token L + s of sequence b is new[b, s]. The trailing axes (heads,
//              head size) must agree. No MACs, no vector ops, no weights.
//   memory:    the cache is sequence-major so that its L cached tokens are the output's prefix:
//              the output extends the cache in place (IOperator::appends_in_place: the memory
//              plan reserves room for L + S tokens at the cache's address), so an append writes
//              the S new tokens and never copies the cache; the cache always stays in DRAM
//              (IOperator::output_persists: the next step reads it). Attention reads the cache
//              through a transpose view ([B, H, L + S, d], perm [1, 2, 0, 3]): every cached byte
//              is read from DRAM, as on real hardware.
//   lowering:  data movement on the DMA (compiler emit_copies): per sequence b, S rows of the
//              trailing extent read contiguously from `new` and written B rows apart at token L.
//              DRAM traffic: B x S x (trailing elements) x bytes read and written.
//   reference: out[l, b] = cache[l, b] for l < L, out[L + s, b] = new[b, s], bytes unchanged.
#include <algorithm>

#include <fmt/format.h>

#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"

namespace systole::ops {
namespace {

using namespace reference_support;

// The elements of one token of one sequence: the product of the axes after the first two.
int64_t trailing_elements(const Shape& s) {
  int64_t n = 1;
  for (size_t d = 2; d < s.size(); ++d) n *= s[d];
  return n;
}

class KvAppend final : public Operator {
 public:
  const char* name() const override { return "kv_append"; }
  bool passes_quant() const override { return true; }
  std::vector<TypeSpelling> spellings() const override { return {{"kv_append", {}}}; }
  std::pair<size_t, size_t> arity() const override { return {1, 2}; }
  bool appends_in_place(const Layer& l) const override { return l.inputs.size() == 2; }
  bool output_persists() const override { return true; }

  void infer(LayerCheck& c, Layer& l) const override {
    const bool past = l.input_shapes.size() == 2;
    const Shape& fresh = l.input_shapes.back();
    if (fresh.size() < 2) {
      c.fail("inputs", shape_str(fresh),
             fmt::format("the new tokens '{}' must be [B, S, ...] (batch, tokens, then the per-token axes)",
                         l.inputs.back()));
      return;
    }
    Shape out = fresh;
    std::swap(out[0], out[1]);  // [S, B, ...]
    if (past) {
      if (c.network().find_input(l.inputs[0]) == nullptr) {
        c.fail(
            "inputs", l.inputs[0],
            fmt::format("the cache '{}' must be a network input: the cache persists between steps, and the "
                        "append extends its buffer in place",
                        l.inputs[0]));
        return;
      }
      const Shape& cache = l.input_shapes[0];
      bool same = cache.size() == fresh.size() && cache[1] == fresh[0];
      for (size_t d = 2; same && d < cache.size(); ++d) same = cache[d] == fresh[d];
      if (!same) {
        c.fail(
            "inputs", shape_str(cache) + " and " + shape_str(fresh),
            fmt::format("the cache '{}' must be [L, B, ...] for new tokens '{}' [B, S, ...]: the same batch "
                        "and the same per-token axes",
                        l.inputs[0], l.inputs[1]));
        return;
      }
      out[0] = shape_math::sum(cache[0], fresh[1]);
      if (out[0] < 0) {
        c.fail("inputs", shape_str(cache), "the cache length overflows 64 bits");
        return;
      }
    }
    l.output_shape = out;
  }

  void lower(LoweringContext& ctx) const override {
    const Layer& l = ctx.layer;
    const Shape& fresh = l.input_shapes.back();
    const int64_t batch = fresh[0], tokens = fresh[1], e = ctx.eb.act;
    const int64_t token_bytes = trailing_elements(fresh) * e;
    const int64_t cached = l.output_shape[0] - tokens;
    const lowering::TensorView& src = ctx.plan.views.at(l.inputs.back());
    const lowering::TensorView& out = ctx.plan.views.at(l.name);
    std::vector<lowering::BlockCopy> blocks;
    for (int64_t b = 0; b < batch; ++b) {
      const uint64_t from = src.addr + static_cast<uint64_t>(b * tokens * token_bytes);
      const uint64_t to = out.addr + static_cast<uint64_t>((cached * batch + b) * token_bytes);
      blocks.push_back({from, to, tokens, token_bytes, token_bytes, batch * token_bytes, src.source_layer});
    }
    lowering::emit_copies(ctx, blocks);
    ctx.rec->reason =
        fmt::format("KV cache write: {} new tokens x {} sequences after {} cached ({} B each); {}", tokens,
                    batch, cached, token_bytes, ctx.rec->reason);
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& in, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    need_weights(l, weights, false);
    const Tensor& fresh = *in.back();
    if (fresh.shape.size() < 2)
      layer_error(l, "new tokens " + shape_str(fresh.shape) + " are not [B, S, ...]");
    const int64_t batch = fresh.shape[0], tokens = fresh.shape[1];
    const int64_t e = bytes_of(fresh.dtype), token_bytes = trailing_elements(fresh.shape) * e;
    int64_t cached = 0;
    if (in.size() == 2) {
      const Tensor& cache = *in[0];
      if (cache.dtype != fresh.dtype || cache.shape.size() != fresh.shape.size() || cache.shape[1] != batch ||
          trailing_elements(cache.shape) != trailing_elements(fresh.shape)) {
        layer_error(l, fmt::format("cache {} {} does not take new tokens {} {}", shape_str(cache.shape),
                                   to_string(cache.dtype), shape_str(fresh.shape), to_string(fresh.dtype)));
      }
      cached = cache.shape[0];
    }
    Shape os = fresh.shape;
    os[0] = cached + tokens;
    os[1] = batch;
    Tensor out(fresh.dtype, os);
    if (cached > 0) std::copy(in[0]->bytes.begin(), in[0]->bytes.end(), out.bytes.begin());
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t s = 0; s < tokens; ++s) {
        std::copy_n(fresh.bytes.begin() + (b * tokens + s) * token_bytes, token_bytes,
                    out.bytes.begin() + ((cached + s) * batch + b) * token_bytes);
      }
    }
    return out;
  }
};

}  // namespace

void register_operator_kv_append(OperatorRegistrar& r) {
  r.add<KvAppend>();
}

}  // namespace systole::ops
