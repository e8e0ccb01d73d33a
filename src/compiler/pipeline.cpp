// Layer pipelining: stages of whole layers, one per core, and the batch's images streamed through
// them (compiler/pipeline.h states the construction).
#include "systole/compiler/pipeline.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/int_math.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/pipeline_links.h"
#include "systole/compiler/residency.h"
#include "systole/workload/batch.h"

namespace systole {
namespace {

using lowering::sat_add;
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

// The divisors of n, ascending.
std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t d = 1; d <= n; ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

// One core class's compilation of a micro-batch.
struct ClassProgram {
  Program program;
  std::vector<int64_t> layer_cycles;      // estimate_program's, per layer
  std::vector<int64_t> layer_dram_bytes;  // estimate_program's, per layer
};

// Stages as contiguous layer ranges [first, last], one per core 0..S-1, minimising the largest
// stage estimate (cost[s][l]: layer l's estimate on core s). DP over (stage, layers taken).
std::vector<std::pair<size_t, size_t>> choose_stages(const std::vector<std::vector<int64_t>>& cost) {
  const size_t stages = cost.size(), layers = cost.front().size();
  std::vector<std::vector<int64_t>> prefix(stages, std::vector<int64_t>(layers + 1, 0));
  for (size_t s = 0; s < stages; ++s) {
    for (size_t l = 0; l < layers; ++l) prefix[s][l + 1] = sat_add(prefix[s][l], cost[s][l]);
  }
  constexpr int64_t kInf = std::numeric_limits<int64_t>::max();
  // best[s][j]: the smallest bottleneck of stages 0..s over layers [0, j); cut[s][j]: stage s's first layer.
  std::vector<std::vector<int64_t>> best(stages, std::vector<int64_t>(layers + 1, kInf));
  std::vector<std::vector<size_t>> cut(stages, std::vector<size_t>(layers + 1, 0));
  for (size_t j = 1; j <= layers; ++j) best[0][j] = prefix[0][j];
  for (size_t s = 1; s < stages; ++s) {
    for (size_t j = s + 1; j <= layers; ++j) {
      for (size_t i = s; i < j; ++i) {
        if (best[s - 1][i] == kInf) continue;
        const int64_t v = std::max(best[s - 1][i], prefix[s][j] - prefix[s][i]);
        if (v < best[s][j]) best[s][j] = v, cut[s][j] = i;
      }
    }
  }
  std::vector<std::pair<size_t, size_t>> out(stages);
  size_t j = layers;
  for (size_t s = stages; s-- > 0;) {
    const size_t i = s == 0 ? 0 : cut[s][j];
    out[s] = {i, j - 1};
    j = i;
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

// The stages for micro-batches of `micro` images: each core class's program of a micro-batch, the
// stage cut, the links passed on chip, and the estimate of the whole batch of n images:
//   max(sum of the stage estimates + (steps - 1) x the largest, steps x DRAM bytes / DRAM bytes
//       per cycle)  with steps = n / micro,
// the pipeline's fill plus one bottleneck stage per further step, or the DRAM the cores share.
struct StagePlan {
  int64_t micro = 1;
  std::map<int, ClassProgram> classes;
  std::vector<std::pair<size_t, size_t>> ranges;  // per stage: its first and last layer
  std::vector<int64_t> stage_cycles;              // per stage: its estimate per micro-batch
  int64_t estimate = 0;
  lowering::LinkPlan links;            // the tensors passed core to core on chip (none: all through DRAM)
  std::map<int, int64_t> reserve_kib;  // per core class: KiB of its tensor store kept for incoming links
  std::string link_choice;             // why these links (or none), for the records
};

// Each core class's step program (at the batch of `part`) with reserve_kib[k] KiB at the top of its
// tensor-store scratchpad kept out of the working buffers, and its layer estimates with the
// transfers of `links` on chip.
std::map<int, ClassProgram> compile_classes(const ArchSpec& arch, const Network& part,
                                            const std::vector<int>& core_class, const UserMapping* mapping,
                                            const EnergyPrices* prices,
                                            const std::map<int, int64_t>& reserve_kib,
                                            const lowering::LinkPlan& links) {
  std::map<int, ClassProgram> out;
  for (int64_t c = 0; c < arch.cores.count; ++c) {
    const int k = core_class.at(static_cast<size_t>(c));
    if (out.count(k) > 0) continue;
    ArchSpec single = arch;
    single.core = arch.core_of(c);
    single.cores = CoresParams{};
    single.compiler.partition = PartitionChoice::kAuto;
    single.compiler.pipeline_microbatch = 0;
    single.compiler.residency = Residency::kOff;
    single.compiler.resident_kib = 0;
    if (const auto r = reserve_kib.find(k); r != reserve_kib.end())
      single.core.scratchpads.declare(single.core.scratchpads.name_of(kTensorStore)).capacity_kib -=
          r->second;
    const EnergyPrices class_prices = prices != nullptr ? prices->of_class(k) : EnergyPrices{};
    ClassProgram cp;
    cp.program = compile(single, part, mapping, prices != nullptr ? &class_prices : nullptr);
    Program marked = cp.program;  // the links' transfers on chip, for the estimate only
    if (!links.empty()) {
      const lowering::LinkIndex index(links, marked.tensors);
      for (Instruction& in : marked.instructions) {
        auto* d = std::get_if<DmaDescriptor>(&in.payload);
        if (d != nullptr && d->bytes() > 0 && index.find(d->dram_addr, lowering::dma_extent(*d)))
          d->on_chip = true;
      }
    }
    const lowering::ProgramEstimate e = lowering::estimate_program(single, marked);
    cp.layer_cycles = e.layer_cycles;
    cp.layer_dram_bytes = e.layer_dram_bytes;
    cp.layer_cycles.resize(part.layers.size(), 0);
    cp.layer_dram_bytes.resize(part.layers.size(), 0);
    out.emplace(k, std::move(cp));
  }
  return out;
}

// The stage cut of plan (its classes compiled): ranges.
void cut_stages(const ArchSpec& arch, const Network& net, const std::vector<int>& core_class,
                StagePlan* plan) {
  auto class_of = [&core_class](size_t core) { return core_class.at(core); };
  // The stages are cut among the layers that emit instructions; a layer that emits none (a view,
  // a fused activation) joins the stage of the layer before it (the first stage when none is).
  std::vector<size_t> work;
  for (const Instruction& in : plan->classes.at(class_of(0)).program.instructions) {
    if (work.empty() || work.back() != in.layer) work.push_back(in.layer);
  }
  const size_t stages = std::max<size_t>(1, std::min(static_cast<size_t>(arch.cores.count), work.size()));
  plan->ranges = {{0, net.layers.size() - 1}};
  if (stages > 1) {
    std::vector<std::vector<int64_t>> cost(stages);
    for (size_t s = 0; s < stages; ++s) {
      for (const size_t l : work) cost[s].push_back(plan->classes.at(class_of(s)).layer_cycles[l]);
    }
    const std::vector<std::pair<size_t, size_t>> cut = choose_stages(cost);
    plan->ranges.assign(stages, {});
    for (size_t s = 0; s < stages; ++s) {
      plan->ranges[s].first = s == 0 ? 0 : work[cut[s].first];
      plan->ranges[s].second = s + 1 == stages ? net.layers.size() - 1 : work[cut[s + 1].first] - 1;
    }
  }
}

// The stage estimates and the whole batch's (above) of plan (classes and ranges set).
void estimate_stages(const ArchSpec& arch, int64_t n, const std::vector<int>& core_class, StagePlan* plan) {
  int64_t dram_bytes = 0, fill = 0;
  plan->stage_cycles.clear();
  for (size_t s = 0; s < plan->ranges.size(); ++s) {
    int64_t sum = 0;
    const ClassProgram& cp = plan->classes.at(core_class.at(s));
    for (size_t l = plan->ranges[s].first; l <= plan->ranges[s].second; ++l) {
      sum = sat_add(sum, cp.layer_cycles[l]);
      dram_bytes = sat_add(dram_bytes, cp.layer_dram_bytes[l]);
    }
    plan->stage_cycles.push_back(sum);
    fill = sat_add(fill, sum);
  }
  const int64_t steps = n / plan->micro;
  const int64_t bottleneck = *std::max_element(plan->stage_cycles.begin(), plan->stage_cycles.end());
  plan->estimate = sat_add(fill, sat_mul(steps - 1, bottleneck));
  const double dram_bpc = arch.dram.planning_bandwidth_gbps() * 1000.0 / arch.core.clock_mhz;
  if (dram_bpc > 0.0) {
    const double dram = static_cast<double>(steps) * static_cast<double>(dram_bytes) / dram_bpc;
    if (dram > static_cast<double>(plan->estimate)) {
      plan->estimate = dram >= 9.0e18 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(dram);
    }
  }
}

// Passes the tensors that one stage writes and only the next reads core to core on chip
// (compiler/pipeline_links.h) when the estimate says so: the working buffers of each receiving
// core class lose the region its links need, so every class is compiled again with it; the plan
// with the smaller estimate stays (ties: on chip, which saves DRAM traffic). The stage cut is
// the DRAM plan's.
void choose_links(const ArchSpec& arch, const Network& part, int64_t n, const std::vector<int>& core_class,
                  const UserMapping* mapping, const EnergyPrices* prices, StagePlan* plan) {
  if (arch.compiler.residency == Residency::kOff) {
    plan->link_choice = "none: compiler.residency is off, so every tensor passes through DRAM";
    return;
  }
  std::vector<lowering::LinkStage> stages;
  for (size_t s = 0; s < plan->ranges.size(); ++s) {
    const ScratchpadParams& store = arch.core_of(static_cast<int64_t>(s)).scratchpads.of(kTensorStore);
    stages.push_back({&plan->classes.at(core_class.at(s)).program, plan->ranges[s].first,
                      plan->ranges[s].second, store.capacity_bytes(),
                      std::max<int64_t>(64, store.banks * store.bank_width_bytes)});
  }
  lowering::LinkPlan links = lowering::plan_links(stages);
  if (links.empty()) {
    plan->link_choice = "none: no tensor that one stage writes and only the next reads fits on chip";
    return;
  }
  std::map<int, int64_t> reserve;
  for (size_t s = 0; s < plan->ranges.size(); ++s) {
    if (links.slot_bytes[s] == 0) continue;
    int64_t& r = reserve[core_class.at(s)];
    r = std::max(r, ceil_div(static_cast<int64_t>(2 * links.slot_bytes[s]), int64_t{1024}));
  }
  StagePlan on;
  on.micro = plan->micro;
  on.ranges = plan->ranges;
  try {
    on.classes = compile_classes(arch, part, core_class, mapping, prices, reserve, links);
  } catch (const ConfigError& e) {
    plan->link_choice =
        fmt::format("none: the working buffers do not fit beside the links' slots: {}", e.what());
    return;
  } catch (const WorkloadError& e) {
    plan->link_choice =
        fmt::format("none: the working buffers do not fit beside the links' slots: {}", e.what());
    return;
  }
  estimate_stages(arch, n, core_class, &on);
  std::string kib;
  for (const auto& [k, r] : reserve) kib += fmt::format("{}{} KiB", kib.empty() ? "" : ", ", r);
  if (on.estimate > plan->estimate) {
    plan->link_choice = fmt::format(
        "none: passing {} tensor{} core to core on chip (reserving {} of the tensor store) would take "
        "~{} cycles, through DRAM ~{}",
        links.links.size(), links.links.size() == 1 ? "" : "s", kib, on.estimate, plan->estimate);
    return;
  }
  on.link_choice = fmt::format(
      "{} tensor{} passed core to core on chip (reserving {} of the tensor store): ~{} "
      "cycles, through DRAM ~{}",
      links.links.size(), links.links.size() == 1 ? "" : "s", kib, on.estimate, plan->estimate);
  on.links = std::move(links);
  on.reserve_kib = std::move(reserve);
  *plan = std::move(on);
}

StagePlan plan_stages(const ArchSpec& arch, const Network& net, int64_t n, int64_t micro,
                      const std::vector<int>& core_class, const UserMapping* mapping,
                      const EnergyPrices* prices) {
  StagePlan plan;
  plan.micro = micro;
  const Network part = at_batch(arch, net, micro);
  plan.classes = compile_classes(arch, part, core_class, mapping, prices, {}, {});
  cut_stages(arch, net, core_class, &plan);
  estimate_stages(arch, n, core_class, &plan);
  if (plan.ranges.size() > 1) choose_links(arch, part, n, core_class, mapping, prices, &plan);
  return plan;
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
                   "stages pass every tensor through DRAM (docs/multicore.md): leave it out or 0"});
  }
  const int64_t n = batch_of(arch, net);
  const std::vector<int> core_class = core_classes(arch);

