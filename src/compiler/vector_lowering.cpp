// Vector-unit layers (pool, add, activation, softmax, layernorm). The layer is cut into chunks
// that fit one half of the ifmap and of the ofmap scratchpad; per chunk: LOAD (both operands for
// add) -> VECTOR -> STORE, double-buffered like GEMM tiles (chunk i+1's LOAD waits only for the
// VECTOR that last read its ifmap half; a VECTOR waits for the STORE that last drained its ofmap
// half). Chunk units: elements (add, activation), rows of the last axis (softmax, layernorm: a
// row is never split), channel planes or, when one plane does not fit, output rows of a plane with
// their input halo (pool: every input row a chunk's windows read, padding excluded, is loaded with
// that chunk; its VECTOR carries the PoolGeometry of isa/isa.h). Inputs are read as
// contiguous tensors.
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "lowering.h"
#include "systole/common/error.h"

namespace systole {
namespace compiler_detail {
namespace {

struct Chunk {
  std::vector<DmaDescriptor> loads;  // into the ifmap scratchpad, packed in order
  VectorOp op;
  DmaDescriptor store;
};

DmaDescriptor linear(Buffer b, uint64_t addr, uint64_t bytes) {
  DmaDescriptor d;
  d.buffer = b;
  d.dram_addr = addr;
  d.row_bytes = bytes;
  d.row_stride_bytes = bytes;
  return d;
}

VectorFunc activation_func(ActivationFunc f) {
  switch (f) {
    case ActivationFunc::kRelu:
      return VectorFunc::kRelu;
    case ActivationFunc::kRelu6:
      return VectorFunc::kRelu6;
    case ActivationFunc::kGelu:
      return VectorFunc::kGelu;
    case ActivationFunc::kSigmoid:
      return VectorFunc::kSigmoid;
    case ActivationFunc::kTanh:
      return VectorFunc::kTanh;
  }
  throw InternalError("unknown activation function");
}

[[noreturn]] void cannot_fit(const ArchSpec& arch, const Layer& l, Buffer b, int64_t need, const char* what) {
  const auto& sp = b == Buffer::kIfmap ? arch.core.scratchpads.ifmap : arch.core.scratchpads.ofmap;
  const std::string key = fmt::format("core.scratchpads.{}.capacity_kib", to_string(b));
  const KeyOrigin where = arch.origin_of(key);
  throw ConfigError(Diagnostic{
      where.file, where.line, key, std::to_string(sp.capacity_kib),
      fmt::format("layer '{}' ({}) needs {} bytes in the {} scratchpad: 2 x {} B (double-buffered) for {}",
                  l.name, to_string(l.kind), 2 * need, to_string(b), need, what)});
}

// Largest count of units (each in_unit / out_unit bytes) that fits both halves; >= 1 or throws.
int64_t units_per_chunk(const ArchSpec& arch, const Layer& l, int64_t in_unit, int64_t out_unit,
                        const char* what) {
  const int64_t half_if = arch.core.scratchpads.ifmap.capacity_bytes() / 2;
  const int64_t half_of = arch.core.scratchpads.ofmap.capacity_bytes() / 2;
  if (in_unit > half_if) cannot_fit(arch, l, Buffer::kIfmap, in_unit, what);
  if (out_unit > half_of) cannot_fit(arch, l, Buffer::kOfmap, out_unit, what);
  return std::min(half_if / in_unit, half_of / out_unit);
}

// Throws BudgetExceeded unless `chunks` chunks of `per_chunk` instructions (LOADs, VECTOR, STORE)
// and the layer's SYNC fit in `budget` instructions.
void check_chunks(int64_t chunks, int64_t per_chunk, int64_t budget, const std::string& what) {
  const int64_t need = sat_add(sat_mul(chunks, per_chunk), 1);
  if (need > budget) {
    throw BudgetExceeded{need, fmt::format("{} chunks of {} x {} instructions (LOADs, VECTOR, STORE) + SYNC",
                                           chunks, what, per_chunk)};
  }
}

std::vector<Chunk> pool_chunks(const ArchSpec& arch, const Layer& l, uint64_t in_addr, uint64_t out_addr,
                               int64_t e, int64_t budget) {
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
  std::vector<Chunk> chunks;
  const int64_t half_if = arch.core.scratchpads.ifmap.capacity_bytes() / 2;
  const int64_t half_of = arch.core.scratchpads.ofmap.capacity_bytes() / 2;
  if (h * w * e <= half_if && ho * wo * e <= half_of) {
    const int64_t per = units_per_chunk(arch, l, h * w * e, ho * wo * e, "one channel plane");
    check_chunks(ceil_div(planes, per), 3, budget, fmt::format("up to {} channel planes", per));
    for (int64_t p0 = 0; p0 < planes; p0 += per) {
      const int64_t cnt = std::min(per, planes - p0);
      Chunk c;
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
      Chunk c;
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

}  // namespace

void emit_vector_layer(const ArchSpec& arch, const Layer& l, uint32_t index, const MemoryPlan& plan,
                       StreamBuilder* sb, MappingRecord* rec) {
  const int64_t e = element_bytes(arch).act;
  const auto ue = static_cast<uint64_t>(e);
  const TensorView& out = plan.views.at(l.name);
  std::vector<const TensorView*> ins;
  for (const std::string& name : l.inputs) ins.push_back(&plan.views.at(name));
  const int64_t total = num_elements(l.output_shape);

  std::vector<Chunk> chunks;
  std::string unit;
  auto elementwise = [&](VectorFunc f, int64_t row, int64_t ops, const char* what) {
    const int64_t operands = static_cast<int64_t>(ins.size());
    const int64_t per = units_per_chunk(arch, l, operands * row * e, row * e, what) * row;
    check_chunks(ceil_div(total, per), operands + 2, sb->remaining(), fmt::format("up to {} elements", per));
    for (int64_t i0 = 0; i0 < total; i0 += per) {
      const int64_t cnt = std::min(per, total - i0);
      Chunk c;
      for (const TensorView* v : ins) {
        c.loads.push_back(linear(Buffer::kIfmap, v->addr + static_cast<uint64_t>(i0) * ue,
                                 static_cast<uint64_t>(cnt) * ue));
      }
      const auto elems = static_cast<uint64_t>(cnt);
      c.op = {f, elems, static_cast<uint64_t>(ops), static_cast<uint64_t>(operands) * elems * ue, elems * ue};
      c.store = linear(Buffer::kOfmap, out.addr + static_cast<uint64_t>(i0) * ue, elems * ue);
      chunks.push_back(c);
    }
  };
  switch (l.kind) {
    case LayerKind::kActivation:
      elementwise(activation_func(l.as<ActivationAttrs>().func), 1, 1, "one element");
      unit = "elements";
      break;
    case LayerKind::kAdd:
      elementwise(VectorFunc::kAdd, 1, 1, "one element of each operand");
      unit = "elements";
      break;
    case LayerKind::kSoftmax:
      elementwise(VectorFunc::kSoftmax, l.output_shape.back(), kSoftmaxOpsPerElement,
                  "one row of the last axis");
      unit = "rows";
      break;
    case LayerKind::kLayerNorm:
      elementwise(VectorFunc::kLayerNorm, l.output_shape.back(), kLayerNormOpsPerElement,
                  "one row of the last axis");
      unit = "rows";
      break;
    case LayerKind::kPool:
      chunks = pool_chunks(arch, l, ins.at(0)->addr, out.addr, e, sb->remaining());
      unit = "planes/rows";
      break;
    default:
      throw InternalError(fmt::format("layer '{}' ({}) is not a vector layer", l.name, to_string(l.kind)));
  }

  // First loads wait for every producer's SYNC.
  std::vector<uint32_t> first_deps;
  for (const TensorView* v : ins) {
    for (uint32_t d : sb->sync_deps(v->source_layer)) first_deps.push_back(d);
  }
  const auto half_if = static_cast<uint64_t>(arch.core.scratchpads.ifmap.capacity_bytes() / 2);
  const auto half_of = static_cast<uint64_t>(arch.core.scratchpads.ofmap.capacity_bytes() / 2);
  std::optional<std::pair<int, uint32_t>> pending;  // (ofmap half, VECTOR) of the chunk awaiting its STORE
  std::optional<DmaDescriptor> pending_store;
  int64_t dram = 0;
  auto flush = [&]() {
    if (!pending) return;
    DmaDescriptor st = *pending_store;
    st.spm_addr = static_cast<uint64_t>(pending->first) * half_of;
    st.slot = pending->first;
    sb->set_drain(pending->first, {sb->add(Opcode::kStore, index, {pending->second}, st)});
    pending.reset();
  };
  for (size_t i = 0; i < chunks.size(); ++i) {
    const int si = 1 - sb->last_used(Buffer::kIfmap);
    const int so = 1 - sb->last_used(Buffer::kOfmap);
    std::vector<uint32_t> deps = sb->last_reader(Buffer::kIfmap, si);
    if (i == 0) deps.insert(deps.end(), first_deps.begin(), first_deps.end());
    std::vector<uint32_t> loads;
    uint64_t offset = 0;
    for (DmaDescriptor d : chunks[i].loads) {
      d.spm_addr = static_cast<uint64_t>(si) * half_if + offset;
      d.slot = si;
      offset += d.bytes();
      dram += static_cast<int64_t>(d.bytes());
      if (d.bytes() > 0) loads.push_back(sb->add(Opcode::kLoad, index, deps, d));
    }
    sb->set_used(Buffer::kIfmap, si);
    sb->set_used(Buffer::kOfmap, so);
    flush();
    std::vector<uint32_t> vdeps = loads;
    vdeps.insert(vdeps.end(), sb->last_drain(so).begin(), sb->last_drain(so).end());
    VectorOp op = chunks[i].op;
    op.operands = chunks[i].loads.size();
    if (l.kind == LayerKind::kSoftmax || l.kind == LayerKind::kLayerNorm)
      op.row_elements = static_cast<uint64_t>(l.output_shape.back());
    op.src_spm_addr = static_cast<uint64_t>(si) * half_if;
    op.dst_spm_addr = static_cast<uint64_t>(so) * half_of;
    op.src_slot = si;
    op.dst_slot = so;
    const uint32_t v = sb->add(Opcode::kVector, index, vdeps, op);
    sb->set_reader(Buffer::kIfmap, si, v);
    pending = std::make_pair(so, v);
    pending_store = chunks[i].store;
    dram += static_cast<int64_t>(chunks[i].store.bytes());
  }
  flush();
  rec->dataflow = "vector";
  rec->tiles = static_cast<int64_t>(chunks.size());
  rec->tile_m = chunks.empty() ? 0 : static_cast<int64_t>(chunks.front().op.elements);
  rec->loop_order = "chunks";
  rec->estimated_dram_bytes = dram;
  rec->reason =
      fmt::format("{} chunk{} of up to {} output elements ({}) fit the ifmap/ofmap halves ({} B / {} B)",
                  chunks.size(), chunks.size() == 1 ? "" : "s", rec->tile_m, unit, half_if, half_of);
}

}  // namespace compiler_detail
}  // namespace systole
