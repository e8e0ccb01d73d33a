// Layer pipelining: stages of whole layers, one per core, and the batch's images streamed through
// them (compiler/pipeline.h states the construction).
#include "systole/compiler/pipeline.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/pipeline_links.h"
#include "systole/compiler/pipeline_plan.h"
#include "systole/workload/batch.h"

namespace systole {
namespace {

using lowering::sat_mul;

[[noreturn]] void refuse(const ArchSpec& arch, const Network& net, const std::string& rule) {
  const KeyOrigin at = arch.origin_of("compiler.partition");
  throw ConfigError(Diagnostic{at.file, at.line, "compiler.partition", "pipeline",
                               fmt::format("{} [workload {}]", rule, net.source_path)});
}

// A refusal of a network that does not take another batch (workload/batch.h), saying why.
[[noreturn]] void refuse_batch(const ArchSpec& arch, const Network& net, const WorkloadError& e) {
  const Diagnostic& d = e.diagnostics().front();
  refuse(
      arch, net,
      fmt::format("streams the batch through the cores a few images at a time, and the network does not take "
                  "that: {}{}: {}: use a per-layer strategy (auto, output_channels, spatial, batch)",
                  d.key, d.line > 0 ? fmt::format(" (line {})", d.line) : std::string(), d.rule));
}

// The network's batch, or a refusal saying why.
int64_t batch_of(const ArchSpec& arch, const Network& net) {
  try {
    return network_batch(net);
  } catch (const WorkloadError& e) {
    refuse_batch(arch, net, e);
  }
}

// The network at batch m, or a refusal saying why.
Network at_batch(const ArchSpec& arch, const Network& net, int64_t m) {
  try {
    return with_batch(net, m);
  } catch (const WorkloadError& e) {
    refuse_batch(arch, net, e);
  }
}

// The stages the mapping file gives (user_mapping.h: a layer's stage holds it and the layers after
// it up to the next one given), as layer ranges; nullopt when it gives none. ConfigError at the
// entry when a stage is not below cores.count, goes back, or skips a stage.
std::optional<std::vector<std::pair<size_t, size_t>>> stages_by_hand(const ArchSpec& arch, const Network& net,
                                                                     const UserMapping* mapping) {
  if (mapping == nullptr || mapping->stages.empty()) return std::nullopt;
  std::vector<std::pair<size_t, size_t>> ranges{{0, 0}};
  for (size_t l = 0; l < net.layers.size(); ++l) {
    const auto it = mapping->stages.find(net.layers[l].name);
    if (it != mapping->stages.end()) {
      const UserStage& u = it->second;
      const int64_t current = static_cast<int64_t>(ranges.size()) - 1;
      auto refuse_stage = [&](const std::string& rule) {
        throw ConfigError(Diagnostic{mapping->path, u.line, "layers." + net.layers[l].name + ".stage",
                                     std::to_string(u.stage), rule});
      };
      if (u.stage >= arch.cores.count) {
        refuse_stage(fmt::format("must be below cores.count ({}): stage s runs on core s", arch.cores.count));
      }
      if (u.stage < current) {
        refuse_stage(fmt::format(
            "goes back: stages follow the layer order, and a layer before it is in stage {}", current));
      }
      if (u.stage > current + 1 || (l == 0 && u.stage > 0)) {
        refuse_stage(fmt::format("skips stage {}: every stage from 0 to the last one given needs a layer",
                                 l == 0 ? 0 : current + 1));
      }
      if (u.stage == current + 1 && l > 0) ranges.push_back({l, l});
    }
    ranges.back().second = l;
  }
  return ranges;
}

// The divisors of n, ascending.
std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t d = 1; d <= n; ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

// Moves a step's DRAM addresses (its program's, compiled at the step's batch) into step b's slice
// of the whole batch's tensors; weights (the same size in both) stay where they are.
class Relocation {
 public:
  Relocation(const std::vector<TensorPlacement>& one, const std::vector<TensorPlacement>& batch, int64_t n) {
    std::map<std::string, const TensorPlacement*> by_name;
    for (const TensorPlacement& t : batch) by_name[t.name] = &t;
    for (const TensorPlacement& t : one) {
      if (t.bytes == 0) continue;
      const auto it = by_name.find(t.name);
      if (it == by_name.end())
        throw InternalError(fmt::format("pipeline: tensor '{}' has no batch placement", t.name));
      const uint64_t big = it->second->bytes;
      if (big != t.bytes && big != t.bytes * static_cast<uint64_t>(n)) {
        throw InternalError(fmt::format("pipeline: tensor '{}' is {} B for {} steps and {} B for one", t.name,
                                        big, n, t.bytes));
      }
      m_regions.push_back({t.dram_addr, t.bytes, it->second->dram_addr, big != t.bytes});
    }
    std::sort(m_regions.begin(), m_regions.end(),
              [](const Region& a, const Region& b) { return a.addr < b.addr; });
  }

