// Depthwise convolution on the vector unit (compiler/operator_lowering.h, docs/compiler.md
// "Depthwise convolution"). A chunk is either whole channel planes of one image (each input plane
// with its `multiplier` output planes and kernels) or, when one such unit does not fit the halves,
// output rows of one output plane with every input row their windows read (padding excluded),
// as pool chunks are cut. Each chunk LOADs its input rows into an ifmap half and its kernels
// ([planes][kh][kw] weight_type, contiguous in the weight tensor [oc][1][kh][kw]) into a weight
// half; its VECTOR writes input_type outputs into an ofmap half, which one STORE drains.
#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/operator_lowering.h"

namespace systole {
namespace lowering {
namespace {

uint64_t u(int64_t v) {
  return static_cast<uint64_t>(v);
}

}  // namespace

std::vector<VectorChunk> depthwise_chunks(const ArchSpec& arch, const Layer& l, const DepthwiseConv& d,
                                          const ElementBytes& eb, const FusedActivation& fused,
                                          int64_t budget) {
  if (d.c <= 0 || d.oc % d.c != 0) {
    throw InternalError(
        fmt::format("depthwise '{}': {} output channels for {} input channels", l.name, d.oc, d.c));
  }
  const int64_t mult = d.oc / d.c, e = eb.act, wb = eb.weight;
  const int64_t window = d.kh * d.kw;
  const int64_t ekh = d.dh * (d.kh - 1) + 1;  // the dilated kernel's extent in input rows
  const RoleRegions regions = chunk_sizing_regions(arch, true);
  const int64_t half_if = regions[index_of(Buffer::kIfmap)].half;
  const int64_t half_w = regions[index_of(Buffer::kWeight)].half;
  const int64_t half_of = regions[index_of(Buffer::kOfmap)].half;

  DepthwiseGeometry geo;
  PoolGeometry& g = geo.window;
  g.h = d.h, g.w = d.w, g.wo = d.wo;
  g.kernel_h = d.kh, g.kernel_w = d.kw, g.stride_h = d.sh, g.stride_w = d.sw;
  g.pad_top = d.pad_top, g.pad_left = d.pad_left;
  geo.dilation_h = d.dh, geo.dilation_w = d.dw;
  geo.multiplier = mult;
  geo.has_activation = fused.present;
  geo.activation = fused.func;
  VectorOp base;
  base.func = VectorFunc::kDepthwiseConv;
  base.ops_per_element = u(window + (fused.present ? 1 : 0));  // kh*kw MACs (+ the fused activation)
  base.requant_shift = requant_shift(arch, window);
  base.depthwise = geo;

  // One input plane with its output planes and kernels: whole channel planes fit?
  const int64_t plane_in = sat_mul(sat_mul(d.h, d.w), e);
  const int64_t plane_out = sat_mul(sat_mul(sat_mul(mult, d.ho), d.wo), e);
  const int64_t plane_w = sat_mul(sat_mul(mult, window), wb);
  std::vector<VectorChunk> chunks;
  if (plane_in <= half_if && plane_out <= half_of && plane_w <= half_w) {
    const int64_t per =
        per_core_chunk(arch, std::min({d.c, half_if / plane_in, half_of / plane_out, half_w / plane_w}), d.c);
    check_chunks(sat_mul(d.batch, ceil_div(d.c, per)), 4, budget,
                 fmt::format("up to {} channel planes", per));
    for (int64_t n = 0; n < d.batch; ++n) {
      for (int64_t c0 = 0; c0 < d.c; c0 += per) {
        const int64_t cnt = std::min(per, d.c - c0);
        VectorChunk c;
        DmaDescriptor ld;
        ld.buffer = Buffer::kIfmap;
        ld.dram_addr = d.in_addr + u((n * d.c + c0) * d.h * d.w * e);
        ld.planes = u(cnt);
        ld.rows = u(d.h);
        ld.row_bytes = u(d.w * e);
        ld.plane_stride_bytes = u(d.h * d.w * e);
        ld.row_stride_bytes = ld.row_bytes;
        c.loads.push_back(ld);
        c.weight_loads.push_back(
            linear(Buffer::kWeight, d.weight_addr + u(c0 * mult * window * wb), u(cnt * mult * window * wb)));
        const int64_t out_planes = cnt * mult;
        const auto elems = u(out_planes * d.ho * d.wo);
        c.op = base;
        c.op.elements = elems;
        c.op.spm_read_bytes = ld.bytes();
        c.op.spm_write_bytes = elems * u(e);
        c.op.spm_weight_read_bytes = c.weight_loads.front().bytes();
        PoolGeometry& cg = c.op.depthwise.window;
        cg.planes = out_planes;
        cg.in_row0 = 0, cg.in_rows = d.h;
        cg.out_row0 = 0, cg.out_rows = d.ho;
        c.store =
            linear(Buffer::kOfmap, d.out_addr + u((n * d.oc + c0 * mult) * d.ho * d.wo * e), elems * u(e));
        chunks.push_back(c);
      }
    }
    return chunks;
  }
  // Output rows of one output plane: r rows read at most min(h, (r - 1) * sh + ekh) input rows.
  // r is the largest in [0, ho] with those rows within half_if and r * wo * e within half_of
  // (both monotone in r); the kernel (kh * kw weights) must fit half_w.
  if (window * wb > half_w) cannot_fit(arch, l, Buffer::kWeight, window * wb, "one channel's kernel");
  const int64_t rows_in = half_if / sat_mul(d.w, e);
  const int64_t r_in = plane_in <= half_if ? d.ho : rows_in >= ekh ? (rows_in - ekh) / d.sh + 1 : 0;
  const int64_t r = std::max<int64_t>(0, std::min({d.ho, r_in, half_of / sat_mul(d.wo, e)}));
  if (r == 0) {
    const int64_t need_in = sat_mul(sat_mul(std::min(d.h, ekh), d.w), e);
    if (need_in > half_if) cannot_fit(arch, l, Buffer::kIfmap, need_in, "the input rows of one output row");
    cannot_fit(arch, l, Buffer::kOfmap, sat_mul(d.wo, e), "one output row");
  }
  check_chunks(sat_mul(sat_mul(d.batch, d.oc), ceil_div(d.ho, r)), 4, budget,
               fmt::format("up to {} output rows of one plane", r));
  for (int64_t n = 0; n < d.batch; ++n) {
    for (int64_t oc = 0; oc < d.oc; ++oc) {
      const int64_t ic = oc / mult;
      for (int64_t r0 = 0; r0 < d.ho; r0 += r) {
        const int64_t r1 = std::min(d.ho, r0 + r);
        const int64_t lo = std::max<int64_t>(0, r0 * d.sh - d.pad_top),
                      hi = std::min(d.h - 1, (r1 - 1) * d.sh - d.pad_top + ekh - 1);
        VectorChunk c;
        DmaDescriptor ld;
        ld.buffer = Buffer::kIfmap;
        ld.dram_addr = d.in_addr + u(((n * d.c + ic) * d.h + lo) * d.w * e);
        ld.rows = u(std::max<int64_t>(0, hi - lo + 1));
        ld.row_bytes = u(d.w * e);
        ld.row_stride_bytes = ld.row_bytes;
        c.loads.push_back(ld);
        c.weight_loads.push_back(
            linear(Buffer::kWeight, d.weight_addr + u(oc * window * wb), u(window * wb)));
        const auto elems = u((r1 - r0) * d.wo);
        c.op = base;
        c.op.elements = elems;
        c.op.spm_read_bytes = ld.bytes();
        c.op.spm_write_bytes = elems * u(e);
        c.op.spm_weight_read_bytes = u(window * wb);
        c.op.depthwise.multiplier = 1;  // one output plane reading the one input plane held
        PoolGeometry& cg = c.op.depthwise.window;
        cg.planes = 1;
        cg.in_row0 = lo, cg.in_rows = static_cast<int64_t>(ld.rows);
        cg.out_row0 = r0, cg.out_rows = r1 - r0;
        c.store =
            linear(Buffer::kOfmap, d.out_addr + u(((n * d.oc + oc) * d.ho + r0) * d.wo * e), elems * u(e));
        chunks.push_back(c);
      }
    }
  }
  return chunks;
}

VectorEstimate estimate_vector_chunks(const ArchSpec& arch, const std::vector<VectorChunk>& chunks) {
  VectorEstimate est;
  for (const VectorChunk& c : chunks) {
    est.cycles = sat_add(est.cycles, vector_op_cycles(arch, c.op));
    int64_t bytes = static_cast<int64_t>(c.store.bytes());
    for (const DmaDescriptor& d : c.loads) bytes = sat_add(bytes, static_cast<int64_t>(d.bytes()));
    for (const DmaDescriptor& d : c.weight_loads) bytes = sat_add(bytes, static_cast<int64_t>(d.bytes()));
    est.dram_bytes = sat_add(est.dram_bytes, bytes);
  }
  // As the tiler: DRAM cycles for those bytes, rounded up (0 for an ideal DRAM).
  const double bytes_per_cycle = arch.dram.planning_bandwidth_gbps() * 1000.0 / arch.core.clock_mhz;
  const double mem =
      bytes_per_cycle > 0 ? static_cast<double>(est.dram_bytes) / bytes_per_cycle + 0.999999 : 0.0;
  est.cost = std::max(est.cycles, mem >= 9.2e18 ? kSaturated : static_cast<int64_t>(mem));
  return est;
}

}  // namespace lowering
}  // namespace systole
