#include "systole/compiler/buffer_plan.h"

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/int_math.h"
#include "systole/compiler/lowering.h"

namespace systole::lowering {

BufferPlan::BufferPlan(const ArchSpec& arch) : m_spm(arch.core.scratchpads) {
  for (const Buffer r : kOperandRoles) {
    const ScratchpadParams& p = m_spm.of(r);
    m_role[index_of(r)] = {m_spm.named_index(r), m_spm.shared(r), p.capacity_bytes(),
                           sat_mul(p.banks, p.bank_width_bytes)};
    m_any_shared = m_any_shared || m_spm.shared(r);
  }
}

std::string BufferPlan::capacity_key(Buffer r) const {
  return fmt::format("core.scratchpads.{}.capacity_kib", m_spm.name_of(r));
}

std::string BufferPlan::describe(Buffer r) const {
  if (!shared(r)) return fmt::format("{} scratchpad", m_spm.name_of(r));
  std::string others;
  for (const Buffer o : kOperandRoles) {
    if (o != r && together(o, r)) others += (others.empty() ? "" : ", ") + std::string(to_string(o));
  }
  return fmt::format("'{}' scratchpad (shared by {} with {})", m_spm.name_of(r), to_string(r), others);
}

int64_t BufferPlan::double_buffer_bytes(Buffer r, int64_t need) const {
  if (!shared(r)) return sat_mul(2, need);
  const int64_t row = m_role[index_of(r)].bank_row;
  return sat_mul(2, sat_mul(ceil_div(need, row), row));
}

int64_t BufferPlan::shortfall(Buffer r, const RoleBytes& need) const {
  int64_t used = 0;
  for (const Buffer o : kOperandRoles) {
    if (together(o, r)) used = sat_add(used, double_buffer_bytes(o, need[index_of(o)]));
  }
  const int64_t capacity = capacity_bytes(r);
  return used > capacity ? used - capacity : 0;
}

std::string BufferPlan::usage(Buffer r, const RoleBytes& need) const {
  std::string out;
  for (const Buffer o : kOperandRoles) {
    if (!together(o, r)) continue;
    out += fmt::format("{}{} {} B", out.empty() ? "" : " + ", to_string(o),
                       double_buffer_bytes(o, need[static_cast<size_t>(index_of(o))]));
  }
  return out;
}

bool BufferPlan::fits(const RoleBytes& need) const {
  for (const Buffer r : kOperandRoles) {
    if (shortfall(r, need) > 0) return false;
  }
  return true;
}

// Loops run over role indexes (0..2) rather than index_of(role), so that the compiler sees the
// bounds of the per-role arrays.
RoleRegions BufferPlan::for_tiles(const RoleBytes& need) const {
  RoleRegions out;
  for (size_t i = 0; i < out.size(); ++i) {
    const auto r = static_cast<Buffer>(i);
    if (!shared(r)) {
      out[i] = {0, capacity_bytes(r) / 2};
      continue;
    }
    // After the regions of the roles before r in the same scratchpad.
    int64_t base = 0;
    for (size_t j = 0; j < i; ++j) {
      const auto o = static_cast<Buffer>(j);
      if (together(o, r)) base += double_buffer_bytes(o, need[j]);
    }
    out[i] = {base, double_buffer_bytes(r, need[i]) / 2};
  }
  if (!fits(need)) throw InternalError("BufferPlan::for_tiles: the tiles do not fit their scratchpads");
  return out;
}

RoleRegions BufferPlan::for_chunks(std::initializer_list<Buffer> used) const {
  RoleRegions out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = {0, capacity_bytes(static_cast<Buffer>(i)) / 2};
  for (const Buffer r : used) {
    int64_t sharers = 0, before = 0;
    for (const Buffer o : used) {
      if (!together(o, r)) continue;
      if (index_of(o) < index_of(r)) ++before;
      ++sharers;
    }
    if (sharers < 2) continue;
    const int64_t row = m_role[index_of(r)].bank_row;
    const int64_t region = capacity_bytes(r) / sharers / (2 * row) * (2 * row);
    out.at(static_cast<size_t>(index_of(r))) = {before * region, region / 2};
  }
  return out;
}

}  // namespace systole::lowering
