// Which activations pass core to core on chip under layer pipelining, and where they sit
// (compiler/pipeline_links.h).
#include "systole/compiler/pipeline_links.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::lowering {
namespace {

// How the stages use one tensor.
struct TensorUse {
  uint64_t addr = 0, bytes = 0;  // in the writing stage's step program
  std::set<size_t> writers, readers;
  bool indexed = false;
};

std::string stage_list(const std::set<size_t>& stages) {
  return fmt::format("{}", fmt::join(stages, ", "));
}

uint64_t round_up(uint64_t a, uint64_t b) {
  return (a + b - 1) / b * b;
}

}  // namespace

uint64_t dma_extent(const DmaDescriptor& d) {
  return (d.planes - 1) * d.plane_stride_bytes + (d.rows - 1) * d.row_stride_bytes + d.row_bytes;
}

LinkPlan plan_links(const std::vector<LinkStage>& stages) {
  LinkPlan out;
  out.slot_bytes.assign(stages.size(), 0);
  std::map<std::string, TensorUse> uses;
  for (size_t s = 0; s < stages.size(); ++s) {
    const Program& p = *stages[s].program;
    // The program's tensors by home; a view shares its root's home, and the first listed (the
    // root, in production order) names the region.
    std::map<uint64_t, std::pair<uint64_t, std::string>> regions;
    for (const TensorPlacement& t : p.tensors) {
      if (t.bytes == 0) continue;
      auto [it, fresh] = regions.emplace(t.dram_addr, std::make_pair(t.bytes, t.name));
      if (!fresh) it->second.first = std::max(it->second.first, t.bytes);
    }
    // The region holding addr (its home, bytes and name), or nullptr.
    auto region_of =
        [&regions](uint64_t addr) -> const std::pair<const uint64_t, std::pair<uint64_t, std::string>>* {
      auto it = regions.upper_bound(addr);
      if (it == regions.begin()) return nullptr;
      --it;
      return addr < it->first + it->second.first ? &*it : nullptr;
    };
    for (const Instruction& in : p.instructions) {
      if (in.layer < stages[s].first || in.layer > stages[s].last) continue;
      const auto* d = std::get_if<DmaDescriptor>(&in.payload);
      if (d == nullptr || d->bytes() == 0) continue;
      if (d->indexed) {
        if (const auto* table = region_of(d->table_addr)) uses[table->second.second].indexed = true;
      }
      const auto* r = region_of(d->dram_addr);
      if (r == nullptr) continue;
      TensorUse& u = uses[r->second.second];
      if (in.op == Opcode::kStore) {
        u.writers.insert(s);
        u.addr = r->first;
        u.bytes = r->second.first;
      } else {
        u.readers.insert(s);
      }
      if (d->indexed) u.indexed = true;
    }
  }

  // Candidates in address order (the memory plan's, which is production order).
  std::vector<std::pair<uint64_t, std::string>> order;
  for (const auto& [name, u] : uses) {
    if (!u.writers.empty() && !u.readers.empty()) order.emplace_back(u.addr, name);
  }
  std::sort(order.begin(), order.end());
  for (const auto& [addr, name] : order) {
    const TensorUse& u = uses.at(name);
    const size_t from = *u.writers.begin();
    const bool crosses = *u.readers.rbegin() > from || *u.readers.begin() < *u.writers.rbegin();
    if (!crosses) continue;  // a stage's own tensor
    out.crossing.insert(name);
    if (u.writers.size() > 1 || u.readers.size() > 1 || *u.readers.begin() != from + 1 || u.indexed) {
      out.reasons[name] = fmt::format(
          "DRAM: written by stage {}, read by stage {}{}: a tensor passes on chip only from one stage to "
          "the next",
          stage_list(u.writers), stage_list(u.readers), u.indexed ? " (a table of an indexed load)" : "");
      continue;
    }
    const size_t to = from + 1;
    const auto align = static_cast<uint64_t>(std::max<int64_t>(1, stages[to].align));
    const uint64_t offset = round_up(out.slot_bytes[to], align);
    const auto half = static_cast<uint64_t>(stages[to].store_capacity / 2);
    const uint64_t slot = round_up(offset + u.bytes, align);
    if (2 * slot > half) {
      out.reasons[name] = fmt::format(
          "DRAM: stage {}'s two slots would grow to {} B each with it, and together they may take at most "
          "half of its core's tensor-store scratchpad ({} B)",
          to, slot, stages[to].store_capacity);
      continue;
    }
    out.links.push_back({name, from, u.bytes, offset});
    out.slot_bytes[to] = slot;
    out.reasons[name] = fmt::format(
        "on chip: written by core {} across the NoC into core {}'s tensor store (2 slots of {} B, "
        "at +{} in the stage's incoming region)",
        from, to, u.bytes, offset);
  }
  return out;
}

LinkIndex::LinkIndex(const LinkPlan& plan, const std::vector<TensorPlacement>& tensors) {
  std::map<std::string, size_t> link_of;
  for (size_t i = 0; i < plan.links.size(); ++i) link_of[plan.links[i].tensor] = i;
  for (const TensorPlacement& t : tensors) {
    const auto it = link_of.find(t.name);
    if (it == link_of.end() || t.bytes == 0) continue;
    if (t.bytes != plan.links[it->second].bytes) {
      throw InternalError(fmt::format("pipeline: link '{}' is {} B in one step program and {} B in another",
                                      t.name, plan.links[it->second].bytes, t.bytes));
    }
    m_by_addr[t.dram_addr] = {t.bytes, it->second};
  }
  for (const TensorPlacement& t : tensors) {
    if (t.bytes > 0 && plan.crossing.count(t.name) > 0) {
      uint64_t& bytes = m_crossing[t.dram_addr];
      bytes = std::max(bytes, t.bytes);
    }
  }
}

bool LinkIndex::crosses(uint64_t addr) const {
  auto it = m_crossing.upper_bound(addr);
  if (it == m_crossing.begin()) return false;
  --it;
  return addr < it->first + it->second;
}

Transfer transfer_of(const LinkIndex& index, const DmaDescriptor& d) {
  Transfer t;
  if (d.bytes() == 0) return t;
  if (const auto hit = index.find(d.dram_addr, dma_extent(d))) {
    t.kind = Transfer::Kind::kLink;
    t.link = hit->first;
    t.offset = hit->second;
  } else if (d.on_chip && index.crosses(d.dram_addr)) {
    t.kind = Transfer::Kind::kDram;
  }
  return t;
}

std::optional<std::pair<size_t, uint64_t>> LinkIndex::find(uint64_t addr, uint64_t extent) const {
  auto it = m_by_addr.upper_bound(addr);
  if (it == m_by_addr.begin()) return std::nullopt;
  --it;
  const uint64_t home = it->first;
  if (addr >= home + it->second.bytes) return std::nullopt;
  if (addr + extent > home + it->second.bytes) {
    throw InternalError(fmt::format("pipeline: DRAM range {:#x}+{} leaves the link tensor at {:#x}+{}", addr,
                                    extent, home, it->second.bytes));
  }
  return std::make_pair(it->second.link, addr - home);
}

}  // namespace systole::lowering
