// Instruction emission for GEMM layers. Per tile: LOADs of the operands not already resident ->
// MATMUL (accumulate on k tiles after the first) -> after the last k tile, [fused VECTOR ->] STORE.
// Each scratchpad is split in two halves. An operand buffer keeps the tile keys of both halves and
// reuses a half that already holds the wanted tile; otherwise it loads into the half the previous
// MATMUL did not read (LRU), and that LOAD depends only on the MATMUL that last read the half
// (WAR), so it overlaps the current MATMUL. The ofmap halves alternate per output tile; a MATMUL
// that starts an output tile depends on the STORE that last drained its half. Stream order per
// tile is LOADs(i), STORE(i-1), MATMUL(i): the DMA prefetches tile i before draining tile i-1.
#include <algorithm>
#include <array>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/buffer_plan.h"
#include "systole/compiler/compiler.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/mapper.h"
#include "systole/compiler/operator_lowering.h"

namespace systole {
namespace lowering {

uint32_t StreamBuilder::add(Opcode op, uint32_t layer, std::vector<uint32_t> deps,
                            decltype(Instruction::payload) payload) {
  if (static_cast<int64_t>(m_out.size()) >= m_limit) {
    throw BudgetExceeded{0, ""};  // compile() counts the layer's instructions so far
  }
  const auto id = static_cast<uint32_t>(m_out.size());
  if (m_fence && op != Opcode::kSync) {
    const size_t unit = op == Opcode::kMatmul ? 1 : op == Opcode::kVector ? 2 : 0;
    if (m_unit_layer[unit] != static_cast<int64_t>(layer) && m_last_sync >= 0)
      deps.push_back(static_cast<uint32_t>(m_last_sync));
    m_unit_layer[unit] = layer;
  }
  std::sort(deps.begin(), deps.end());
  deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  if (!deps.empty() && deps.back() >= id) {
    throw InternalError(fmt::format("instruction {} depends on a later instruction {}", id, deps.back()));
  }
  Instruction ins;
  ins.id = id;
  ins.op = op;
  ins.layer = layer;
  ins.deps = std::move(deps);
  ins.payload = std::move(payload);
  m_out.push_back(std::move(ins));
  if (op == Opcode::kStore) m_layer_stores.at(layer).push_back(id);
  return id;
}

void StreamBuilder::sync(uint32_t layer) {
  if (m_layer_stores.at(layer).empty()) return;
  m_layer_sync[layer] = add(Opcode::kSync, layer, m_layer_stores[layer], SyncOp{});
  m_last_sync = m_layer_sync[layer];
}

void StreamBuilder::barrier(uint32_t layer, int64_t id) {
  std::vector<uint32_t> deps;
  if (m_layer_sync.at(layer) >= 0) deps.push_back(static_cast<uint32_t>(m_layer_sync[layer]));
  SyncOp op;
  op.barrier = id;
  m_layer_sync[layer] = add(Opcode::kSync, layer, std::move(deps), op);
  m_last_sync = m_layer_sync[layer];
}

std::vector<uint32_t> StreamBuilder::last_reader(Buffer b, int h) const {
  const int64_t r = m_reader[idx(b)][h];
  return r < 0 ? std::vector<uint32_t>{} : std::vector<uint32_t>{static_cast<uint32_t>(r)};
}

std::vector<uint32_t> StreamBuilder::sync_deps(int source_layer) const {
  if (source_layer < 0 || m_layer_sync.at(static_cast<size_t>(source_layer)) < 0) return {};
  return {static_cast<uint32_t>(m_layer_sync[static_cast<size_t>(source_layer)])};
}

namespace {

using TileKey = std::tuple<int64_t, int64_t, int64_t>;

// One double-buffered operand scratchpad (ifmap or weight) during one layer: remembers which tile
// each half holds; hazards against earlier instructions come from the StreamBuilder.
class OperandBuffer {
 public:
  OperandBuffer(Buffer buffer, const OperandRegion& region, std::vector<uint32_t> first_deps)
      : m_buffer(buffer), m_region(region), m_first_deps(std::move(first_deps)) {}

