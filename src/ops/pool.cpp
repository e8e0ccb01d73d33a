// pool: max or average over NCHW spatial windows (kernel, stride defaulting to the kernel,
// padding incl. "same"), or global (the window is H x W).
//   shapes:    [N, C, Ho, Wo] (floor rule, as conv2d), [N, C, 1, 1] when global; vector ops =
//              output elements x window size.
//   lowering:  the vector unit, in chunks of whole channel planes or, when one plane does not fit
//              a scratchpad half, of output rows of one plane whose LOAD brings every input row
//              their windows read (padding excluded); each VECTOR carries its PoolGeometry
//              (isa/isa.h) for functional simulation.
//   reference: max = the largest non-padding element (NaN wins); avg = the sum of the non-padding
//              elements / their count (integers round half to even; floats sum in fp32 in window
//              order). A window of padding only gives 0.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "systole/config/yaml_text.h"
#include "systole/numeric/vector_math.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

using namespace lowering;
using namespace reference_support;
using namespace shape_math;

std::vector<VectorChunk> pool_chunks(const ArchSpec& arch, const Layer& l, uint64_t in_addr,
                                     uint64_t out_addr, int64_t e, int64_t budget) {
  const auto& a = l.as<PoolAttrs>();
  const Shape& in = l.input_shapes.at(0);
  const Shape& out = l.output_shape;
  const int64_t planes = in[0] * in[1], h = in[2], w = in[3], ho = out[2], wo = out[3];
  const int64_t kh = a.global ? h : a.kernel_h, kw = a.global ? w : a.kernel_w;
  const int64_t sh = a.global ? 1 : a.stride_h, pt = a.global ? 0 : a.pad_top;
  // The window geometry every chunk's VECTOR carries (functional simulation).
  PoolGeometry g;
  g.h = h, g.w = w, g.wo = wo;
  g.kernel_h = kh, g.kernel_w = kw, g.stride_h = sh, g.stride_w = a.global ? 1 : a.stride_w;
  g.pad_top = pt, g.pad_left = a.global ? 0 : a.pad_left;
  const VectorFunc f = a.mode == PoolMode::kMax ? VectorFunc::kMaxPool : VectorFunc::kAvgPool;
  const auto ue = static_cast<uint64_t>(e);
  std::vector<VectorChunk> chunks;
  const RoleRegions regions = chunk_sizing_regions(arch);
  const int64_t half_if = regions[index_of(Buffer::kIfmap)].half;
  const int64_t half_of = regions[index_of(Buffer::kOfmap)].half;
  if (h * w * e <= half_if && ho * wo * e <= half_of) {
    const int64_t per =
        per_core_chunk(arch, units_per_chunk(arch, l, h * w * e, ho * wo * e, "one channel plane"), planes);
    check_chunks(ceil_div(planes, per), 3, budget, fmt::format("up to {} channel planes", per));
    for (int64_t p0 = 0; p0 < planes; p0 += per) {
      const int64_t cnt = std::min(per, planes - p0);
      VectorChunk c;
      DmaDescriptor ld;
      ld.buffer = Buffer::kIfmap;
      ld.dram_addr = in_addr + static_cast<uint64_t>(p0 * h * w) * ue;
      ld.planes = static_cast<uint64_t>(cnt);
      ld.rows = static_cast<uint64_t>(h);
      ld.row_bytes = static_cast<uint64_t>(w) * ue;
      ld.plane_stride_bytes = static_cast<uint64_t>(h * w) * ue;
      ld.row_stride_bytes = ld.row_bytes;
      c.loads.push_back(ld);
      const auto elems = static_cast<uint64_t>(cnt * ho * wo);
      c.op = {f, elems, static_cast<uint64_t>(kh * kw), ld.bytes(), elems * ue};
      c.op.pool = g;
      c.op.pool.planes = cnt;
      c.op.pool.in_row0 = 0, c.op.pool.in_rows = h;
      c.op.pool.out_row0 = 0, c.op.pool.out_rows = ho;
      c.store = linear(Buffer::kOfmap, out_addr + static_cast<uint64_t>(p0 * ho * wo) * ue, elems * ue);
      chunks.push_back(c);
    }
    return chunks;
  }
  // A plane does not fit: output rows r per chunk need min(h, (r - 1) * stride + kh) input rows.
  // r is the largest in [0, ho] with min(h, (r - 1) * sh + kh) * w * e <= half_if and
  // r * wo * e <= half_of (both monotone in r). Since a whole plane's h * w * e is over half_if
  // or its ho * wo * e over half_of, the first reads (r - 1) * sh + kh <= half_if / (w * e)
  // whenever h * w * e > half_if.
  const int64_t rows_in = half_if / (w * e);
  const int64_t r_in = h * w * e <= half_if ? ho : rows_in >= kh ? (rows_in - kh) / sh + 1 : 0;
  const int64_t r = std::max<int64_t>(0, std::min({ho, r_in, half_of / (wo * e)}));
  if (r == 0) {
    const int64_t need_in = std::min(h, kh) * w * e;
    if (need_in > half_if) cannot_fit(arch, l, Buffer::kIfmap, need_in, "the input rows of one output row");
    cannot_fit(arch, l, Buffer::kOfmap, wo * e, "one output row");
  }
  check_chunks(sat_mul(planes, ceil_div(ho, r)), 3, budget,
               fmt::format("up to {} output rows of one plane", r));
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t r0 = 0; r0 < ho; r0 += r) {
      const int64_t r1 = std::min(ho, r0 + r);
      const int64_t lo = std::max<int64_t>(0, r0 * sh - pt),
                    hi = std::min(h - 1, (r1 - 1) * sh - pt + kh - 1);
      VectorChunk c;
      DmaDescriptor ld;
      ld.buffer = Buffer::kIfmap;
      ld.dram_addr = in_addr + static_cast<uint64_t>((p * h + lo) * w) * ue;
      ld.rows = static_cast<uint64_t>(std::max<int64_t>(0, hi - lo + 1));
      ld.row_bytes = static_cast<uint64_t>(w) * ue;
      ld.row_stride_bytes = ld.row_bytes;
      c.loads.push_back(ld);
      const auto elems = static_cast<uint64_t>((r1 - r0) * wo);
      c.op = {f, elems, static_cast<uint64_t>(kh * kw), ld.bytes(), elems * ue};
      c.op.pool = g;
      c.op.pool.planes = 1;
      c.op.pool.in_row0 = lo, c.op.pool.in_rows = static_cast<int64_t>(ld.rows);
      c.op.pool.out_row0 = r0, c.op.pool.out_rows = r1 - r0;
      c.store =
          linear(Buffer::kOfmap, out_addr + static_cast<uint64_t>(p * ho * wo + r0 * wo) * ue, elems * ue);
      chunks.push_back(c);
    }
  }
  return chunks;
}

