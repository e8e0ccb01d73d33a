// activity_windows(): the run's priced actions by fixed window of core cycles (power.csv).
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/stats/attribution.h"

namespace systole::hw {
namespace {

// Adds `f` times every count of `r` to `w`.
// Adds r's counts, scaled by f, to w; and its scratchpad accesses to w.class_spm[k - 1] for a core
// of class k >= 1 of a heterogeneous NPU.
void add_scaled(ActivityWindow& w, const InstructionRecord& r, double f, int k = 0) {
  const ActionRecord& a = r.actions;
  if (k > 0) {
    std::array<double, ActivityWindow::kClassSpm>& c = w.class_spm.at(static_cast<size_t>(k - 1));
    const SpmActions* spm[3] = {&a.ifmap, &a.weight, &a.ofmap};
    for (size_t b = 0; b < 3; ++b) {
      c[2 * b] += f * static_cast<double>(spm[b]->read_accesses);
      c[2 * b + 1] += f * static_cast<double>(spm[b]->write_accesses);
    }
    c[6] += f * static_cast<double>(a.ofmap.accumulator_rmw);
  }
  w.macs += f * static_cast<double>(r.macs);
  w.register_shift_bytes += f * static_cast<double>(a.register_shift_bytes);
  w.dma_bursts += f * static_cast<double>(a.dma_bursts);
  w.dram_read_bytes += f * static_cast<double>(r.dram_read_bytes);
  w.dram_write_bytes += f * static_cast<double>(r.dram_write_bytes);
  const SpmActions* spm[3] = {&a.ifmap, &a.weight, &a.ofmap};
  for (int b = 0; b < 3; ++b) {
    w.spm_read_accesses[b] += f * static_cast<double>(spm[b]->read_accesses);
    w.spm_write_accesses[b] += f * static_cast<double>(spm[b]->write_accesses);
  }
  w.accumulator_rmw += f * static_cast<double>(a.ofmap.accumulator_rmw);
  w.vector_add_on_accumulator += f * static_cast<double>(a.vector.add_on_accumulator);
  w.vector_mul_on_accumulator += f * static_cast<double>(a.vector.mul_on_accumulator);
  w.vector_add_on_input += f * static_cast<double>(a.vector.add_on_input);
  w.vector_mul_on_input += f * static_cast<double>(a.vector.mul_on_input);
  w.vector_mac += f * static_cast<double>(a.vector.mac);
  w.noc_flit_hops += f * static_cast<double>(a.noc_flit_hops);
  w.noc_router_traversals += f * static_cast<double>(a.noc_router_traversals);
}

}  // namespace

ActiveInterval active_interval(Opcode op, const InstructionRecord& r) {
  switch (op) {
    case Opcode::kMatmul:
    case Opcode::kVector:
      return {r.work_start_cycle, r.work_start_cycle + r.busy_cycles};
    case Opcode::kLoad:
    case Opcode::kStore:
      return {r.issue_cycle, r.retire_cycle};
    case Opcode::kSync:
      break;
  }
  return {r.issue_cycle, r.issue_cycle};
}

ActivityWindow counts_of(const InstructionRecord& r, int core_class, size_t classes) {
  ActivityWindow w;
  w.class_spm.assign(classes, {});
  add_scaled(w, r, 1.0, core_class);
  return w;
}

std::vector<ActivityWindow> activity_windows(const Program& program,
                                             const std::vector<InstructionRecord>& records,
                                             int64_t total_cycles, int64_t window_cycles,
                                             const std::vector<int>& core_class) {
  if (window_cycles < 1) throw InternalError(fmt::format("activity window of {} cycles", window_cycles));
  if (records.size() != program.instructions.size()) {
    throw InternalError(
        fmt::format("activity: {} records for {} instructions", records.size(), program.instructions.size()));
  }
  std::vector<ActivityWindow> windows;
  if (total_cycles <= 0) return windows;
  const int64_t count = (total_cycles + window_cycles - 1) / window_cycles;
  windows.resize(static_cast<size_t>(count));
  const int classes = core_class.empty() ? 1 : *std::max_element(core_class.begin(), core_class.end()) + 1;
  for (int64_t i = 0; i < count; ++i) {
    windows[i].begin_cycle = i * window_cycles;
    windows[i].end_cycle = std::min(total_cycles, (i + 1) * window_cycles);
    windows[i].class_spm.assign(static_cast<size_t>(classes - 1), {});
  }
  for (size_t k = 0; k < records.size(); ++k) {
    const InstructionRecord& r = records[k];
    const Opcode op = program.instructions[k].op;
    const int cls = core_class.empty() ? 0 : core_class.at(program.instructions[k].core);
    const bool noc = r.actions.noc_flit_hops > 0 || r.actions.noc_router_traversals > 0;
    if (op == Opcode::kSync && !noc) continue;  // no actions
    // A barrier SYNC's NoC messages travel while it waits: from its issue to its release.
    auto [begin, end] =
        op == Opcode::kSync ? ActiveInterval{r.issue_cycle, r.retire_cycle} : active_interval(op, r);
    begin = std::clamp<int64_t>(begin, 0, total_cycles - 1);
    end = std::clamp<int64_t>(end, begin, total_cycles);
    if (end == begin) {
      add_scaled(windows[begin / window_cycles], r, 1.0, cls);
      continue;
    }
    const double length = static_cast<double>(end - begin);
    for (int64_t w = begin / window_cycles; w < count && windows[w].begin_cycle < end; ++w) {
      const int64_t overlap = std::min(end, windows[w].end_cycle) - std::max(begin, windows[w].begin_cycle);
      if (overlap > 0) add_scaled(windows[w], r, static_cast<double>(overlap) / length, cls);
    }
  }
  return windows;
}

}  // namespace systole::hw
