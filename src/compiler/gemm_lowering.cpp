// Lowering of conv2d and matmul layers to GEMMs out[m x n] (+)= in[m x k] * w[k x n], and the DMA
// descriptors of their tiles.
//   conv2d: m = N*Ho*Wo (image, output row, output column), k = (C/groups)*kh*kw (channel, kernel
//           row, kernel column: the weight layout [oc][C/groups][kh][kw]), n = oc/groups; one GEMM
//           per group (depthwise: C GEMMs with n = 1, k = kh*kw). The ifmap is never expanded in
//           DRAM: a tile's LOAD fetches the input rows covering its output rows (halo included)
//           of each channel plane it touches, and the array reads the im2col expansion from there.
//   matmul: [..., M, K] x [K, N]. With weights (one input) and batch dims that merge with M, the
//           batch folds into m (the weights are shared); otherwise one GEMM per batch index, the
//           second operand being an activation tensor (broadcast over missing batch dims).
#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/lowering.h"

namespace systole {
namespace lowering {
namespace {

const TensorView& view(const MemoryPlan& plan, const Layer& l, size_t input) {
  auto it = plan.views.find(l.inputs.at(input));
  if (it == plan.views.end()) throw InternalError("no DRAM view for '" + l.inputs.at(input) + "'");
  return it->second;
}

uint64_t weight_addr(const MemoryPlan& plan, const Layer& l) {
  auto it = plan.weights.find(l.name);
  if (it == plan.weights.end()) throw InternalError("layer '" + l.name + "' has no placed weights");
  return it->second;
}

uint64_t u(int64_t v) {
  return static_cast<uint64_t>(v);
}

}  // namespace

ConvLayouts conv_layouts(Dataflow dataflow, bool scalesim_compat) {
  ConvLayouts l;
  if (scalesim_compat) return l;
  l.ifmap_channel_last = dataflow == Dataflow::kWeightStationary;
  l.weights_kn = l.acc_channel_last = dataflow != Dataflow::kInputStationary;
  l.ifmap_stride_phases = dataflow != Dataflow::kWeightStationary;
  return l;
}

GemmProblem lower_conv(const Layer& l, const ConvGeometry& geometry, uint32_t index, const MemoryPlan& plan,
                       const ElementBytes& eb, const ConvLayouts& layouts, int64_t max_gemms) {
  GemmProblem p;
  p.layer = index;
  p.name = l.name;
  p.is_conv = true;
  p.conv = geometry;
  const ConvGeometry& g = p.conv;
  const int64_t cpg = g.c / g.groups, ocpg = g.oc / g.groups;
  p.m = g.batch * g.ho * g.wo;
  p.k = cpg * g.kh * g.kw;
  p.n = ocpg;
  p.gemms = g.groups;
  p.groups = g.groups;
  p.m_batch_unit = g.batch > 1 ? g.ho * g.wo : 0;
  p.layouts = layouts;
  p.conv.channel_block = !layouts.ifmap_channel_last ? 0
                         : layouts.channel_block > 0 ? layouts.channel_block
                                                     : cpg;
  p.conv.stride_phased = layouts.ifmap_stride_phases && !layouts.ifmap_channel_last && g.sh * g.sw > 1;
  if (p.conv.channel_block > 0 && cpg % p.conv.channel_block != 0) {
    throw InternalError(fmt::format("conv '{}': channel block {} does not divide {} channels per group",
                                    l.name, p.conv.channel_block, cpg));
  }
  // Element (k, n) of group grp's weights: [grp][n][k] as given, or [grp][k][n] pre-arranged.
  p.b = layouts.weights_kn ? MatrixView{weight_addr(plan, l), p.n, 1, {}, eb.weight}
                           : MatrixView{weight_addr(plan, l), 1, p.k, {}, eb.weight};
  if (g.groups > max_gemms) {
    throw BudgetExceeded{g.groups, fmt::format("at least one MATMUL per group: groups {}", g.groups)};
  }
  for (int64_t grp = 0; grp < g.groups; ++grp) p.b.gemm_offset.push_back(grp * ocpg * p.k);
  const TensorView& iv = view(plan, l, 0);
  p.conv_in_addr = iv.addr;
  p.source_a = iv.source_layer;
  p.conv_out_addr = plan.views.at(l.name).addr;
  p.a.elem_bytes = eb.act;
  p.out.elem_bytes = eb.act;
  return p;
}

GemmProblem lower_matmul(const Layer& l, bool transpose_b, uint32_t index, const MemoryPlan& plan,
                         const ElementBytes& eb, int64_t max_gemms) {
  const TensorView& av = view(plan, l, 0);
  const TensorView& ov = plan.views.at(l.name);
  const size_t r = av.shape.size();
  if (r < 2 || ov.shape.size() != r) throw InternalError("matmul '" + l.name + "' has bad ranks");
  GemmProblem p;
  p.layer = index;
  p.name = l.name;
  p.m = av.shape[r - 2];
  p.k = av.shape[r - 1];
  p.n = ov.shape[r - 1];
  p.source_a = av.source_layer;
  p.a = {av.addr, av.strides[r - 2], av.strides[r - 1], {}, eb.act};
  p.out = {ov.addr, ov.strides[r - 2], ov.strides[r - 1], {}, eb.act};
  int64_t batch = 1;
  for (size_t d = 0; d + 2 < r; ++d) batch *= av.shape[d];
  p.b_is_weight = l.inputs.size() == 1;
  if (p.b_is_weight) {
    p.b = {weight_addr(plan, l), p.n, 1, {}, eb.weight};
    // Batch dims merge with M when A's (and the output's) rows are evenly strided across them.
    bool mergeable = true;
    for (size_t d = 0; d + 2 < r; ++d) {
      mergeable = mergeable && av.strides[d] == av.strides[d + 1] * av.shape[d + 1] &&
                  ov.strides[d] == ov.strides[d + 1] * ov.shape[d + 1];
    }
    if (mergeable) {
      if (batch > 1) p.m_batch_unit = p.m;
      p.m *= batch;
      batch = 1;
    }
  } else {
    const TensorView& bv = view(plan, l, 1);
    const size_t rb = bv.shape.size();
    p.source_b = bv.source_layer;
    // Element (k, n) of B: stored [.., K, N], or [.., N, K] when transpose_b.
    p.b = transpose_b ? MatrixView{bv.addr, bv.strides[rb - 1], bv.strides[rb - 2], {}, eb.act}
                      : MatrixView{bv.addr, bv.strides[rb - 2], bv.strides[rb - 1], {}, eb.act};
  }
  p.gemms = batch;
  p.groups = 1;
  if (batch > max_gemms) {
    throw BudgetExceeded{batch, fmt::format("at least one MATMUL per batch index: batch dims {} of {}", batch,
                                            shape_str(av.shape))};
  }
  for (int64_t bi = 0; bi < batch; ++bi) {
    // Unravel the batch index over A's batch dims (row-major); B aligns its batch dims from the
    // right and broadcasts size-1 or missing ones.
    int64_t rem = bi, a_off = 0, b_off = 0, o_off = 0;
    for (size_t d = r - 2; d-- > 0;) {
      const int64_t idx = rem % av.shape[d];
      rem /= av.shape[d];
      a_off += idx * av.strides[d];
      o_off += idx * ov.strides[d];
      if (!p.b_is_weight) {
        const TensorView& bv = view(plan, l, 1);
        const size_t from_right = r - 1 - d;  // 2 for the innermost batch dim
        if (bv.shape.size() > from_right) {
          const size_t bd = bv.shape.size() - 1 - from_right;
          if (bv.shape[bd] > 1) b_off += idx * bv.strides[bd];
        }
      }
    }
    p.a.gemm_offset.push_back(a_off);
    p.out.gemm_offset.push_back(o_off);
    p.b.gemm_offset.push_back(b_off);
  }
  return p;
}

std::vector<ConvRowSegment> conv_segments(const ConvGeometry& g, int64_t m0, int64_t m1) {
  std::vector<ConvRowSegment> out;
  const int64_t plane = g.ho * g.wo;
  for (int64_t m = m0; m < m1;) {
    ConvRowSegment s;
    s.image = m / plane;
    s.pix0 = m % plane;
    s.pix1 = std::min(plane, s.pix0 + (m1 - m));
    m += s.pix1 - s.pix0;
    conv_input_rows(conv_tile(g, m0, 0), s.pix0 / g.wo, (s.pix1 - 1) / g.wo, &s.in_row0, &s.rows);
    out.push_back(s);
  }
  return out;
}

void conv_planes(const ConvGeometry& g, int64_t k0, int64_t k1, int64_t* c0, int64_t* count) {
  conv_tile_channels(conv_tile(g, 0, k0), k1 - k0, c0, count);
}

DmaDescriptor matrix_block(uint64_t addr, int64_t e, int64_t rows, int64_t cols, int64_t row_stride,
                           int64_t col_stride) {
  DmaDescriptor d;
  d.dram_addr = addr;
  if (col_stride == 1 || cols == 1) {
    d.rows = u(rows);
    d.row_bytes = u(cols * e);
    d.row_stride_bytes = u(row_stride * e);
  } else if (row_stride == 1 || rows == 1) {
    d.rows = u(cols);
    d.row_bytes = u(rows * e);
    d.row_stride_bytes = u(col_stride * e);
  } else {
    d.planes = u(rows);
    d.rows = u(cols);
    d.row_bytes = u(e);
    d.plane_stride_bytes = u(row_stride * e);
    d.row_stride_bytes = u(col_stride * e);
  }
  return d;
}

namespace {

// Contiguous along columns (true) or rows (false) in DRAM, as matrix_block walks a view; a view
// contiguous along neither is never transposed.
bool along_cols(const MatrixView& v) {
  return v.col_stride == 1;
}
bool along_rows(const MatrixView& v) {
  return v.row_stride == 1 && v.col_stride != 1;
}
// Whether a view must be transposed for vectors along columns (want_cols) or rows.
bool needs_transpose(const MatrixView& v, bool want_cols) {
  return want_cols ? along_rows(v) : along_cols(v);
}

// A rows x cols tile stored [rows][cols] (contiguous along columns) or [cols][rows].
OperandLayout tile_layout(bool contiguous_cols, int64_t rows, int64_t cols) {
  OperandLayout l;
  l.row_stride = contiguous_cols ? cols : 1;
  l.col_stride = contiguous_cols ? 1 : rows;
  return l;
}

// The scratchpad layout of a transposed rows x cols tile: the other order than the view's.
OperandLayout transposed_layout(const MatrixView& v, int64_t rows, int64_t cols) {
  return tile_layout(along_rows(v), rows, cols);
}

// The runs a transposing descriptor of a rows x cols tile walks: rows along columns, else cols.
uint64_t transposed_runs(const MatrixView& v, int64_t rows, int64_t cols) {
  return static_cast<uint64_t>(along_cols(v) ? rows : cols);
}

}  // namespace

void set_matrix_transposes(Dataflow dataflow, bool scalesim_compat, GemmProblem* p) {
  if (scalesim_compat || p->is_conv) return;
  // The axis each operand's vectors run along: a (m, k), w (k, n), out (m, n) -> columns or rows.
  const bool a_cols = dataflow == Dataflow::kWeightStationary;
  const bool w_cols = dataflow != Dataflow::kInputStationary;
  const bool out_cols = dataflow != Dataflow::kInputStationary;
  p->transposed.a = needs_transpose(p->a, a_cols);
  p->transposed.b = needs_transpose(p->b, w_cols);
  p->transposed.out = needs_transpose(p->out, out_cols);
}

OperandLayout block_layout(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride) {
  // The same case split as matrix_block: which axis the descriptor's rows run along.
  return tile_layout(col_stride == 1 || cols == 1 || !(row_stride == 1 || rows == 1), rows, cols);
}

std::string layouts_text(const GemmProblem& p) {
  if (!p.is_conv) {
    std::string s = "operand blocks row-major along their DRAM view's contiguous axis";
    if (p.transposed.a || p.transposed.b || p.transposed.out) {
      s += fmt::format("; transposed by the DMA:{}{}{}", p.transposed.a ? " ifmap" : "",
                       p.transposed.b ? " weights" : "", p.transposed.out ? " outputs" : "");
    }
    return s;
  }
  const ConvLayouts& l = p.layouts;
  return fmt::format(
      "ifmap {}, read as im2col; weights {}; accumulators {}",
      l.ifmap_channel_last
          ? fmt::format("[input row][W][channel] (transposed by the LOAD), k = (block of {} channels, kernel "
                        "row, kernel column, channel)",
                        p.conv.channel_block)
      : p.conv.stride_phased
          ? fmt::format("[channel][{} x {} stride phases][input row / {}][W / {}] (phased by the LOAD), k = "
                        "(channel, kernel row, kernel column)",
                        p.conv.sh, p.conv.sw, p.conv.sh, p.conv.sw)
          : std::string("[channel][input row][W], k = (channel, kernel row, kernel column)"),
      l.weights_kn ? "[g][k][n] (pre-arranged in DRAM)" : "[g][n][k] as given",
      l.acc_channel_last ? "[pixel][channel] (transposed by the STORE)" : "NCHW planes");
}

ConvTileGeometry conv_tile(const ConvGeometry& g, int64_t m0, int64_t k0) {
  ConvTileGeometry t;
  t.h = g.h, t.w = g.w, t.ho = g.ho, t.wo = g.wo;
  t.kh = g.kh, t.kw = g.kw, t.sh = g.sh, t.sw = g.sw, t.pad_top = g.pad_top, t.pad_left = g.pad_left;
  t.dh = g.dh, t.dw = g.dw;
  t.m0 = m0;
  t.k0 = k0;
  t.channel_last = g.channel_block > 0;
  t.block = std::max<int64_t>(1, g.channel_block);
  t.row_phases = g.stride_phased ? g.sh : 1;
  t.col_phases = g.stride_phased ? g.sw : 1;
  return t;
}

void set_layouts(const GemmProblem& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1, int64_t k0, int64_t k1,
                 MatmulOp* op) {
  op->weight_layout = p.transposed.b ? transposed_layout(p.b, k1 - k0, n1 - n0)
                                     : block_layout(k1 - k0, n1 - n0, p.b.row_stride, p.b.col_stride);
  if (p.is_conv) {
    op->ifmap_layout.kind = LayoutKind::kConvIfmap;
    op->ifmap_layout.conv = conv_tile(p.conv, m0, k0);
    if (p.layouts.acc_channel_last) {
      op->ofmap_layout = OperandLayout{};  // [m][n] dense: per image, [pixel][channel]
    } else {
      op->ofmap_layout.kind = LayoutKind::kConvOfmap;
      op->ofmap_layout.conv = conv_tile(p.conv, m0, 0);
    }
  } else {
    op->ifmap_layout = p.transposed.a ? transposed_layout(p.a, m1 - m0, k1 - k0)
                                      : block_layout(m1 - m0, k1 - k0, p.a.row_stride, p.a.col_stride);
    op->ofmap_layout = p.transposed.out ? transposed_layout(p.out, m1 - m0, n1 - n0)
                                        : block_layout(m1 - m0, n1 - n0, p.out.row_stride, p.out.col_stride);
  }
}

std::vector<DmaDescriptor> ifmap_descriptors(const GemmProblem& p, int64_t g, int64_t m0, int64_t m1,
                                             int64_t k0, int64_t k1) {
  std::vector<DmaDescriptor> out;
  const int64_t e = p.a.elem_bytes;
  if (p.is_conv) {
    const ConvGeometry& cg = p.conv;
    int64_t c0 = 0, planes = 0;
    conv_planes(cg, k0, k1, &c0, &planes);
    const int64_t ch = g * (cg.c / cg.groups) + c0;
    for (const ConvRowSegment& s : conv_segments(cg, m0, m1)) {
      if (s.rows == 0) continue;  // output rows that see only padding
      DmaDescriptor d;
      d.dram_addr = p.conv_in_addr + u(((s.image * cg.c + ch) * cg.h + s.in_row0) * cg.w * e);
      d.planes = u(planes);
      d.rows = u(s.rows);
      d.row_bytes = u(cg.w * e);
      d.plane_stride_bytes = u(cg.h * cg.w * e);
      d.row_stride_bytes = u(cg.w * e);
      if (p.layouts.ifmap_channel_last) d.channel_last_channels = u(planes);
      if (cg.stride_phased) {
        d.row_phases = u(cg.sh);
        d.col_phases = u(cg.sw);
        d.phase_rows = u(s.rows);
        d.phase_cols = u(cg.w);
      }
      out.push_back(d);
    }
  } else {
    const MatrixView& a = p.a;
    out.push_back(
        matrix_block(a.addr + u((a.gemm_offset.at(u(g)) + m0 * a.row_stride + k0 * a.col_stride) * e), e,
                     m1 - m0, k1 - k0, a.row_stride, a.col_stride));
    if (p.transposed.a) out.back().channel_last_channels = transposed_runs(a, m1 - m0, k1 - k0);
  }
  for (auto& d : out) d.buffer = Buffer::kIfmap;
  return out;
}

std::vector<DmaDescriptor> weight_descriptors(const GemmProblem& p, int64_t g, int64_t k0, int64_t k1,
                                              int64_t n0, int64_t n1) {
  const MatrixView& b = p.b;
  DmaDescriptor d = matrix_block(
      b.addr + u((b.gemm_offset.at(u(g)) + k0 * b.row_stride + n0 * b.col_stride) * b.elem_bytes),
      b.elem_bytes, k1 - k0, n1 - n0, b.row_stride, b.col_stride);
  d.buffer = Buffer::kWeight;
  if (p.transposed.b) d.channel_last_channels = transposed_runs(b, k1 - k0, n1 - n0);
  return {d};
}

std::vector<DmaDescriptor> ofmap_descriptors(const GemmProblem& p, int64_t g, int64_t m0, int64_t m1,
                                             int64_t n0, int64_t n1) {
  std::vector<DmaDescriptor> out;
  const int64_t e = p.out.elem_bytes;
  if (p.is_conv) {
    const ConvGeometry& cg = p.conv;
    const int64_t plane = cg.ho * cg.wo;
    const int64_t ch = g * (cg.oc / cg.groups) + n0;
    for (const ConvRowSegment& s : conv_segments(cg, m0, m1)) {
      DmaDescriptor d;
      d.dram_addr = p.conv_out_addr + u(((s.image * cg.oc + ch) * plane + s.pix0) * e);
      d.planes = u(n1 - n0);
      d.rows = 1;
      d.row_bytes = u((s.pix1 - s.pix0) * e);
      d.plane_stride_bytes = u(plane * e);
      d.row_stride_bytes = d.row_bytes;
      if (p.layouts.acc_channel_last) d.channel_last_channels = u(n1 - n0);
      out.push_back(d);
    }
  } else {
    const MatrixView& o = p.out;
    out.push_back(
        matrix_block(o.addr + u((o.gemm_offset.at(u(g)) + m0 * o.row_stride + n0 * o.col_stride) * e), e,
                     m1 - m0, n1 - n0, o.row_stride, o.col_stride));
    if (p.transposed.out) out.back().channel_last_channels = transposed_runs(o, m1 - m0, n1 - n0);
  }
  for (auto& d : out) d.buffer = Buffer::kOfmap;
  return out;
}

}  // namespace lowering
}  // namespace systole
