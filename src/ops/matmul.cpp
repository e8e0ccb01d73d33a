// matmul (also spelt gemm, fc): [..., M, K] x weights [K, out_features] (one input: the layer owns
// the weights) or x a second activation [..., K, N] ([..., N, K] with transpose_b; batch axes
// broadcast by NumPy rules).
//   shapes:    [..., M, out_features] or [batch..., M, N]; MACs batch M N K; weights K out_features.
//   lowering:  GEMMs on the array through the operands' DRAM views (compiler/gemm_lowering.cpp):
//              with weights, batch axes fold into M (one GEMM); with two activations, one GEMM per
//              batch index, the second operand loaded into the weight scratchpad. A transposed
//              view (transpose) is read through its strides. A fused relu / relu6 runs on the
//              output tiles before their STORE.
//   reference: plain loops over the broadcast batch, k innermost in k_group sums (numeric/).
#include <algorithm>

#include <fmt/format.h>

#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

using namespace reference_support;
using namespace shape_math;

// Numpy broadcasting of the batch dimensions (everything but the last two axes).
bool broadcast_batch(const Shape& a, const Shape& b, Shape* out) {
  size_t ra = a.size() - 2, rb = b.size() - 2, r = std::max(ra, rb);
  out->assign(r, 1);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - ra ? 1 : a[i - (r - ra)];
    int64_t db = i < r - rb ? 1 : b[i - (r - rb)];
    if (da != db && da != 1 && db != 1) return false;
    (*out)[i] = std::max(da, db);
  }
  return true;
}

// Offset (in elements) of batch index `bi` of the output's batch dims `ob` within an operand with
// shape `s` (its own batch dims aligned from the right; size-1 and missing dims broadcast).
int64_t batch_offset(const Shape& ob, int64_t bi, const Shape& s) {
  const size_t rank = s.size();
  const size_t sb = rank - 2;  // operand batch dims
  int64_t off = 0, stride = s[rank - 2] * s[rank - 1];
  for (size_t i = 0; i < sb; ++i) {
    const size_t d = sb - 1 - i;          // operand dim, innermost batch dim first
    const size_t od = ob.size() - 1 - i;  // matching output batch dim
    int64_t rem = bi;
    for (size_t e = ob.size() - 1; e > od; --e) rem /= ob[e];
    const int64_t idx = rem % ob[od];
    if (s[d] != 1) off += idx * stride;
    stride *= s[d];
  }
  return off;
}

template <typename Arith>
void matmul_loops(const Shape& ob, int64_t m, int64_t n, int64_t k, bool transpose_b, const Shape& as,
                  const Shape& bs, const std::vector<typename Arith::Operand>& av,
                  const std::vector<typename Arith::Operand>& bv, Arith arith, const ReferenceOptions& opt,
                  Tensor* out) {
  KGroupedSum<Arith> sum(arith, opt.k_group);
  const int64_t batches = num_elements(ob);
  for (int64_t bi = 0; bi < batches; ++bi) {
    const int64_t ao = batch_offset(ob, bi, as), bo = batch_offset(ob, bi, bs);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        sum.reset(arith.zero());
        for (int64_t kk = 0; kk < k; ++kk) {
          const int64_t b_idx = bo + (transpose_b ? j * k + kk : kk * n + j);
          sum.mac(av[static_cast<size_t>(ao + i * k + kk)], bv[static_cast<size_t>(b_idx)]);
        }
        store(out, (bi * m + i) * n + j, sum.finish(), opt.requant_shift);
      }
    }
  }
}

Tensor matmul(const Layer& l, const Tensor& a, const Tensor& b, bool b_is_weight,
              const ReferenceOptions& opt) {
  const auto& attrs = l.as<MatmulAttrs>();
  if (a.shape.size() < 2) layer_error(l, "input tensor " + shape_str(a.shape) + " needs rank >= 2");
  const int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back();
  const bool tb = !b_is_weight && attrs.transpose_b;
  if (b_is_weight) {
    if (b.shape.size() != 2 || b.shape[0] != k) {
      layer_error(l, fmt::format("weight tensor has shape {}, expected [{}, N]", shape_str(b.shape), k));
    }
    if (attrs.out_features > 0 && b.shape[1] != attrs.out_features) {
      layer_error(l, fmt::format("weight tensor has shape {}, expected [{}, {}]", shape_str(b.shape), k,
                                 attrs.out_features));
    }
  } else if (b.shape.size() < 2 || b.shape[b.shape.size() - (tb ? 1 : 2)] != k) {
    layer_error(l, fmt::format("second operand {} does not have K = {} (transpose_b: {})", shape_str(b.shape),
                               k, tb));
  }
  const int64_t n = tb ? b.shape[b.shape.size() - 2] : b.shape.back();
  Shape ob;
  if (!broadcast_batch(a.shape, b.shape, &ob)) {
    layer_error(
        l, fmt::format("batch dims of {} and {} do not broadcast", shape_str(a.shape), shape_str(b.shape)));
  }
  Shape os = ob;
  os.push_back(m);
  os.push_back(n);
  Tensor out(a.dtype, os);
  if (!l.output_shape.empty()) expect_shape(l, "computed output", out, l.output_shape);
  if (integer_path(l, a.dtype, b.dtype, opt)) {
    matmul_loops(ob, m, n, k, tb, a.shape, b.shape, ints_of(a), ints_of(b), IntArith{&opt.acc}, opt, &out);
  } else {
    matmul_loops(ob, m, n, k, tb, a.shape, b.shape, floats_of(a), floats_of(b), FpArith{}, opt, &out);
  }
  return out;
}

