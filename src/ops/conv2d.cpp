// conv2d: a 2-D convolution over an NCHW input with weights [out_channels, C/groups, kh, kw]
// (stride, zero padding incl. "same", dilation, groups; groups == C == out_channels is depthwise).
//   shapes:    out = [N, out_channels, Ho, Wo], Ho = floor((H + pads - dilation (kh - 1) - 1) /
//              stride) + 1; MACs N Ho Wo out_channels (C/groups) kh kw; weights out_channels
//              (C/groups) kh kw.
//   lowering:  one GEMM per group on the array, M = N Ho Wo, K = (C/groups) kh kw, N =
//              out_channels/groups, with implicit im2col (compiler/gemm_lowering.cpp); a fused
//              relu / relu6 runs on the output tiles before their STORE. With groups == C
//              (depthwise), either that or the vector unit's depthwise chunks
//              (compiler/depthwise_lowering.cpp), whichever the cost estimate says is cheaper;
//              a layer the mapping file gives a tiling stays on the array.
//   reference: a direct loop nest over NCHW (not via im2col). The k order inside a k_group is the
//              compiler's: k = (c * kh + r) * kw + s (channel-major), or in channel blocks
//              (ReferenceOptions::conv_k_block, docs/numerics.md); padding taps count as products
//              0 * w, as the zero operand the array receives there.
#include <exception>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

using namespace reference_support;
using namespace shape_math;

struct ConvDims {
  int64_t n, c, h, w, oc, ho, wo, kh, kw, cpg, ocpg;
};

template <typename Arith>
void conv_loops(const Conv2dAttrs& a, const ConvDims& d, const std::vector<typename Arith::Operand>& x,
                const std::vector<typename Arith::Operand>& wt, Arith arith, const ReferenceOptions& opt,
                Tensor* out) {
  using Operand = typename Arith::Operand;
  KGroupedSum<Arith> sum(arith, opt.k_group);
  for (int64_t n = 0; n < d.n; ++n) {
    for (int64_t g = 0; g < a.groups; ++g) {
      for (int64_t j = 0; j < d.ocpg; ++j) {
        const int64_t oc = g * d.ocpg + j;
        for (int64_t oh = 0; oh < d.ho; ++oh) {
          for (int64_t ow = 0; ow < d.wo; ++ow) {
            sum.reset(arith.zero());
            // k = (c, r, s), or (channel block, r, s, c in block) with opt.conv_k_block: t walks k.
            const int64_t window = d.kh * d.kw, b = opt.conv_k_block;
            for (int64_t t = 0; t < d.cpg * window; ++t) {
              const int64_t c = b > 0 ? t / (b * window) * b + t % b : t / window;
              const int64_t tap = b > 0 ? t % (b * window) / b : t % window;
              const int64_t r = tap / d.kw, s = tap % d.kw, ci = g * d.cpg + c;
              const int64_t ih = oh * a.stride_h - a.pad_top + r * a.dilation_h;
              const int64_t iw = ow * a.stride_w - a.pad_left + s * a.dilation_w;
              const bool inside = ih >= 0 && ih < d.h && iw >= 0 && iw < d.w;
              const Operand xv =
                  inside ? x[static_cast<size_t>(((n * d.c + ci) * d.h + ih) * d.w + iw)] : Operand{0};
              sum.mac(xv, wt[static_cast<size_t>(((oc * d.cpg + c) * d.kh + r) * d.kw + s)]);
            }
            store(out, ((n * d.oc + oc) * d.ho + oh) * d.wo + ow, sum.finish(), opt.requant_shift);
          }
        }
      }
    }
  }
}

// Output extent of a window along one axis, or -1 when the kernel does not fit.
int64_t extent(int64_t in, int64_t kernel, int64_t dilation, int64_t stride, int64_t before, int64_t after) {
  const int64_t effective = dilation * (kernel - 1) + 1;
  const int64_t padded = in + before + after;
  return effective > padded ? -1 : (padded - effective) / stride + 1;
}

class Conv2d final : public Operator {
 public:
  const char* name() const override { return "conv2d"; }
  std::vector<TypeSpelling> spellings() const override {
    return {{"conv2d", {"out_channels", "kernel", "stride", "padding", "dilation", "groups", "weights_npy"}}};
  }

