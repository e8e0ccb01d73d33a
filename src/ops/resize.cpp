// resize: an NCHW image resampled in H and W, nearest or bilinear, by scales (integer or
// fractional) or to an output size, as ONNX Resize with its defaults (coordinate_transformation_mode
// half_pixel; nearest_mode round_prefer_floor): numeric/resample.h is the definition.
//   shapes:    [N, C, Ho, Wo] with Ho = floor(H x scale_h) (or the size given), likewise Wo; vector
//              ops = output elements x 1 (nearest: a move) or x 4 (bilinear: four weighted taps).
//   lowering:  the vector unit gathers: chunks of whole channel planes or, when a plane does not fit
//              a scratchpad half, of output rows of one plane whose LOAD brings every input row
//              they sample. Per chunk: LOAD, VECTOR resize (cycles = elements x ops / lanes;
//              scratchpad reads = one element per tap per output, writes one per output), STORE.
//   reference: the same sampling on tensors; bilinear in double, rounded once (floats to fp32
//              then the dtype; integers half to even, then saturated).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "systole/numeric/resample.h"
#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

using namespace lowering;

struct ResizeAttrs {
  bool bilinear = false;       // mode: nearest (default) or bilinear
  std::vector<double> scales;  // [scale_h, scale_w] as written, or empty with `size`
  std::vector<int64_t> size;   // [Ho, Wo] as written, or empty with `scales`
};

// The geometry of one layer: input plane, output plane, the coordinate transform's scales.
struct Plane {
  int64_t h = 0, w = 0, ho = 0, wo = 0;
  double sh = 1.0, sw = 1.0;
  bool bilinear = false;
};

Plane plane_of(const Layer& l, const Shape& in) {
  const auto& a = l.as<ResizeAttrs>();
  Plane p;
  p.h = in[2], p.w = in[3], p.bilinear = a.bilinear;
  if (a.scales.empty()) {
    p.ho = a.size[0], p.wo = a.size[1];
    p.sh = static_cast<double>(p.ho) / static_cast<double>(p.h);
    p.sw = static_cast<double>(p.wo) / static_cast<double>(p.w);
  } else {
    p.sh = a.scales[0], p.sw = a.scales[1];
    p.ho = static_cast<int64_t>(std::floor(static_cast<double>(p.h) * p.sh));
    p.wo = static_cast<int64_t>(std::floor(static_cast<double>(p.w) * p.sw));
  }
  return p;
}

// Input rows [first, last] that output rows [r0, r1) of a plane sample (monotone in both ends).
std::pair<int64_t, int64_t> input_rows(const Plane& p, int64_t r0, int64_t r1) {
  const double y0 = resize_source(r0, p.sh), y1 = resize_source(r1 - 1, p.sh);
  if (!p.bilinear) return {resize_nearest(y0, p.h), resize_nearest(y1, p.h)};
  return {resize_linear(y0, p.h).i0, resize_linear(y1, p.h).i1};
}

int64_t ops_per_element(bool bilinear) {
  return bilinear ? 4 : 1;
}