  // Makes `key` resident, emitting LOADs for `descs` on a miss; returns the half used.
  template <typename MakeDescs>
  int acquire(StreamBuilder* sb, uint32_t layer, const TileKey& key, MakeDescs make_descs) {
    for (int s = 0; s < 2; ++s) {
      if (m_slots[s].key == key) {
        sb->set_used(m_buffer, s);
        return s;
      }
    }
    const int s = 1 - sb->last_used(m_buffer);
    Slot& slot = m_slots[s];
    std::vector<uint32_t> deps = sb->last_reader(m_buffer, s);
    if (!m_loaded_any) deps.insert(deps.end(), m_first_deps.begin(), m_first_deps.end());
    slot.loads.clear();
    uint64_t offset = 0;
    for (DmaDescriptor d : make_descs()) {
      d.spm_addr = m_region.addr(s) + offset;
      d.slot = s;
      offset += d.bytes();
      slot.loads.push_back(sb->add(Opcode::kLoad, layer, deps, d));
      m_loaded_any = true;
    }
    if (offset > static_cast<uint64_t>(m_region.half))
      throw InternalError(fmt::format("tile of {} B overflows a {} B half", offset, m_region.half));
    slot.key = key;
    sb->set_used(m_buffer, s);
    return s;
  }
  const std::vector<uint32_t>& loads(int s) const { return m_slots[s].loads; }
  uint64_t addr(int slot) const { return m_region.addr(slot); }