class Pool final : public Operator {
 public:
  const char* name() const override { return "pool"; }
  std::vector<TypeSpelling> spellings() const override {
    return {{"pool", {"mode", "kernel", "stride", "padding", "global"}}};
  }

  void parse(LayerFields& f, Layer* l) const override {
    PoolAttrs a;
    if (f.has("mode")) {
      std::string mode;
      if (f.get_string("mode", &mode) && !parse_pool_mode(mode, &a.mode)) {
        f.fail("mode", mode, "must be one of: " + join_comma(pool_mode_names()));
      }
    }
    if (f.has("global")) f.get_bool("global", &a.global);
    if (a.global) {
      for (const char* k : {"kernel", "stride", "padding"}) {
        if (f.has(k)) f.fail(k, f.text(k), "not allowed with global: true (the window is H x W)");
      }
    } else if (!f.has("kernel")) {
      f.missing("kernel", "required for pool unless global: true");
    } else {
      f.get_pair("kernel", &a.kernel_h, &a.kernel_w);
      a.stride_h = a.kernel_h;  // default stride = kernel (non-overlapping windows)
      a.stride_w = a.kernel_w;
      if (f.has("stride")) f.get_pair("stride", &a.stride_h, &a.stride_w);
      int64_t pads[4] = {0, 0, 0, 0};  // top, bottom, left, right
      if (f.has("padding") && f.get_padding("padding", pads, &a.same_padding)) {
        a.pad_top = pads[0], a.pad_bottom = pads[1], a.pad_left = pads[2], a.pad_right = pads[3];
      }
    }
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    auto& a = l.as<PoolAttrs>();
    const Shape& in = l.input_shapes[0];
    if (!expect_rank(c, in, 4, "[N, C, H, W]")) return;
    if (a.global) {
      a.kernel_h = in[2];
      a.kernel_w = in[3];
      a.stride_h = a.stride_w = 1;
      a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = 0;
      a.same_padding = false;
    }
    bool sizes_ok = c.at_least("kernel", a.kernel_h, 1) & c.at_least("kernel", a.kernel_w, 1) &
                    c.at_least("stride", a.stride_h, 1) & c.at_least("stride", a.stride_w, 1) &
                    c.at_least("padding", a.pad_top, 0) & c.at_least("padding", a.pad_bottom, 0) &
                    c.at_least("padding", a.pad_left, 0) & c.at_least("padding", a.pad_right, 0);
    if (!sizes_ok) return;
    if (a.same_padding) {
      same_padding(in[2], a.kernel_h, a.stride_h, &a.pad_top, &a.pad_bottom);
      same_padding(in[3], a.kernel_w, a.stride_w, &a.pad_left, &a.pad_right);
    }
    int64_t ho = window_out(c, "height", in[2], a.kernel_h, 1, a.stride_h, a.pad_top, a.pad_bottom);
    int64_t wo =
        ho < 0 ? -1 : window_out(c, "width", in[3], a.kernel_w, 1, a.stride_w, a.pad_left, a.pad_right);
    if (ho < 0 || wo < 0) return;
    l.output_shape = {in[0], in[1], ho, wo};
    l.vector_ops = product({elements(l.output_shape), a.kernel_h, a.kernel_w});
  }