// The chunks: whole planes when one fits both halves, else runs of output rows of one plane (the
// same runs in every plane), each as long as its sampled input rows and its outputs fit.
std::vector<VectorChunk> resize_chunks(LoweringContext& ctx, const Plane& p, int64_t planes, uint64_t in_addr,
                                       uint64_t out_addr) {
  const ArchSpec& arch = ctx.arch;
  const Layer& l = ctx.layer;
  const int64_t e = ctx.eb.act, taps = p.bilinear ? 4 : 1;
  const auto ue = static_cast<uint64_t>(e);
  const RoleRegions regions = chunk_sizing_regions(arch);
  const int64_t half_if = regions[index_of(Buffer::kIfmap)].half;
  const int64_t half_of = regions[index_of(Buffer::kOfmap)].half;
  const VectorFunc f = p.bilinear ? VectorFunc::kResizeBilinear : VectorFunc::kResizeNearest;
  ResizeGeometry g;
  g.h = p.h, g.w = p.w, g.wo = p.wo, g.scale_h = p.sh, g.scale_w = p.sw;
  auto chunk = [&](int64_t plane0, int64_t count, int64_t lo, int64_t hi, int64_t r0, int64_t r1) {
    VectorChunk c;
    DmaDescriptor ld;
    ld.buffer = Buffer::kIfmap;
    ld.dram_addr = in_addr + static_cast<uint64_t>((plane0 * p.h + lo) * p.w) * ue;
    ld.planes = static_cast<uint64_t>(count);
    ld.rows = static_cast<uint64_t>(hi - lo + 1);
    ld.row_bytes = static_cast<uint64_t>(p.w) * ue;
    ld.plane_stride_bytes = static_cast<uint64_t>(p.h * p.w) * ue;
    ld.row_stride_bytes = ld.row_bytes;
    c.loads.push_back(ld);
    const auto elems = static_cast<uint64_t>(count * (r1 - r0) * p.wo);
    c.op = {f, elems, static_cast<uint64_t>(ops_per_element(p.bilinear)),
            elems * static_cast<uint64_t>(taps) * ue, elems * ue};
    c.op.resize = g;
    c.op.resize.planes = count;
    c.op.resize.in_row0 = lo, c.op.resize.in_rows = hi - lo + 1;
    c.op.resize.out_row0 = r0, c.op.resize.out_rows = r1 - r0;
    c.store = linear(Buffer::kOfmap, out_addr + static_cast<uint64_t>((plane0 * p.ho + r0) * p.wo) * ue,
                     elems * ue);
    return c;
  };
  std::vector<VectorChunk> chunks;
  if (p.h * p.w * e <= half_if && p.ho * p.wo * e <= half_of) {
    const int64_t per = per_core_chunk(
        arch, units_per_chunk(arch, l, p.h * p.w * e, p.ho * p.wo * e, "one channel plane"), planes);
    check_chunks(ceil_div(planes, per), 3, ctx.sb->remaining(), fmt::format("up to {} channel planes", per));
    for (int64_t p0 = 0; p0 < planes; p0 += per)
      chunks.push_back(chunk(p0, std::min(per, planes - p0), 0, p.h - 1, 0, p.ho));
    return chunks;
  }
  auto fits = [&](int64_t r0, int64_t r1) {
    const auto [lo, hi] = input_rows(p, r0, r1);
    return (hi - lo + 1) * p.w * e <= half_if && (r1 - r0) * p.wo * e <= half_of;
  };
  std::vector<std::pair<int64_t, int64_t>> runs;  // output rows [r0, r1) of every plane
  for (int64_t r0 = 0; r0 < p.ho;) {
    if (!fits(r0, r0 + 1)) {
      const auto [lo, hi] = input_rows(p, r0, r0 + 1);
      if ((hi - lo + 1) * p.w * e > half_if) {
        cannot_fit(arch, l, Buffer::kIfmap, (hi - lo + 1) * p.w * e, "the input rows of one output row");
      }
      cannot_fit(arch, l, Buffer::kOfmap, p.wo * e, "one output row");
    }
    int64_t good = r0 + 1, bad = p.ho + 1;  // fits(r0, good); the longest run ends before `bad`
    while (bad - good > 1) {
      const int64_t mid = good + (bad - good) / 2;
      (fits(r0, mid) ? good : bad) = mid;
    }
    runs.emplace_back(r0, good);
    r0 = good;
    // Counted as they are found: a layer over the instruction limit stops here.
    check_chunks(sat_mul(planes, static_cast<int64_t>(runs.size())), 3, ctx.sb->remaining(),
                 fmt::format("output rows of one plane (at least {} runs)", runs.size()));
  }
  for (int64_t plane = 0; plane < planes; ++plane) {
    for (const auto& [r0, r1] : runs) {
      const auto [lo, hi] = input_rows(p, r0, r1);
      chunks.push_back(chunk(plane, 1, lo, hi, r0, r1));
    }
  }
  return chunks;
}

class Resize final : public Operator {
 public:
  const char* name() const override { return "resize"; }
  std::vector<TypeSpelling> spellings() const override { return {{"resize", {"mode", "scales", "size"}}}; }