 private:
  struct Slot {
    std::optional<TileKey> key;
    std::vector<uint32_t> loads;
  };
  Buffer m_buffer;
  OperandRegion m_region;
  std::vector<uint32_t> m_first_deps;
  std::array<Slot, 2> m_slots;
  bool m_loaded_any = false;
};

}  // namespace

void emit_gemm(const ArchSpec& arch, const BufferPlan& buffers, const GemmProblem& p, const TileChoice& t,
               const FusedActivation& fused, StreamBuilder* sb, MappingRecord* rec) {
  const auto& ar = arch.core.array;
  const ArrayGeometry geo{ar.rows, ar.cols, ar.microarch};
  const bool compat = ar.microarch.scalesim_counting;
  const ElementBytes eb = element_bytes(arch);
  const int shift = requant_shift(arch, p.k);
  const TileFootprint f = tile_footprint(p, eb, t.tm, t.tn, t.tk);
  const RoleRegions regions = buffers.for_tiles({f.ifmap, f.weight, f.ofmap});
  OperandBuffer ifmap(Buffer::kIfmap, regions[index_of(Buffer::kIfmap)], sb->sync_deps(p.source_a));
  OperandBuffer weight(Buffer::kWeight, regions[index_of(Buffer::kWeight)],
                       p.b_is_weight ? std::vector<uint32_t>{} : sb->sync_deps(p.source_b));
  const OperandRegion& ofmap_region = regions[index_of(Buffer::kOfmap)];
  int out_half = sb->last_used(Buffer::kOfmap);

  struct Pending {
    int64_t g, m0, m1, n0, n1;
    int half;
    uint32_t matmul;
  };
  std::optional<Pending> pending;
  auto flush = [&]() {
    if (!pending) return;
    const Pending& pd = *pending;
    uint32_t last = pd.matmul;
    if (fused.present) {
      const auto elems = static_cast<uint64_t>((pd.m1 - pd.m0) * (pd.n1 - pd.n0));
      VectorOp v{fused.func, elems, 1, elems * static_cast<uint64_t>(eb.acc),
                 elems * static_cast<uint64_t>(eb.acc)};
      v.on_accumulators = true;
      v.requant_shift = shift;
      v.dst_spm_addr = ofmap_region.addr(pd.half);
      v.dst_slot = pd.half;
      last = sb->add(Opcode::kVector, p.layer, {pd.matmul}, v);
    }
    std::vector<uint32_t> stores;
    uint64_t offset = 0;  // in the scratchpad: accumulator_type elements, packed in STORE order
    for (DmaDescriptor d : ofmap_descriptors(p, pd.g, pd.m0, pd.m1, pd.n0, pd.n1)) {
      d.spm_addr = ofmap_region.addr(pd.half) + offset;
      d.slot = pd.half;
      d.from_accumulator = true;
      d.requant_shift = shift;
      offset += d.bytes() / static_cast<uint64_t>(eb.act) * static_cast<uint64_t>(eb.acc);
      stores.push_back(sb->add(Opcode::kStore, p.layer, {last}, d));
    }
    sb->set_drain(pd.half, std::move(stores));
    pending.reset();
  };

  const int64_t mt = ceil_div(p.m, t.tm), nt = ceil_div(p.n, t.tn), kt = ceil_div(p.k, t.tk);
  const int64_t outer = t.m_outer ? mt : nt, inner = t.m_outer ? nt : mt;
  int64_t tiles = 0, folds = 0;
  std::optional<uint32_t> last_matmul;
  for (int64_t g = p.g_begin; g < p.g_begin + p.gemms; ++g) {
    for (int64_t a = 0; a < outer; ++a) {
      for (int64_t b = 0; b < inner; ++b) {
        const int64_t mi = t.m_outer ? a : b, ni = t.m_outer ? b : a;
        const int64_t m0 = p.m_begin + mi * t.tm, m1 = std::min(p.m_begin + p.m, m0 + t.tm);
        const int64_t n0 = p.n_begin + ni * t.tn, n1 = std::min(p.n_begin + p.n, n0 + t.tn);
        for (int64_t kk = 0; kk < kt; ++kk) {
          const int64_t k0 = kk * t.tk, k1 = std::min(p.k, k0 + t.tk);
          const int si = ifmap.acquire(sb, p.layer, TileKey{g, mi, kk},
                                       [&] { return ifmap_descriptors(p, g, m0, m1, k0, k1); });
          const int sw = weight.acquire(sb, p.layer, TileKey{g, kk, ni},
                                        [&] { return weight_descriptors(p, g, k0, k1, n0, n1); });
          if (kk == 0) {
            out_half = 1 - out_half;
            sb->set_used(Buffer::kOfmap, out_half);
          }
          flush();
          std::vector<uint32_t> deps = ifmap.loads(si);
          deps.insert(deps.end(), weight.loads(sw).begin(), weight.loads(sw).end());
          if (kk == 0)
            deps.insert(deps.end(), sb->last_drain(out_half).begin(), sb->last_drain(out_half).end());
          MatmulOp op;
          op.dataflow = ar.dataflow;
          op.m = static_cast<uint64_t>(m1 - m0);
          op.n = static_cast<uint64_t>(n1 - n0);
          op.k = static_cast<uint64_t>(k1 - k0);
          op.ifmap_spm_addr = ifmap.addr(si);
          op.weight_spm_addr = weight.addr(sw);
          op.ofmap_spm_addr = ofmap_region.addr(out_half);
          op.ifmap_slot = si;
          op.weight_slot = sw;
          op.ofmap_slot = out_half;
          op.accumulate = kk > 0;
          set_layouts(p, m0, m1, n0, n1, k0, k1, &op);
          if (compat) {
            // The streaming dimension's chunk position (WS streams m, OS k, IS n).
            const GemmDim streamed = dataflow_model(ar.dataflow).axes().stream;
            const auto [idx, count] = streamed == GemmDim::kM   ? std::pair{mi, mt}
                                      : streamed == GemmDim::kK ? std::pair{kk, kt}
                                                                : std::pair{ni, nt};
            op.stream_first = idx == 0;
            op.stream_last = idx == count - 1;
          }
          const uint32_t id = sb->add(Opcode::kMatmul, p.layer, deps, op);
          sb->set_reader(Buffer::kIfmap, si, id);
          sb->set_reader(Buffer::kWeight, sw, id);
          last_matmul = id;
          ++tiles;
          folds += fold_count(geo, fold_shape(op.dataflow, static_cast<int64_t>(op.m),
                                              static_cast<int64_t>(op.n), static_cast<int64_t>(op.k)));
          if (kk == kt - 1) pending = Pending{g, m0, m1, n0, n1, out_half, id};
        }
      }
    }
  }
  flush();
  if (!last_matmul) throw InternalError("GEMM layer '" + p.name + "' produced no MATMUL");
  // The layer's last MATMUL (in array order) carries SCALE-Sim's "minus one cycle".
  std::get<MatmulOp>(sb->at(*last_matmul).payload).layer_last = true;
  rec->tiles = tiles;
  rec->folds = folds;
}

}  // namespace lowering
}  // namespace systole