  // The micro-batch: the one given, or the divisor of the batch with the smallest estimate (ties:
  // the smaller).
  const int64_t given = arch.compiler.pipeline_microbatch;
  if (given > 0 && n % given != 0) {
    const KeyOrigin at = arch.origin_of("compiler.pipeline_microbatch");
    throw ConfigError(Diagnostic{at.file, at.line, "compiler.pipeline_microbatch", std::to_string(given),
                                 fmt::format("must divide the batch of {} images [workload {}]: one of {}", n,
                                             net.source_path, fmt::join(divisors(n), ", "))});
  }
  std::optional<StagePlan> best;
  std::string tried;
  for (const int64_t m : given > 0 ? std::vector<int64_t>{given} : divisors(n)) {
    // Under auto, a step too large to compile (over the program's instruction limit) ends the
    // search, as every larger step would be too: the smaller ones are the candidates. A step
    // that fails for another reason fails every size.
    std::optional<StagePlan> p;
    try {
      p = plan_stages(arch, net, n, m, core_class, mapping, prices);
    } catch (const WorkloadError& e) {
      if (given > 0 || !best) throw;
      tried += fmt::format("; {}: over the instruction limit, and so every larger step", m);
      break;
    }
    tried += fmt::format("{}{}: ~{} cycles", tried.empty() ? "" : "; ", m, p->estimate);
    if (!best || p->estimate < best->estimate) best = std::move(p);
  }
  const StagePlan& plan = *best;
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
          if (const auto hit = index.find(dma->dram_addr, lowering::dma_extent(*dma))) {
            const lowering::StageLink& link = links.links[hit->first];
            const size_t to = link.from + 1;
            const bool store = in.op == Opcode::kStore;
            if ((store && link.from != s) || (!store && to != s)) {
              throw InternalError(
                  fmt::format("pipeline: stage {} moves link '{}' from stage {}", s, link.tensor, link.from));
            }
            dma->on_chip = true;
            dma->store_addr = slots_base[to] + static_cast<uint64_t>(b % 2) * links.slot_bytes[to] +
                              link.offset + hit->second;
            if (store) {
              dma->store_core = static_cast<int32_t>(to);
              if (credit >= 0) deps.push_back(static_cast<uint32_t>(credit));
            }
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
          "compiler.partition pipeline: stages of whole layers, cut to minimise the largest stage's estimate "
          "per step (stages ~{} cycles{}); {} image{} per step ({}); the GEMM and tiling are one step's",
          estimates, stages > 1 ? fmt::format(", stage {} the slowest", slowest) : std::string(), micro,
          micro == 1 ? "" : "s", micro_choice);
      // The layer's output: a link's tensor, a view of one (or a fused activation's), or neither.
      std::optional<size_t> in_link;
      for (const TensorPlacement& t : p.tensors) {
        if (t.name != net.layers[l].name || t.bytes == 0) continue;
        if (const auto hit = link_index.at(class_of(s)).find(t.dram_addr, 1)) in_link = hit->first;
      }
      const auto why = links.reasons.find(net.layers[l].name);
      if (links.empty()) {
        rec.residency = "DRAM: under compiler.partition pipeline, on-chip links " + plan.link_choice;
      } else if (why != links.reasons.end()) {
        rec.residency = why->second;
      } else if (in_link) {
        const std::string& root = links.links[*in_link].tensor;
        rec.residency = fmt::format("on chip: a view of {}, {}", root,
                                    links.reasons.at(root).substr(std::string("on chip: ").size()));
      } else {
        rec.residency =
            "DRAM: under compiler.partition pipeline only a tensor passed from one stage to the next stays "
            "on chip";
      }
      prog.mappings.push_back(std::move(rec));
    }
  }
  prog.residency.mode = to_string(arch.compiler.residency);
  prog.residency.choice = "pipeline links: " + plan.link_choice;
  if (!links.empty()) {
    prog.residency.scratchpad = arch.core.scratchpads.name_of(kTensorStore);
    for (const auto& [k, r] : plan.reserve_kib)
      prog.residency.reserved_bytes = std::max(prog.residency.reserved_bytes, r * 1024);
    prog.residency.store_base = *std::min_element(slots_base.begin(), slots_base.end());
    prog.residency.resident_tensors = static_cast<int64_t>(links.links.size());
  }
  return prog;
}

}  // namespace systole
