#include "systole/stats/attribution.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::hw {
namespace {

bool is_compute(Opcode op) {
  return op == Opcode::kMatmul || op == Opcode::kVector;
}

void check_shapes(const Program& program, const std::vector<InstructionRecord>& records) {
  if (records.size() != program.instructions.size()) {
    throw InternalError(fmt::format("attribution: {} records for {} instructions", records.size(),
                                    program.instructions.size()));
  }
  for (const Instruction& inst : program.instructions) {
    if (inst.layer >= program.layers.size()) {
      throw InternalError(fmt::format("attribution: instruction {} names layer {} of {}", inst.id, inst.layer,
                                      program.layers.size()));
    }
  }
}

// Union of the closed-form work intervals [start, start + cycles), sorted and disjoint.
std::vector<std::pair<int64_t, int64_t>> merged_work(const Program& program,
                                                     const std::vector<InstructionRecord>& records) {
  std::vector<std::pair<int64_t, int64_t>> spans;
  for (size_t i = 0; i < records.size(); ++i) {
    if (is_compute(program.instructions[i].op) && records[i].work_cycles > 0) {
      spans.emplace_back(records[i].work_start_cycle, records[i].work_start_cycle + records[i].work_cycles);
    }
  }
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (const auto& s : spans) {
    if (!merged.empty() && s.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, s.second);
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

int64_t overlap(const std::vector<std::pair<int64_t, int64_t>>& merged, int64_t begin, int64_t end) {
  int64_t sum = 0;
  // First interval that ends after `begin`.
  auto it = std::lower_bound(merged.begin(), merged.end(), begin,
                             [](const std::pair<int64_t, int64_t>& s, int64_t b) { return s.second <= b; });
  for (; it != merged.end() && it->first < end; ++it) {
    sum += std::min(it->second, end) - std::max(it->first, begin);
  }
  return sum;
}

}  // namespace

double utilization(int64_t macs, int64_t cycles, int64_t pes) {
  return cycles > 0 && pes > 0 ? static_cast<double>(macs) / (static_cast<double>(cycles) * pes) : 0.0;
}

void add_into(LayerStats& dst, const LayerStats& src) {
  dst.cycles += src.cycles;
  dst.compute_cycles += src.compute_cycles;
  dst.stall_cycles += src.stall_cycles;
  for (const CycleCauseInfo& c : kCycleCauses) {
    dst.breakdown[c.cause] += src.breakdown[c.cause];
    dst.critical_path[c.cause] += src.critical_path[c.cause];
  }
  add_counts(dst, src);
}

void add_counts(LayerStats& dst, const LayerStats& src) {
  dst.macs += src.macs;
  dst.vector_ops += src.vector_ops;
  dst.sram_reads_bytes += src.sram_reads_bytes;
  dst.sram_writes_bytes += src.sram_writes_bytes;
  dst.dram_reads_bytes += src.dram_reads_bytes;
  dst.dram_writes_bytes += src.dram_writes_bytes;
  dst.on_chip_bytes += src.on_chip_bytes;
  dst.array_busy_cycles += src.array_busy_cycles;
  dst.vector_busy_cycles += src.vector_busy_cycles;
  dst.dma_busy_cycles += src.dma_busy_cycles;
  dst.instructions += src.instructions;
  dst.actions += src.actions;
}

std::vector<int64_t> layer_boundaries(const Program& program, const std::vector<InstructionRecord>& records,
                                      int64_t total_cycles) {
  check_shapes(program, records);
  std::vector<int64_t> last_retire(program.layers.size(), -1);  // of compute instructions
  std::vector<int64_t> last_any(program.layers.size(), -1);     // of any instruction
  for (size_t i = 0; i < records.size(); ++i) {
    const Instruction& inst = program.instructions[i];
    if (records[i].retire_cycle > total_cycles) {
      throw InternalError(fmt::format("attribution: instruction {} retires at cycle {} after the end ({})",
                                      inst.id, records[i].retire_cycle, total_cycles));
    }
    if (is_compute(inst.op))
      last_retire[inst.layer] = std::max(last_retire[inst.layer], records[i].retire_cycle);
    last_any[inst.layer] = std::max(last_any[inst.layer], records[i].retire_cycle);
  }
  std::vector<int64_t> bounds(program.layers.size(), 0);
  int64_t prev = 0;
  for (size_t l = 0; l < bounds.size(); ++l) {
    // A layer that only moves data (concat, split, gather: LOADs and STOREs) ends with its last
    // instruction; a layer with compute instructions with its last of those.
    const int64_t end = last_retire[l] >= 0 ? last_retire[l] : last_any[l];
    prev = std::max(prev, l + 1 == bounds.size() ? total_cycles : end);
    bounds[l] = prev;
  }
  return bounds;
}

int64_t compute_cycles_in(const Program& program, const std::vector<InstructionRecord>& records,
                          int64_t begin, int64_t end) {
  check_shapes(program, records);
  return overlap(merged_work(program, records), begin, end);
}

SimResult attribute(const Program& program, const std::vector<InstructionRecord>& records,
                    int64_t total_cycles, double simulated_ns, int64_t array_pes,
                    const std::vector<int64_t>& core_pes, const std::vector<int>& core_class) {
  if (program.cores > 1) {
    return attribute_cores(
        program, records, total_cycles, simulated_ns, array_pes,
        core_pes.empty() ? std::vector<int64_t>(static_cast<size_t>(program.cores), array_pes / program.cores)
                         : core_pes,
        core_class);
  }
  return attribute_in_windows(program, records, total_cycles, simulated_ns, array_pes,
                              layer_boundaries(program, records, total_cycles));
}

SimResult attribute_in_windows(const Program& program, const std::vector<InstructionRecord>& records,
                               int64_t total_cycles, double simulated_ns, int64_t array_pes,
                               const std::vector<int64_t>& bounds) {
  if (bounds.size() != program.layers.size())
    throw InternalError("attribution: one layer boundary per layer expected");
  const auto merged = merged_work(program, records);
  const std::vector<CauseSpan> causes = cycle_causes(program, records, total_cycles);
  const std::vector<CauseSpan> path_causes = critical_path_causes(program, records, total_cycles);
  const std::vector<CycleBreakdown> breakdowns = breakdown_by_window(causes, bounds);
  const std::vector<CycleBreakdown> path_breakdowns = breakdown_by_window(path_causes, bounds);

  SimResult result;
  result.layers.resize(program.layers.size());
  for (size_t l = 0; l < program.layers.size(); ++l) {
    LayerStats& ls = result.layers[l];
    ls.name = program.layers[l].name;
    ls.type = program.layers[l].type;
    const int64_t begin = l == 0 ? 0 : bounds[l - 1];
    ls.cycles = bounds[l] - begin;
    ls.compute_cycles = overlap(merged, begin, bounds[l]);
    ls.stall_cycles = ls.cycles - ls.compute_cycles;
    ls.breakdown = breakdowns[l];
    ls.critical_path = path_breakdowns[l];
    if (ls.breakdown.sum() != ls.cycles || ls.critical_path.sum() != ls.cycles) {
      throw InternalError(fmt::format(
          "attribution: layer {} has {} cycles but {} attributed to causes ({} along the critical path)",
          ls.name, ls.cycles, ls.breakdown.sum(), ls.critical_path.sum()));
    }
  }
  for (size_t i = 0; i < records.size(); ++i) {
    const Instruction& inst = program.instructions[i];
    const InstructionRecord& r = records[i];
    LayerStats& ls = result.layers[inst.layer];
    ls.macs += r.macs;
    ls.vector_ops += r.vector_ops;
    ls.sram_reads_bytes += r.sram_read_bytes;
    ls.sram_writes_bytes += r.sram_write_bytes;
    ls.dram_reads_bytes += r.dram_read_bytes;
    ls.dram_writes_bytes += r.dram_write_bytes;
    if (const auto* d = std::get_if<DmaDescriptor>(&inst.payload); d != nullptr && d->on_chip) {
      ls.on_chip_bytes += static_cast<int64_t>(d->bytes());
    }
    ls.instructions += 1;
    ls.actions += r.actions;
    switch (inst.op) {
      case Opcode::kMatmul:
        ls.array_busy_cycles += r.busy_cycles;
        break;
      case Opcode::kVector:
        ls.vector_busy_cycles += r.busy_cycles;
        break;
      case Opcode::kLoad:
      case Opcode::kStore:
        ls.dma_busy_cycles += r.busy_cycles;
        break;
      case Opcode::kSync:
        break;
    }
  }
  result.total.name = "total";
  for (LayerStats& ls : result.layers) {
    ls.utilization = utilization(ls.macs, ls.cycles, array_pes);
    add_into(result.total, ls);
  }
  if (result.layers.empty()) {
    // No layer to carry the time: the total still covers the run.
    result.total.cycles = total_cycles;
    result.total.compute_cycles = overlap(merged, 0, total_cycles);
    result.total.stall_cycles = total_cycles - result.total.compute_cycles;
    result.total.breakdown = breakdown_by_window(causes, {total_cycles}).front();
    result.total.critical_path = breakdown_by_window(path_causes, {total_cycles}).front();
  }
  result.total.utilization = utilization(result.total.macs, result.total.cycles, array_pes);
  result.total_cycles = total_cycles;
  result.simulated_ns = simulated_ns;
  return result;
}

}  // namespace systole::hw
