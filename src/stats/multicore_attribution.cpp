// Attribution of a multi-core run (stats/attribution.h attribute_cores).
#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/stats/attribution.h"

namespace systole::hw {
namespace {

// The mean of `parts` breakdowns in whole cycles summing to `cycles`: floors of the means, then
// one more cycle to the causes with the largest remainders (ties: the earlier cause).
CycleBreakdown apportioned_mean(const std::vector<CycleBreakdown>& parts, int64_t cycles) {
  const auto n = static_cast<int64_t>(parts.size());
  CycleBreakdown out;
  std::vector<std::pair<int64_t, size_t>> remainders;  // (remainder, cause index)
  int64_t given = 0;
  for (size_t i = 0; i < std::size(kCycleCauses); ++i) {
    const CycleCause c = kCycleCauses[i].cause;
    int64_t sum = 0;
    for (const CycleBreakdown& b : parts) sum += b[c];
    out[c] = sum / n;
    given += out[c];
    remainders.push_back({sum % n, i});
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < cycles && k < remainders.size(); ++k, ++given)
    out[kCycleCauses[remainders[k].second].cause] += 1;
  if (out.sum() != cycles) throw InternalError("attribution: a mean breakdown does not sum to its cycles");
  return out;
}

}  // namespace

CoreView core_view(const Program& program, const std::vector<InstructionRecord>& records, uint32_t core) {
  CoreView v;
  v.program.network = program.network;
  v.program.layers = program.layers;
  v.program.mappings = program.mappings;
  v.program.tensors = program.tensors;
  v.program.residency = program.residency;
  std::vector<int64_t> local(program.instructions.size(), -1);
  for (size_t i = 0; i < program.instructions.size(); ++i) {
    const Instruction& in = program.instructions[i];
    if (in.core != core) continue;
    Instruction c = in;
    local[i] = static_cast<int64_t>(v.program.instructions.size());
    c.id = static_cast<uint32_t>(local[i]);
    c.core = 0;
    for (uint32_t& d : c.deps) {
      if (local.at(d) < 0)
        throw InternalError(fmt::format("attribution: instruction {} depends across cores", i));
      d = static_cast<uint32_t>(local[d]);
    }
    v.program.instructions.push_back(std::move(c));
    v.records.push_back(records.at(i));
  }
  return v;
}

SimResult attribute_cores(const Program& program, const std::vector<InstructionRecord>& records,
                          int64_t total_cycles, double simulated_ns, int64_t array_pes,
                          const std::vector<int64_t>& core_pes, const std::vector<int>& core_class) {
  const auto cores = static_cast<size_t>(program.cores);
  if (core_pes.size() != cores) throw InternalError("attribute_cores: one PE count per core");
  std::vector<CoreView> views;
  std::vector<int64_t> bounds(program.layers.size(), 0);
  size_t last = 0;  // the core that finished last
  int64_t last_end = -1;
  for (size_t c = 0; c < cores; ++c) {
    views.push_back(core_view(program, records, static_cast<uint32_t>(c)));
    const std::vector<int64_t> own = layer_boundaries(views[c].program, views[c].records, total_cycles);
    for (size_t l = 0; l < bounds.size(); ++l) bounds[l] = std::max(bounds[l], own[l]);
    int64_t end = 0;
    for (const InstructionRecord& r : views[c].records) end = std::max(end, r.retire_cycle);
    if (end > last_end) last = c, last_end = end;
  }
  std::vector<SimResult> per_core;
  for (size_t c = 0; c < cores; ++c)
    per_core.push_back(attribute_in_windows(views[c].program, views[c].records, total_cycles, simulated_ns,
                                            core_pes[c], bounds));

  SimResult result =
      attribute_in_windows(views[0].program, views[0].records, total_cycles, simulated_ns, array_pes, bounds);
  for (size_t l = 0; l < program.layers.size(); ++l) {
    LayerStats& ls = result.layers[l];
    std::vector<CycleBreakdown> parts;
    int64_t compute = 0;
    for (size_t c = 0; c < cores; ++c) {
      const LayerStats& cl = per_core[c].layers[l];
      parts.push_back(cl.breakdown);
      compute += cl.compute_cycles;
      if (c > 0) add_counts(ls, cl);
    }
    ls.breakdown = apportioned_mean(parts, ls.cycles);
    ls.critical_path = per_core[last].layers[l].critical_path;
    ls.compute_cycles = compute / static_cast<int64_t>(cores);
    ls.stall_cycles = ls.cycles - ls.compute_cycles;
    ls.utilization = utilization(ls.macs, ls.cycles, array_pes);
  }
  LayerStats total;
  total.name = "total";
  for (const LayerStats& ls : result.layers) add_into(total, ls);
  if (result.layers.empty()) total = result.total;
  total.utilization = utilization(total.macs, total.cycles, array_pes);
  result.total = total;
  // A heterogeneous NPU: each class's actions but class 0's, per layer and over the run.
  const int classes = core_class.empty() ? 1 : *std::max_element(core_class.begin(), core_class.end()) + 1;
  if (classes > 1) {
    result.total.class_actions.assign(static_cast<size_t>(classes - 1), {});
    for (size_t l = 0; l < program.layers.size(); ++l) {
      LayerStats& ls = result.layers[l];
      ls.class_actions.assign(static_cast<size_t>(classes - 1), {});
      for (size_t c = 0; c < cores; ++c) {
        const int k = core_class.at(c);
        if (k == 0) continue;
        ls.class_actions[static_cast<size_t>(k - 1)] += per_core[c].layers[l].actions;
        result.total.class_actions[static_cast<size_t>(k - 1)] += per_core[c].layers[l].actions;
      }
    }
  }
  for (size_t c = 0; c < cores; ++c) result.cores.push_back({static_cast<int64_t>(c), per_core[c].total, {}});
  return result;
}

}  // namespace systole::hw
