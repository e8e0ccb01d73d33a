// The vector-unit layer pipeline (compiler/operator_lowering.h): a layer is cut into chunks that
// fit one half of the ifmap and of the ofmap scratchpad; per chunk: LOADs -> VECTOR -> STORE,
// double-buffered like GEMM tiles (chunk i+1's LOAD waits only for the VECTOR that last read its
// ifmap half; a VECTOR waits for the STORE that last drained its ofmap half). Operators choose
// the chunks (elementwise_chunks here for elements and rows of the last axis; pool and resize
// cut channel planes or output rows with their input halo in their own files).
#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/operator_lowering.h"
#include "systole/numeric/broadcast.h"

namespace systole {
namespace lowering {

DmaDescriptor linear(Buffer b, uint64_t addr, uint64_t bytes) {
  DmaDescriptor d;
  d.buffer = b;
  d.dram_addr = addr;
  d.row_bytes = bytes;
  d.row_stride_bytes = bytes;
  return d;
}

RoleRegions chunk_regions(const ArchSpec& arch, bool weights) {
  const BufferPlan plan(arch);
  return weights ? plan.for_chunks({Buffer::kIfmap, Buffer::kWeight, Buffer::kOfmap})
                 : plan.for_chunks({Buffer::kIfmap, Buffer::kOfmap});
}

int64_t vector_op_cycles(const ArchSpec& arch, const VectorOp& op) {
  const ScratchpadsParams& spm = arch.core.scratchpads;
  VectorPorts ports;
  for (const Buffer r : kOperandRoles) {
    const int i = index_of(r);
    ports.spm[i] = spm.named_index(r);
    ports.read_bytes_per_cycle[i] = spm.of(r).read_bytes_per_cycle;
    ports.write_bytes_per_cycle[i] = spm.of(r).write_bytes_per_cycle;
  }
  return vector_cycles(op, arch.core.vector.lanes, ports);
}

[[noreturn]] void cannot_fit(const ArchSpec& arch, const Layer& l, Buffer b, int64_t need, const char* what) {
  const BufferPlan buf(arch);
  const std::string key = buf.capacity_key(b);
  const KeyOrigin where = arch.origin_of(key);
  const std::string room = buf.shared(b) ? fmt::format(" ({} B halves of the {} for this layer)",
                                                       chunk_regions(arch)[index_of(b)].half, buf.describe(b))
                                         : std::string();
  throw ConfigError(Diagnostic{
      where.file, where.line, key, std::to_string(buf.capacity_kib(b)),
      fmt::format("layer '{}' ({}) needs {} bytes in the {} scratchpad: 2 x {} B (double-buffered) for {}{}",
                  l.name, to_string(l.kind), 2 * need, to_string(b), need, what, room)});
}

RoleRegions chunk_sizing_regions(const ArchSpec& arch, bool weights) {
  RoleRegions r = chunk_regions(arch, weights);
  if (!arch.heterogeneous()) return r;
  ArchSpec each = arch;
  each.cores.per_core.clear();
  for (int64_t c = 0; c < arch.cores.count; ++c) {
    each.core = arch.core_of(c);
    const RoleRegions q = chunk_regions(each, weights);
    for (size_t i = 0; i < r.size(); ++i) r[i].half = std::min(r[i].half, q[i].half);
  }
  return r;
}

int64_t units_per_chunk(const ArchSpec& arch, const Layer& l, int64_t in_unit, int64_t out_unit,
                        const char* what) {
  const RoleRegions regions = chunk_sizing_regions(arch);
  const int64_t half_if = regions[index_of(Buffer::kIfmap)].half;
  const int64_t half_of = regions[index_of(Buffer::kOfmap)].half;
  if (in_unit > half_if || out_unit > half_of) {
    // Name the core whose scratchpad is too small (its own, or a per-core override's).
    ArchSpec each = arch;
    for (int64_t c = 0; c < arch.cores.count; ++c) {
      if (arch.heterogeneous()) each.core = arch.core_of(c);
      const RoleRegions q = chunk_regions(each);
      if (in_unit > q[index_of(Buffer::kIfmap)].half) cannot_fit(each, l, Buffer::kIfmap, in_unit, what);
      if (out_unit > q[index_of(Buffer::kOfmap)].half) cannot_fit(each, l, Buffer::kOfmap, out_unit, what);
    }
  }
  return std::min(half_if / in_unit, half_of / out_unit);
}

int64_t per_core_chunk(const ArchSpec& arch, int64_t per, int64_t units) {
  if (arch.cores.count <= 1) return per;
  return std::max<int64_t>(1, std::min(per, ceil_div(units, arch.cores.count)));
}

void check_chunks(int64_t chunks, int64_t per_chunk, int64_t budget, const std::string& what) {
  const int64_t need = sat_add(sat_mul(chunks, per_chunk), 1);
  if (need > budget) {
    throw BudgetExceeded{need, fmt::format("{} chunks of {} x {} instructions (LOADs, VECTOR, STORE) + SYNC",
                                           chunks, what, per_chunk)};
  }
}

namespace {

// What an elementwise layer's chunks are cut from: its element size, output and input views.
struct ElementwiseViews {
  int64_t e;  // bytes per element
  uint64_t ue;
  const TensorView* out;
  std::vector<const TensorView*> ins;
  int64_t total;     // output elements
  int64_t operands;  // inputs
};

ElementwiseViews elementwise_views(const LoweringContext& ctx) {
  const Layer& l = ctx.layer;
  ElementwiseViews v{ctx.eb.act, static_cast<uint64_t>(ctx.eb.act), &ctx.plan.views.at(l.name),
                     {},         num_elements(l.output_shape),      static_cast<int64_t>(l.inputs.size())};
  for (const std::string& name : l.inputs) v.ins.push_back(&ctx.plan.views.at(name));
  return v;
}

}  // namespace

std::vector<VectorChunk> elementwise_chunks(LoweringContext& ctx, VectorFunc f, int64_t row, int64_t ops,
                                            const char* what) {
  const Layer& l = ctx.layer;
  const auto [e, ue, out_view, ins, total, operands] = elementwise_views(ctx);
  const TensorView& out = *out_view;
  const int64_t per =
      per_core_chunk(ctx.arch, units_per_chunk(ctx.arch, l, operands * row * e, row * e, what), total / row) *
      row;
  check_chunks(ceil_div(total, per), operands + 2, ctx.sb->remaining(),
               fmt::format("up to {} elements", per));
  std::vector<VectorChunk> chunks;
  for (int64_t i0 = 0; i0 < total; i0 += per) {
    const int64_t cnt = std::min(per, total - i0);
    VectorChunk c;
    for (const TensorView* v : ins) {
      c.loads.push_back(
          linear(Buffer::kIfmap, v->addr + static_cast<uint64_t>(i0) * ue, static_cast<uint64_t>(cnt) * ue));
    }
    const auto elems = static_cast<uint64_t>(cnt);
    c.op = {f, elems, static_cast<uint64_t>(ops), static_cast<uint64_t>(operands) * elems * ue, elems * ue};
    c.store = linear(Buffer::kOfmap, out.addr + static_cast<uint64_t>(i0) * ue, elems * ue);
    chunks.push_back(c);
  }
  return chunks;
}

std::vector<VectorChunk> broadcast_chunks(LoweringContext& ctx, VectorFunc f, int64_t ops, const char* what) {
  const Layer& l = ctx.layer;
  if (std::all_of(l.input_shapes.begin(), l.input_shapes.end(),
                  [&](const Shape& s) { return s == l.output_shape; })) {
    return elementwise_chunks(ctx, f, 1, ops, what);
  }
  auto geometry =
      std::make_shared<const BroadcastGeometry>(broadcast_geometry(l.output_shape, l.input_shapes));
  const auto [e, ue, out_view, ins, total, operands] = elementwise_views(ctx);
  const TensorView& out = *out_view;
  const int64_t half_if = chunk_sizing_regions(ctx.arch)[index_of(Buffer::kIfmap)].half;
  int64_t per = per_core_chunk(ctx.arch, units_per_chunk(ctx.arch, l, operands * e, e, what), total);
  // A chunk's runs can be longer than the chunk (one that crosses a broadcast row reads that row's
  // end and its start): halve until every chunk's runs fit. A chunk of one element reads one
  // element per operand, which units_per_chunk has checked fits.
  while (true) {
    bool fits = true;
    for (int64_t i0 = 0; fits && i0 < total; i0 += per) {
      const int64_t cnt = std::min(per, total - i0);
      int64_t bytes = 0;
      for (size_t o = 0; o < ins.size(); ++o) {
        const auto [lo, hi] = geometry->span(o, i0, cnt);
        bytes += (hi - lo + 1) * e;
      }
      fits = bytes <= half_if;
    }
    if (fits || per == 1) break;
    per = (per + 1) / 2;
  }
  check_chunks(ceil_div(total, per), operands + 2, ctx.sb->remaining(),
               fmt::format("up to {} elements", per));
  std::vector<VectorChunk> chunks;
  for (int64_t i0 = 0; i0 < total; i0 += per) {
    const int64_t cnt = std::min(per, total - i0);
    VectorChunk c;
    for (size_t o = 0; o < ins.size(); ++o) {
      const auto [lo, hi] = geometry->span(o, i0, cnt);
      c.loads.push_back(linear(Buffer::kIfmap, ins[o]->addr + static_cast<uint64_t>(lo) * ue,
                               static_cast<uint64_t>(hi - lo + 1) * ue));
    }
    const auto elems = static_cast<uint64_t>(cnt);
    c.op = {f, elems, static_cast<uint64_t>(ops), static_cast<uint64_t>(operands) * elems * ue, elems * ue};
    c.op.broadcast = geometry;
    c.op.first_element = static_cast<uint64_t>(i0);
    c.store = linear(Buffer::kOfmap, out.addr + static_cast<uint64_t>(i0) * ue, elems * ue);
    chunks.push_back(c);
  }
  return chunks;
}

void emit_vector_chunks(LoweringContext& ctx, const std::vector<VectorChunk>& all_chunks,
                        const std::string& unit, uint64_t row_elements) {
  // Multi-core: this core's contiguous run of the chunks (compiler/partition.h).
  std::vector<VectorChunk> share_chunks;
  if (CoreShare* s = ctx.share) {
    const auto count = static_cast<int64_t>(all_chunks.size());
    const auto [b, e] = s->range(count, 1, s->core, true);
    share_chunks.assign(all_chunks.begin() + b, all_chunks.begin() + e);
    if (!s->used) {
      s->used = true;
      s->strategy = "chunks";
      s->reason =
          fmt::format("a vector-unit layer: its {} chunks ({}) dealt out in contiguous runs", count, unit);
      for (int64_t c = 0; c < s->cores; ++c) {
        const auto [cb, ce] = s->range(count, 1, c, true);
        s->ranges.push_back(cb == ce ? std::string("none") : fmt::format("{}-{}", cb, ce - 1));
      }
    }
  }
  const std::vector<VectorChunk>& chunks = ctx.share != nullptr ? share_chunks : all_chunks;
  const ArchSpec& arch = ctx.arch;
  StreamBuilder* sb = ctx.sb;
  MappingRecord* rec = ctx.rec;
  const uint32_t index = ctx.index;
  std::vector<const TensorView*> ins;
  for (const std::string& name : ctx.layer.inputs) ins.push_back(&ctx.plan.views.at(name));

  // First loads wait for every producer's SYNC.
  std::vector<uint32_t> first_deps;
  for (const TensorView* v : ins) {
    for (uint32_t d : sb->sync_deps(v->source_layer)) first_deps.push_back(d);
  }
  const bool weights =
      std::any_of(chunks.begin(), chunks.end(), [](const VectorChunk& c) { return !c.weight_loads.empty(); });
  const RoleRegions regions = chunk_regions(arch, weights);
  const OperandRegion& in_region = regions[index_of(Buffer::kIfmap)];
  const OperandRegion& w_region = regions[index_of(Buffer::kWeight)];
  const OperandRegion& out_region = regions[index_of(Buffer::kOfmap)];
  std::optional<std::pair<int, uint32_t>> pending;  // (ofmap half, VECTOR) of the chunk awaiting its STORE
  std::optional<DmaDescriptor> pending_store;
  int64_t dram = 0;
  auto flush = [&]() {
    if (!pending) return;
    DmaDescriptor st = *pending_store;
    st.spm_addr = out_region.addr(pending->first);
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
      d.spm_addr = in_region.addr(si) + offset;
      d.slot = si;
      offset += d.bytes();
      dram += static_cast<int64_t>(d.bytes());
      if (d.bytes() > 0) loads.push_back(sb->add(Opcode::kLoad, index, deps, d));
    }
    sb->set_used(Buffer::kIfmap, si);
    // The chunk's kernels into the other weight half (WAR on the VECTOR that last read it).
    const int sw = 1 - sb->last_used(Buffer::kWeight);
    if (!chunks[i].weight_loads.empty()) {
      const std::vector<uint32_t> wdeps = sb->last_reader(Buffer::kWeight, sw);
      uint64_t w_offset = 0;
      for (DmaDescriptor d : chunks[i].weight_loads) {
        d.spm_addr = w_region.addr(sw) + w_offset;
        d.slot = sw;
        w_offset += d.bytes();
        dram += static_cast<int64_t>(d.bytes());
        if (d.bytes() > 0) loads.push_back(sb->add(Opcode::kLoad, index, wdeps, d));
      }
      sb->set_used(Buffer::kWeight, sw);
    }
    sb->set_used(Buffer::kOfmap, so);
    flush();
    std::vector<uint32_t> vdeps = loads;
    vdeps.insert(vdeps.end(), sb->last_drain(so).begin(), sb->last_drain(so).end());
    VectorOp op = chunks[i].op;
    op.operands = chunks[i].loads.size();
    if (!ctx.layer.input_quant.empty()) op.quant_in = ctx.layer.input_quant[0];
    op.quant_out = ctx.layer.quant;
    if (row_elements > 0) op.row_elements = row_elements;
    op.src_spm_addr = in_region.addr(si);
    op.dst_spm_addr = out_region.addr(so);
    op.src_slot = si;
    op.dst_slot = so;
    if (!chunks[i].weight_loads.empty()) {
      op.weight_spm_addr = w_region.addr(sw);
      op.weight_slot = sw;
    }
    const uint32_t v = sb->add(Opcode::kVector, index, vdeps, op);
    sb->set_reader(Buffer::kIfmap, si, v);
    if (!chunks[i].weight_loads.empty()) sb->set_reader(Buffer::kWeight, sw, v);
    pending = std::make_pair(so, v);
    pending_store = chunks[i].store;
    dram += static_cast<int64_t>(chunks[i].store.bytes());
  }
  flush();
  rec->dataflow = "vector";
  rec->tiles = static_cast<int64_t>(chunks.size());
  rec->tile_m = all_chunks.empty() ? 0 : static_cast<int64_t>(all_chunks.front().op.elements);
  rec->loop_order = "chunks";
  rec->estimated_dram_bytes = dram;
  rec->reason = fmt::format(
      "{} chunk{} of up to {} output elements ({}) fit the ifmap/{}ofmap halves ({} B / {}{} B)",
      all_chunks.size(), all_chunks.size() == 1 ? "" : "s", rec->tile_m, unit, weights ? "weight/" : "",
      in_region.half, weights ? fmt::format("{} B / ", w_region.half) : std::string(), out_region.half);
}

}  // namespace lowering
}  // namespace systole