  void lower(LoweringContext& ctx) const override {
    const Layer& l = ctx.layer;
    const uint64_t in = ctx.plan.views.at(l.inputs.at(0)).addr, out = ctx.plan.views.at(l.name).addr;
    emit_vector_chunks(ctx, pool_chunks(ctx.arch, l, in, out, ctx.eb.act, ctx.sb->remaining()),
                       "planes/rows");
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    need_weights(l, weights, false);
    const Tensor& in = *inputs[0];
    PoolAttrs a = l.as<PoolAttrs>();
    if (in.shape.size() != 4) layer_error(l, "input tensor " + shape_str(in.shape) + " is not NCHW");
    const int64_t n = in.shape[0], c = in.shape[1], h = in.shape[2], w = in.shape[3];
    if (a.global) {
      a.kernel_h = h;
      a.kernel_w = w;
      a.stride_h = a.stride_w = 1;
      a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = 0;
    }
    if (a.kernel_h < 1 || a.kernel_w < 1 || a.stride_h < 1 || a.stride_w < 1 || a.pad_top < 0 ||
        a.pad_left < 0 || a.pad_bottom < 0 || a.pad_right < 0) {
      layer_error(l, "kernel and stride must be >= 1 and padding >= 0");
    }
    const int64_t ph = h + a.pad_top + a.pad_bottom, pw = w + a.pad_left + a.pad_right;
    if (a.kernel_h > ph || a.kernel_w > pw) layer_error(l, "the kernel is larger than the padded input");
    const int64_t ho = (ph - a.kernel_h) / a.stride_h + 1, wo = (pw - a.kernel_w) / a.stride_w + 1;
    Tensor out(in.dtype, {n, c, ho, wo});
    if (!l.output_shape.empty()) expect_shape(l, "computed output", out, l.output_shape);
    const bool ints = is_integer(in.dtype);
    const bool is_max = a.mode == PoolMode::kMax;
    for (int64_t plane = 0; plane < n * c; ++plane) {
      for (int64_t oh = 0; oh < ho; ++oh) {
        for (int64_t ow = 0; ow < wo; ++ow) {
          int64_t count = 0, isum = 0, imax = 0;
          float fsum = 0.0f, fmax = 0.0f;
          for (int64_t r = 0; r < a.kernel_h; ++r) {
            const int64_t ih = oh * a.stride_h - a.pad_top + r;
            if (ih < 0 || ih >= h) continue;
            for (int64_t s = 0; s < a.kernel_w; ++s) {
              const int64_t iw = ow * a.stride_w - a.pad_left + s;
              if (iw < 0 || iw >= w) continue;
              const int64_t idx = (plane * h + ih) * w + iw;
              if (ints) {
                const int64_t v = in.get_int(idx);
                imax = count == 0 || v > imax ? v : imax;
                isum += v;
              } else {
                const float v = in.get_float(idx);
                if (count == 0 || std::isnan(v) || (!std::isnan(fmax) && v > fmax)) fmax = v;
                fsum += v;
              }
              ++count;
            }
          }
          const int64_t o = (plane * ho + oh) * wo + ow;
          if (count == 0) continue;  // only padding: 0
          if (ints) {
            out.set_int(o, is_max ? imax : div_round_half_even(isum, count));
          } else {
            out.set_float(o, is_max ? fmax : fsum / static_cast<float>(count));
          }
        }
      }
    }
    return out;
  }
};

}  // namespace

void register_operator_pool(OperatorRegistrar& r) {
  r.add<Pool>();
}

}  // namespace systole::ops