class Matmul final : public Operator {
 public:
  const char* name() const override { return "matmul"; }
  bool reads_strided() const override { return true; }  // its DMA walks both operands' strides
  std::vector<TypeSpelling> spellings() const override {
    const std::vector<std::string> keys = {"out_features", "transpose_b", "weights_npy"};
    return {{"matmul", keys}, {"gemm", keys}, {"fc", keys}};
  }
  std::pair<size_t, size_t> arity() const override { return {1, 2}; }

  void parse(LayerFields& f, Layer* l) const override {
    MatmulAttrs a;
    if (f.has("out_features"))
      f.get_int("out_features", &a.out_features);
    else if (f.layer().inputs.size() == 1)
      f.missing("out_features", "required for a one-input " + f.type());
    if (f.has("transpose_b")) f.get_bool("transpose_b", &a.transpose_b);
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    const auto& a = l.as<MatmulAttrs>();
    const Shape& x = l.input_shapes[0];
    if (x.size() < 2) {
      c.fail("input", shape_str(x), "matmul needs an input of rank >= 2 ([..., M, K]); flatten with reshape");
      return;
    }
    const int64_t m = x[x.size() - 2], k = x.back();
    if (l.input_shapes.size() == 1) {
      if (!c.at_least("out_features", a.out_features, 1)) return;
      l.output_shape = x;
      l.output_shape.back() = a.out_features;
      l.macs = product({elements(x) / k, a.out_features, k});  // batch * M * N * K
      l.weight_elements = product({k, a.out_features});
      return;
    }
    if (a.out_features != 0) {
      c.fail("out_features", std::to_string(a.out_features),
             "a two-input matmul takes N from its second input; out_features is only for one input");
      return;
    }
    const Shape& y = l.input_shapes[1];
    if (y.size() < 2) {
      c.fail("inputs", shape_str(y), "the second matmul operand needs rank >= 2");
      return;
    }
    const int64_t yk = a.transpose_b ? y.back() : y[y.size() - 2];
    const int64_t n = a.transpose_b ? y[y.size() - 2] : y.back();
    if (yk != k) {
      c.fail("inputs", shape_str(x) + " x " + shape_str(y),
             fmt::format("inner dimensions differ: K = {} vs {} (transpose_b: {})", k, yk, a.transpose_b));
      return;
    }
    Shape batch;
    if (!broadcast_batch(x, y, &batch)) {
      c.fail("inputs", shape_str(x) + " x " + shape_str(y), "batch dimensions are not broadcastable");
      return;
    }
    l.output_shape = batch;
    l.output_shape.push_back(m);
    l.output_shape.push_back(n);
    l.macs = product({elements(batch), m, n, k});
  }

  void lower(LoweringContext& ctx) const override {
    const bool transpose_b = ctx.layer.as<MatmulAttrs>().transpose_b;
    lowering::GemmProblem p =
        lowering::lower_matmul(ctx.layer, transpose_b, ctx.index, ctx.plan, ctx.eb, ctx.sb->remaining());
    lowering::set_matrix_transposes(ctx.arch.core.array.dataflow, ctx.arch.core.array.scalesim_compat, &p);
    lowering::emit_gemm_layer(ctx, p);
  }
  bool takes_fused_activation() const override { return true; }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    need_weights(l, weights, inputs.size() == 1);
    return inputs.size() == 1 ? matmul(l, *inputs[0], *weights, true, opt)
                              : matmul(l, *inputs[0], *inputs[1], false, opt);
  }
  bool takes_weights(const Layer& l) const override { return l.weight_elements > 0; }
  Shape weight_shape(const Layer& l) const override {
    return {l.input_shapes.at(0).back(), l.output_shape.back()};
  }
  int64_t reduction_length(const Layer& l) const override { return l.input_shapes.at(0).back(); }
  bool requantises() const override { return true; }
  std::string functional_support(const ArchSpec& arch, const Network& net, const Layer& l) const override {
    (void)net;
    const auto& a = arch.core.array;
    if (l.inputs.size() == 2 && a.input_type != a.weight_type) {
      return fmt::format(
          "a matmul of two activations loads its second operand ({}) into the weight scratchpad, which the "
          "array reads as weight_type {}",
          to_string(a.input_type), to_string(a.weight_type));
    }
    return "";
  }
};

}  // namespace

void register_operator_matmul(OperatorRegistrar& r) {
  r.add<Matmul>();
}

}  // namespace systole::ops