  // The address of [addr, addr + extent) in step `step`.
  uint64_t operator()(uint64_t addr, uint64_t extent, int64_t step) const {
    auto it = std::upper_bound(m_regions.begin(), m_regions.end(), addr,
                               [](uint64_t a, const Region& r) { return a < r.addr; });
    if (it == m_regions.begin())
      throw InternalError(fmt::format("pipeline: DRAM address {:#x} in no tensor", addr));
    --it;
    if (addr + extent > it->addr + it->bytes) {
      throw InternalError(fmt::format("pipeline: DRAM range {:#x}+{} leaves its tensor at {:#x}+{}", addr,
                                      extent, it->addr, it->bytes));
    }
    return it->home + (it->per_step ? static_cast<uint64_t>(step) * it->bytes : 0) + (addr - it->addr);
  }

  void relocate(DmaDescriptor* d, int64_t step) const {
    if (d->bytes() == 0) return;
    const uint64_t extent =
        (d->planes - 1) * d->plane_stride_bytes + (d->rows - 1) * d->row_stride_bytes + d->row_bytes;
    d->dram_addr = (*this)(d->dram_addr, extent, step);
    if (d->indexed) d->table_addr = (*this)(d->table_addr, d->table_rows * d->row_bytes, step);
  }

 private:
  struct Region {
    uint64_t addr = 0, bytes = 0;  // in a step's program
    uint64_t home = 0;             // the batch's tensor
    bool per_step = false;         // an activation (else shared: weights)
  };
  std::vector<Region> m_regions;
};

std::string layer_range(const Network& net, std::pair<size_t, size_t> r) {
  return r.first == r.second
             ? fmt::format("layer {}", net.layers[r.first].name)
             : fmt::format("layers {}..{}", net.layers[r.first].name, net.layers[r.second].name);
}

}  // namespace

Program compile_pipelined(const ArchSpec& arch, const Network& net, const UserMapping* mapping,
                          const EnergyPrices* prices) {
  if (arch.cores.count < 2) {
    refuse(arch, net,
           "gives each core its own layers, and cores.count is 1: raise cores.count or leave it out");
  }
  if (mapping != nullptr && !mapping->partitions.empty()) {
    const auto& [name, u] = *mapping->partitions.begin();
    throw ConfigError(
        Diagnostic{mapping->path, u.line, "layers." + name + ".partition", u.strategy,
                   "shares one layer among the cores, and compiler.partition: pipeline gives each core "
                   "whole layers: leave the layer's partition out, or choose another compiler.partition"});
  }
  if (net.layers.empty()) refuse(arch, net, "gives each core its own layers, and the network has none");
  if (arch.compiler.resident_kib > 0) {
    const KeyOrigin at = arch.origin_of("compiler.resident_kib");
    throw ConfigError(
        Diagnostic{at.file, at.line, "compiler.resident_kib", std::to_string(arch.compiler.resident_kib),
                   "sizes the on-chip tensor store of one core; under compiler.partition: pipeline the "
                   "compiler sizes each core's region for the activations passed to it (docs/multicore.md "
                   "\"On-chip activations\"): leave it out or 0"});
  }
  const int64_t n = batch_of(arch, net);
  const std::vector<int> core_class = core_classes(arch);
  const std::optional<std::vector<std::pair<size_t, size_t>>> hand = stages_by_hand(arch, net, mapping);

  // The micro-batch: the one given, or the divisor of the batch with the smallest estimate (ties:
  // the smaller).
  const int64_t given = arch.compiler.pipeline_microbatch;
  if (given > 0 && n % given != 0) {
    const KeyOrigin at = arch.origin_of("compiler.pipeline_microbatch");
    throw ConfigError(Diagnostic{at.file, at.line, "compiler.pipeline_microbatch", std::to_string(given),
                                 fmt::format("must divide the batch of {} images [workload {}]: one of {}", n,
                                             net.source_path, fmt::join(divisors(n), ", "))});
  }
  std::optional<pipeline::StagePlan> best;
  std::string tried;
  for (const int64_t m : given > 0 ? std::vector<int64_t>{given} : divisors(n)) {
    // Under auto, a step too large to compile (over the program's instruction limit) ends the
    // search, as every larger step would be too: the smaller ones are the candidates. A step
    // that fails for another reason fails every size.
    std::optional<pipeline::StagePlan> p;
    try {
      p = pipeline::plan_stages(arch, net, at_batch(arch, net, m), n, m, core_class, mapping, prices,
                                hand ? &*hand : nullptr);
    } catch (const WorkloadError& e) {
      if (given > 0 || !best) throw;
      tried += fmt::format("; {}: over the instruction limit, and so every larger step", m);
      break;
    }
    tried += fmt::format("{}{}: ~{} cycles", tried.empty() ? "" : "; ", m, p->estimate);
    if (!best || p->estimate < best->estimate) best = std::move(p);
  }
  const pipeline::StagePlan& plan = *best;
  const int64_t micro = plan.micro, steps = n / micro;
  const std::string micro_choice = given > 0 ? fmt::format("compiler.pipeline_microbatch = {}", given)
                                             : fmt::format("auto, estimates by images per step: {}", tried);
  auto class_of = [&core_class](size_t core) { return core_class.at(core); };
  const std::vector<std::pair<size_t, size_t>>& ranges = plan.ranges;
  const size_t stages = ranges.size();

  // Per stage: its core's micro-batch instructions, in order.
  std::vector<std::vector<uint32_t>> stage_insts(stages);
  int64_t per_step = 0;
  for (size_t s = 0; s < stages; ++s) {
    const Program& p = plan.classes.at(class_of(s)).program;
    for (const Instruction& in : p.instructions) {
      if (in.layer >= ranges[s].first && in.layer <= ranges[s].second) stage_insts[s].push_back(in.id);
    }
    per_step += static_cast<int64_t>(stage_insts[s].size()) + 2;
  }
  if (per_step > 0 && steps > kMaxProgramInstructions / per_step) {
    throw WorkloadError(Diagnostic{
        net.source_path, 0, "inputs", fmt::format("batch {}", n),
        fmt::format(
            "the pipelined program would hold {} instructions per step of {} image{} for {} steps, over "
            "the program limit of {} instructions (docs/compiler.md \"Limits\"): a smaller batch, more "
            "images per step (compiler.pipeline_microbatch), or a per-layer compiler.partition",
            per_step, micro, micro == 1 ? "" : "s", steps, kMaxProgramInstructions)});
  }

  Program prog;
  prog.network = net.name;
  prog.cores = arch.cores.count;
  const lowering::MemoryPlan memory = lowering::plan_memory(arch, net);
  prog.tensors = memory.tensors;
  std::map<int, Relocation> relocations;
  for (const auto& [k, cp] : plan.classes)
    relocations.emplace(k, Relocation(cp.program.tensors, prog.tensors, steps));
  // The links (compiler/pipeline_links.h): per class, where its program keeps them, and per stage
  // the first scratchpad address of its incoming slots (the top of its tensor store, as reserved).
  const lowering::LinkPlan& links = plan.links;
  std::map<int, lowering::LinkIndex> link_index;
  for (const auto& [k, cp] : plan.classes)
    link_index.emplace(k, lowering::LinkIndex(links, cp.program.tensors));
  std::vector<uint64_t> slots_base(stages, 0);
  for (size_t s = 0; s < stages; ++s) {
    const ScratchpadParams& store = arch.core_of(static_cast<int64_t>(s)).scratchpads.of(kTensorStore);
    const auto r = plan.reserve_kib.find(class_of(s));
    slots_base[s] =
        static_cast<uint64_t>(store.capacity_bytes() - (r == plan.reserve_kib.end() ? 0 : r->second * 1024));
  }
  auto receives = [&links](size_t s) { return !links.empty() && links.slot_bytes[s] > 0; };

  // The stream: step by step, stage by stage.
  std::vector<int64_t> last_of_core(stages, -1);  // each core's previous step's closing SYNC
  std::vector<int64_t> local;
  for (int64_t b = 0; b < steps; ++b) {
    for (size_t s = 0; s < stages; ++s) {
      const Program& p = plan.classes.at(class_of(s)).program;
      const Relocation& reloc = relocations.at(class_of(s));
      const lowering::LinkIndex& index = link_index.at(class_of(s));
      const auto core = static_cast<uint32_t>(s);
      auto emit = [&prog, core](uint32_t layer, std::vector<uint32_t> deps,
                                decltype(Instruction::payload) payload, Opcode op) {
        Instruction in;
        in.id = static_cast<uint32_t>(prog.instructions.size());
        in.op = op;
        in.layer = layer;
        in.core = core;
        in.deps = std::move(deps);
        in.payload = std::move(payload);
        prog.instructions.push_back(std::move(in));
        return prog.instructions.back().id;
      };
      std::vector<uint32_t> after_previous;
      if (last_of_core[s] >= 0) after_previous.push_back(static_cast<uint32_t>(last_of_core[s]));
      int64_t gate = last_of_core[s];
      if (s > 0) {
        SyncOp wait;
        wait.wait_core = static_cast<int32_t>(s - 1);
        wait.token = b;
        gate = emit(static_cast<uint32_t>(ranges[s].first), after_previous, wait, Opcode::kSync);
      }
      // Before writing step b's slot on core s + 1, wait until that core has finished step b - 2,
      // the slot's last reader (its credit signal).
      int64_t credit = -1;
      if (s + 1 < stages && receives(s + 1) && b >= 2) {
        SyncOp wait;
        wait.wait_core = static_cast<int32_t>(s + 1);
        wait.token = b - 2;
        credit = emit(static_cast<uint32_t>(ranges[s].second), after_previous, wait, Opcode::kSync);
      }
      local.assign(p.instructions.size(), -1);
      const size_t first = prog.instructions.size();
      std::vector<bool> depended;
      for (const uint32_t id : stage_insts[s]) {
        Instruction in = p.instructions[id];
        std::vector<uint32_t> deps;
        for (const uint32_t d : in.deps) {
          if (local[d] >= 0) deps.push_back(static_cast<uint32_t>(local[d]));
        }
        if (deps.empty() && gate >= 0) deps.push_back(static_cast<uint32_t>(gate));
        for (const uint32_t d : deps) {
          if (d >= first) depended[d - first] = true;
        }
        if (auto* dma = std::get_if<DmaDescriptor>(&in.payload); dma != nullptr && dma->bytes() > 0) {
          const lowering::Transfer t = lowering::transfer_of(index, *dma);
          if (t.kind == lowering::Transfer::Kind::kLink) {
            const lowering::StageLink& link = links.links[t.link];
            const size_t to = link.from + 1;
            const bool store = in.op == Opcode::kStore;
            if ((store && link.from != s) || (!store && to != s)) {
              throw InternalError(
                  fmt::format("pipeline: stage {} moves link '{}' from stage {}", s, link.tensor, link.from));
            }
            dma->on_chip = true;
            dma->store_addr =
                slots_base[to] + static_cast<uint64_t>(b % 2) * links.slot_bytes[to] + link.offset + t.offset;
            if (store) {
              dma->store_core = static_cast<int32_t>(to);
              if (credit >= 0) deps.push_back(static_cast<uint32_t>(credit));
            }
          } else if (t.kind == lowering::Transfer::Kind::kDram) {  // resident in the step program, but it
                                                                   // crosses stages
            dma->on_chip = false;
            dma->store_addr = 0;
          }
          reloc.relocate(dma, b);
        }
        local[id] = emit(in.layer, std::move(deps), std::move(in.payload), in.op);
        depended.push_back(false);
      }
      std::vector<uint32_t> sinks;
      for (size_t i = 0; i < depended.size(); ++i) {
        if (!depended[i]) sinks.push_back(static_cast<uint32_t>(first + i));
      }
      if (sinks.empty() && gate >= 0) sinks.push_back(static_cast<uint32_t>(gate));
      SyncOp close;
      if (s + 1 < stages) {
        close.signal_core = static_cast<int32_t>(s + 1);
        close.token = b;
      }
      std::vector<uint32_t> done = sinks;
      last_of_core[s] = emit(static_cast<uint32_t>(ranges[s].second), std::move(sinks), close, Opcode::kSync);
      if (receives(s) && b + 2 < steps) {  // the credit for core s - 1's step b + 2
        SyncOp credit_back;
        credit_back.signal_core = static_cast<int32_t>(s - 1);
        credit_back.token = b;
        emit(static_cast<uint32_t>(ranges[s].second), std::move(done), credit_back, Opcode::kSync);
      }
    }
  }

  // Layers and records: each from the class that runs it, its counts for the whole batch.
  std::string estimates;
  for (size_t s = 0; s < stages; ++s)
    estimates += fmt::format("{}{}", s == 0 ? "" : " | ", plan.stage_cycles[s]);
  const auto slowest = static_cast<size_t>(
      std::max_element(plan.stage_cycles.begin(), plan.stage_cycles.end()) - plan.stage_cycles.begin());
  for (size_t s = 0; s < stages; ++s) {
    const Program& p = plan.classes.at(class_of(s)).program;
    for (size_t l = ranges[s].first; l <= ranges[s].second; ++l) {
      ProgramLayer pl = p.layers.at(l);
      pl.macs = sat_mul(pl.macs, steps);
      pl.vector_ops = sat_mul(pl.vector_ops, steps);
      prog.layers.push_back(pl);
      MappingRecord rec = p.mappings.at(l);
      rec.tiles = sat_mul(rec.tiles, steps);
      rec.folds = sat_mul(rec.folds, steps);
      rec.estimated_dram_bytes = sat_mul(rec.estimated_dram_bytes, steps);
      rec.partition = "pipeline";
      rec.split = fmt::format("stage {} of {} on core {}: {}; {} step{} of {} image{}", s, stages, s,
                              layer_range(net, ranges[s]), steps, steps == 1 ? "" : "s", micro,
                              micro == 1 ? "" : "s");
      rec.partition_reason = fmt::format(
          "compiler.partition pipeline: stages of whole layers, {} (stages ~{} cycles{}); {} image{} per "
          "step "
          "({}); the GEMM and tiling are one step's",
          plan.by_hand ? "as the mapping file " + mapping->path + " gives them"
                       : std::string("cut to minimise the largest stage's estimate per step"),
          estimates, stages > 1 ? fmt::format(", stage {} the slowest", slowest) : std::string(), micro,
          micro == 1 ? "" : "s", micro_choice);
      // The layer's output: a link's tensor or one that crosses stages (or a view of one, or a fused
      // activation's), or its stage's own, which lives where its step program put it.
      const lowering::LinkIndex& index = link_index.at(class_of(s));
      std::optional<size_t> in_link;
      bool crosses = false;
      for (const TensorPlacement& t : p.tensors) {
        if (t.name != net.layers[l].name || t.bytes == 0) continue;
        if (const auto hit = index.find(t.dram_addr, 1)) in_link = hit->first;
        crosses = index.crosses(t.dram_addr);
      }
      const auto why = links.reasons.find(net.layers[l].name);
      if (why != links.reasons.end()) {
        rec.residency = why->second;
      } else if (in_link) {
        const std::string& root = links.links[*in_link].tensor;
        rec.residency = fmt::format("on chip: a view of {}, {}", root,
                                    links.reasons.at(root).substr(std::string("on chip: ").size()));
      } else if (crosses) {
        rec.residency =
            "DRAM: a view of a tensor that crosses stages (under compiler.partition pipeline only a "
            "tensor passed from one stage to the next is on chip between stages)";
      }  // else: its stage's own tensor, as its step program's residency placed it
      prog.mappings.push_back(std::move(rec));
    }
  }
  // The store: per core class, its step program's own (a stage's own tensors) below the links'
  // region.
  prog.residency.mode = to_string(arch.compiler.residency);
  prog.residency.scratchpad = arch.core.scratchpads.name_of(kTensorStore);
  std::string own;
  for (const auto& [k, cp] : plan.classes) {
    const ResidencySummary& r = cp.program.residency;
    const auto links_kib = plan.reserve_kib.count(k) > 0 ? plan.reserve_kib.at(k) : 0;
    prog.residency.reserved_bytes =
        std::max(prog.residency.reserved_bytes, r.reserved_bytes + links_kib * 1024);
    prog.residency.peak_live_bytes = std::max(prog.residency.peak_live_bytes, r.peak_live_bytes);
    if (r.reserved_bytes > 0 || links_kib > 0) {  // the step program's store lies just below the links'
      prog.residency.store_base = prog.residency.store_base == 0
                                      ? r.store_base
                                      : std::min<uint64_t>(prog.residency.store_base, r.store_base);
    }
    if (plan.own == Residency::kAuto)
      own += fmt::format("{}{}", own.empty() ? "" : "; ",
                         plan.classes.size() > 1 ? fmt::format("core class {}: {}", k, r.choice) : r.choice);
  }
  own = plan.own == Residency::kAuto ? plan.own_choice + ": " + own : plan.own_choice;
  for (const MappingRecord& r : prog.mappings) {
    if (r.residency.rfind("on chip", 0) == 0) ++prog.residency.resident_tensors;
  }
  prog.residency.choice =
      fmt::format("a stage's own tensors: {}; between stages (links): {}", own, plan.link_choice);
  return prog;
}

}  // namespace systole