  void parse(LayerFields& f, Layer* l) const override {
    Conv2dAttrs a;
    if (!f.has("out_channels"))
      f.missing("out_channels", "required for conv2d");
    else
      f.get_int("out_channels", &a.out_channels);
    if (!f.has("kernel"))
      f.missing("kernel", "required for conv2d (an integer or [kh, kw])");
    else
      f.get_pair("kernel", &a.kernel_h, &a.kernel_w);
    if (f.has("stride")) f.get_pair("stride", &a.stride_h, &a.stride_w);
    if (f.has("dilation")) f.get_pair("dilation", &a.dilation_h, &a.dilation_w);
    if (f.has("groups")) f.get_int("groups", &a.groups);
    int64_t pads[4] = {0, 0, 0, 0};  // top, bottom, left, right
    if (f.has("padding") && f.get_padding("padding", pads, &a.same_padding)) {
      a.pad_top = pads[0], a.pad_bottom = pads[1], a.pad_left = pads[2], a.pad_right = pads[3];
    }
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    auto& a = l.as<Conv2dAttrs>();
    bool sizes_ok = c.at_least("out_channels", a.out_channels, 1) & c.at_least("kernel", a.kernel_h, 1) &
                    c.at_least("kernel", a.kernel_w, 1) & c.at_least("stride", a.stride_h, 1) &
                    c.at_least("stride", a.stride_w, 1) & c.at_least("dilation", a.dilation_h, 1) &
                    c.at_least("dilation", a.dilation_w, 1) & c.at_least("groups", a.groups, 1) &
                    c.at_least("padding", a.pad_top, 0) & c.at_least("padding", a.pad_bottom, 0) &
                    c.at_least("padding", a.pad_left, 0) & c.at_least("padding", a.pad_right, 0);
    const Shape& in = l.input_shapes[0];
    if (!expect_rank(c, in, 4, "[N, C, H, W]") || !sizes_ok) return;
    const int64_t n = in[0], ch = in[1], h = in[2], w = in[3];
    if (ch % a.groups != 0) {
      c.fail("groups", std::to_string(a.groups),
             fmt::format("input channels {} must be divisible by groups", ch));
    }
    if (a.out_channels % a.groups != 0) {
      c.fail("groups", std::to_string(a.groups),
             fmt::format("out_channels {} must be divisible by groups", a.out_channels));
    }
    if (!c.ok()) return;
    // "same" needs the window extents; an overflowing one is reported by window_out below.
    if (a.same_padding && window_extent(a.kernel_h, a.dilation_h) > 0 &&
        window_extent(a.kernel_w, a.dilation_w) > 0) {
      same_padding(h, window_extent(a.kernel_h, a.dilation_h), a.stride_h, &a.pad_top, &a.pad_bottom);
      same_padding(w, window_extent(a.kernel_w, a.dilation_w), a.stride_w, &a.pad_left, &a.pad_right);
    }
    int64_t ho = window_out(c, "height", h, a.kernel_h, a.dilation_h, a.stride_h, a.pad_top, a.pad_bottom);
    int64_t wo =
        ho < 0 ? -1
               : window_out(c, "width", w, a.kernel_w, a.dilation_w, a.stride_w, a.pad_left, a.pad_right);
    if (ho < 0 || wo < 0) return;
    const int64_t cin_per_group = ch / a.groups;
    l.output_shape = {n, a.out_channels, ho, wo};
    l.macs = product({n, ho, wo, a.out_channels, cin_per_group, a.kernel_h, a.kernel_w});
    l.weight_elements = product({a.out_channels, cin_per_group, a.kernel_h, a.kernel_w});
  }

  // The layer as GEMMs on the array and their tiling. The tiling is searched with k = (channel,
  // kernel row, kernel column), where a k tile holds the channels it touches. When the dataflow
  // prefers a channel-last ifmap and the chosen k tile is a whole number b of channels dividing
  // C / groups, the layer goes channel-last with blocks of b channels (k = (block, kernel row,
  // kernel column, channel in block)): every k tile then holds the same b channels in both
  // orders, so the footprint, the tiling and its estimates are the same (a 1 x 1 kernel: any k
  // tile, one block of all channels). Otherwise it stays in planes (docs/compiler.md "Scratchpad
  // layouts").
  static std::pair<lowering::GemmProblem, lowering::TileChoice> on_array(LoweringContext& ctx,
                                                                         const lowering::ConvGeometry& g) {
    using namespace lowering;
    ConvLayouts layouts = conv_layouts(ctx.arch.core.array.dataflow, ctx.arch.core.array.scalesim_compat);
    bool channel_last = layouts.ifmap_channel_last;
    if (ctx.share != nullptr && ctx.share->class_arch.size() > 1) {
      // Cores of several specs read one copy of the weights in one k order: the weights as the
      // first core's dataflow arranges them, and k in planes order (channel, kernel row, kernel
      // column), which every tiling can read; a channel-last k order would tie every class to
      // one k tile (docs/multicore.md "Heterogeneous cores").
      const ArchSpec& first = *ctx.share->class_arch[0];
      layouts.weights_kn =
          conv_layouts(first.core.array.dataflow, first.core.array.scalesim_compat).weights_kn;
      channel_last = false;
    }
    layouts.ifmap_channel_last = false;
    GemmProblem p = lower_conv(ctx.layer, g, ctx.index, ctx.plan, ctx.eb, layouts, ctx.sb->remaining());
    const TileChoice t = map_gemm(ctx, p);
    // A 1 x 1 kernel's k is its channels in either order: one block of all of them.
    const int64_t window = g.kh * g.kw, cpg = g.c / g.groups, block = window == 1 ? cpg : t.tk / window;
    if (channel_last && t.tk % window == 0 && block > 0 && cpg % block == 0) {
      layouts.ifmap_channel_last = true;
      layouts.channel_block = block;
      p = lower_conv(ctx.layer, g, ctx.index, ctx.plan, ctx.eb, layouts, ctx.sb->remaining());
    }
    return {std::move(p), t};
  }