  void parse(LayerFields& f, Layer* l) const override {
    ResizeAttrs a;
    std::string mode;
    if (f.has("mode") && f.get_choice("mode", {"nearest", "bilinear"}, &mode))
      a.bilinear = mode == "bilinear";
    if (!f.has("scales") && !f.has("size")) {
      f.missing("scales", "required for resize: scales [scale_h, scale_w] or size [Ho, Wo]");
    } else if (f.has("scales") && f.has("size")) {
      f.fail("size", f.text("size"), "give either scales or size, not both");
    } else if (f.has("scales")) {
      if (f.get_number_list("scales", &a.scales) && a.scales.size() != 2) {
        f.fail("scales", f.text("scales"),
               "must be [scale_h, scale_w]: H and W are resized, N and C are not");
        a.scales.clear();
      }
    } else if (f.get_int_list("size", &a.size) && a.size.size() != 2) {
      f.fail("size", f.text("size"), "must be [Ho, Wo]: H and W are resized, N and C are not");
      a.size.clear();
    }
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    const auto& a = l.as<ResizeAttrs>();
    const Shape& in = l.input_shapes[0];
    if (!shape_math::expect_rank(c, in, 4, "[N, C, H, W]")) return;
    if (a.scales.size() != 2 && a.size.size() != 2) {
      c.fail("scales", "", "needs scales [scale_h, scale_w] or size [Ho, Wo]");
      return;
    }
    if (a.scales.empty()) {
      if (!(c.at_least("size", a.size[0], 1) & c.at_least("size", a.size[1], 1))) return;
    } else {
      for (size_t i = 0; i < 2; ++i) {
        const double s = a.scales[i], extent = static_cast<double>(in[2 + i]);
        if (!(s > 0.0)) {
          c.fail("scales", fmt::format("{}", s), "must be > 0");
        } else if (extent * s >= 0x1p62) {
          c.fail("scales", fmt::format("{}", s),
                 fmt::format("{} x {} overflows the output size", in[2 + i], s));
        } else if (std::floor(extent * s) < 1) {
          c.fail(
              "scales", fmt::format("{}", s),
              fmt::format("gives no output along {}: floor({} x {}) = 0", i == 0 ? "H" : "W", in[2 + i], s));
        }
      }
      if (!c.ok()) return;
    }
    const Plane p = plane_of(l, in);
    l.output_shape = {in[0], in[1], p.ho, p.wo};
    l.vector_ops = shape_math::product({shape_math::elements(l.output_shape), ops_per_element(a.bilinear)});
  }

  void lower(LoweringContext& ctx) const override {
    const Layer& l = ctx.layer;
    const Shape& in = l.input_shapes.at(0);
    const Plane p = plane_of(l, in);
    const std::vector<VectorChunk> chunks = resize_chunks(
        ctx, p, in[0] * in[1], ctx.plan.views.at(l.inputs.at(0)).addr, ctx.plan.views.at(l.name).addr);
    emit_vector_chunks(ctx, chunks, "planes/rows");
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    reference_support::need_weights(l, weights, false);
    const Tensor& in = *inputs[0];
    if (in.shape.size() != 4)
      reference_support::layer_error(l, "input tensor " + shape_str(in.shape) + " is not NCHW");
    const Plane p = plane_of(l, in.shape);
    if (p.ho < 1 || p.wo < 1) reference_support::layer_error(l, "the output has no rows or columns");
    Tensor out(in.dtype, {in.shape[0], in.shape[1], p.ho, p.wo});
    if (!l.output_shape.empty()) reference_support::expect_shape(l, "computed output", out, l.output_shape);
    const bool ints = is_integer(in.dtype);
    auto at = [&](int64_t plane, int64_t y, int64_t x) {
      const int64_t i = (plane * p.h + y) * p.w + x;
      return ints ? static_cast<double>(in.get_int(i)) : static_cast<double>(in.get_float(i));
    };
    for (int64_t plane = 0; plane < in.shape[0] * in.shape[1]; ++plane) {
      for (int64_t oy = 0; oy < p.ho; ++oy) {
        const double y = resize_source(oy, p.sh);
        for (int64_t ox = 0; ox < p.wo; ++ox) {
          const double x = resize_source(ox, p.sw);
          double v = 0.0;
          if (!p.bilinear) {
            v = at(plane, resize_nearest(y, p.h), resize_nearest(x, p.w));
          } else {
            const LinearTaps ty = resize_linear(y, p.h), tx = resize_linear(x, p.w);
            v = bilinear(at(plane, ty.i0, tx.i0), at(plane, ty.i0, tx.i1), at(plane, ty.i1, tx.i0),
                         at(plane, ty.i1, tx.i1), ty.w1, tx.w1);
          }
          const int64_t o = (plane * p.ho + oy) * p.wo + ox;
          if (ints) {
            out.set_int(o, static_cast<int64_t>(std::nearbyint(v)));
          } else {
            out.set_float(o, static_cast<float>(v));
          }
        }
      }
    }
    return out;
  }
};

}  // namespace

void register_operator_resize(OperatorRegistrar& r) {
  r.add<Resize>();
}

}  // namespace systole::ops