  void lower(LoweringContext& ctx) const override {
    const Layer& l = ctx.layer;
    const auto& a = l.as<Conv2dAttrs>();
    const Shape& in = l.input_shapes.at(0);
    const Shape& out = l.output_shape;
    if (in.size() != 4 || out.size() != 4) throw InternalError("conv2d '" + l.name + "' is not NCHW");
    lowering::ConvGeometry g;
    g.batch = in[0], g.c = in[1], g.h = in[2], g.w = in[3];
    g.oc = out[1], g.ho = out[2], g.wo = out[3];
    g.kh = a.kernel_h, g.kw = a.kernel_w, g.sh = a.stride_h, g.sw = a.stride_w;
    g.pad_top = a.pad_top, g.pad_left = a.pad_left, g.dh = a.dilation_h, g.dw = a.dilation_w;
    g.groups = a.groups;
    const bool user_tiling = ctx.mapping != nullptr && ctx.mapping->layers.count(l.name) > 0;
    if (g.groups > 1 && g.groups == g.c && !user_tiling) {
      lower_depthwise(ctx, g);
      return;
    }
    const auto [p, t] = on_array(ctx, g);
    lowering::emit_gemm_layer(ctx, p, t);
  }

  // groups == C (one input channel per group): the per-group GEMMs on the array or the vector
  // unit's depthwise chunks, whichever the cost estimate says is cheaper (ties to the vector unit:
  // fewer instructions). A lowering that cannot be compiled (a chunk or tile that does not fit,
  // too many instructions) loses; when both cannot, the error of the vector lowering is thrown
  // (for the instruction budget: the one needing fewer instructions).
  static void lower_depthwise(LoweringContext& ctx, const lowering::ConvGeometry& g) {
    using namespace lowering;
    const Layer& l = ctx.layer;
    DepthwiseConv d;
    d.batch = g.batch, d.c = g.c, d.h = g.h, d.w = g.w, d.oc = g.oc, d.ho = g.ho, d.wo = g.wo;
    d.kh = g.kh, d.kw = g.kw, d.sh = g.sh, d.sw = g.sw, d.pad_top = g.pad_top, d.pad_left = g.pad_left;
    d.dh = g.dh, d.dw = g.dw;
    d.in_addr = ctx.plan.views.at(l.inputs.at(0)).addr;
    d.out_addr = ctx.plan.views.at(l.name).addr;
    d.weight_addr = ctx.plan.weights.at(l.name);

    // Multi-core: every core weighs the whole layer, and the first core's choice holds for all.
    lowering::CoreShare* const share = ctx.share;
    ctx.share = nullptr;
    std::vector<VectorChunk> chunks;
    std::optional<VectorEstimate> vec;
    std::exception_ptr vec_error;
    std::optional<BudgetExceeded> vec_budget;
    try {
      chunks = depthwise_chunks(ctx.arch, l, d, ctx.eb, ctx.fused, ctx.sb->remaining());
      vec = estimate_vector_chunks(ctx.arch, chunks);
    } catch (const BudgetExceeded& b) {
      vec_budget = b;
    } catch (const ConfigError&) {
      vec_error = std::current_exception();
    }
    std::optional<GemmProblem> p;
    std::optional<TileChoice> gemm;
    try {
      auto [problem, tiling] = on_array(ctx, g);  // emitted as it is if the array wins
      p = std::move(problem);
      gemm = tiling;
    } catch (const BudgetExceeded& b) {
      if (vec_budget && b.needed < vec_budget->needed) vec_budget = b;
    } catch (const ConfigError&) {
      // The GEMMs' smallest tile does not fit: the vector lowering's outcome decides.
    }
    ctx.share = share;
    if (!vec && !gemm) {
      if (vec_error) std::rethrow_exception(vec_error);
      throw *vec_budget;
    }
    const std::string gemm_est =
        gemm ? fmt::format("{} GEMMs on the array est {} cycles ({} array, {} DRAM B)", p->gemms, gemm->cost,
                           gemm->cycles, gemm->dram_bytes)
             : std::string("GEMMs on the array do not compile");
    const std::string vec_est = vec ? fmt::format("vector unit est {} cycles ({} vector, {} DRAM B)",
                                                  vec->cost, vec->cycles, vec->dram_bytes)
                                    : std::string("the vector unit's chunks do not compile");
    bool on_vector = vec && (!gemm || vec->cost <= gemm->cost);
    if (share != nullptr) {
      if (share->lowering_choice.empty()) share->lowering_choice = on_vector ? "vector" : "array";
      on_vector = share->lowering_choice == "vector";
    }
    if (on_vector) {
      emit_vector_chunks(ctx, chunks, "depthwise planes/rows");
      MappingRecord& rec = *ctx.rec;
      rec.groups = g.groups;
      rec.reason = fmt::format("depthwise on the vector unit: {} <= {}; {}", vec_est, gemm_est, rec.reason);
      return;
    }
    emit_gemm_layer(ctx, *p, *gemm);
    ctx.rec->reason =
        fmt::format("depthwise as one GEMM per channel: {} < {}; {}", gemm_est, vec_est, ctx.rec->reason);
  }
  bool takes_fused_activation() const override { return true; }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    need_weights(l, weights, true);
    const Tensor& in = *inputs[0];
    const Tensor& w = *weights;
    const auto& a = l.as<Conv2dAttrs>();
    if (in.shape.size() != 4) layer_error(l, "input tensor " + shape_str(in.shape) + " is not NCHW");
    if (a.groups < 1 || a.stride_h < 1 || a.stride_w < 1 || a.dilation_h < 1 || a.dilation_w < 1 ||
        a.kernel_h < 1 || a.kernel_w < 1 || a.pad_top < 0 || a.pad_bottom < 0 || a.pad_left < 0 ||
        a.pad_right < 0) {
      layer_error(l, "kernel, stride, dilation and groups must be >= 1 and padding >= 0");
    }
    ConvDims d{};
    d.n = in.shape[0], d.c = in.shape[1], d.h = in.shape[2], d.w = in.shape[3];
    d.oc = a.out_channels, d.kh = a.kernel_h, d.kw = a.kernel_w;
    if (d.c % a.groups != 0 || d.oc % a.groups != 0) {
      layer_error(l, fmt::format("channels {} -> {} are not divisible by groups {}", d.c, d.oc, a.groups));
    }
    d.cpg = d.c / a.groups;
    d.ocpg = d.oc / a.groups;
    d.ho = extent(d.h, d.kh, a.dilation_h, a.stride_h, a.pad_top, a.pad_bottom);
    d.wo = extent(d.w, d.kw, a.dilation_w, a.stride_w, a.pad_left, a.pad_right);
    if (d.ho < 0 || d.wo < 0) layer_error(l, "the dilated kernel is larger than the padded input");
    expect_shape(l, "weight", w, {d.oc, d.cpg, d.kh, d.kw});
    Tensor out(in.dtype, {d.n, d.oc, d.ho, d.wo});
    if (!l.output_shape.empty()) expect_shape(l, "computed output", out, l.output_shape);
    if (integer_path(l, in.dtype, w.dtype, opt)) {
      conv_loops(a, d, ints_of(in), ints_of(w), IntArith{&opt.acc}, opt, &out);
    } else {
      conv_loops(a, d, floats_of(in), floats_of(w), FpArith{}, opt, &out);
    }
    return out;
  }
  bool takes_weights(const Layer& l) const override {
    (void)l;
    return true;
  }
  Shape weight_shape(const Layer& l) const override {
    const auto& a = l.as<Conv2dAttrs>();
    return {a.out_channels, l.input_shapes.at(0).at(1) / a.groups, a.kernel_h, a.kernel_w};
  }
  int64_t reduction_length(const Layer& l) const override {
    const auto& a = l.as<Conv2dAttrs>();
    return l.input_shapes.at(0).at(1) / a.groups * a.kernel_h * a.kernel_w;
  }
  bool requantises() const override { return true; }
};

}  // namespace

void register_operator_conv2d(OperatorRegistrar& r) {
  r.add<Conv2d>();
}

}  // namespace systole::ops
