// The plan of a pipelined program for one step size (compiler/pipeline_plan.h).
#include "systole/compiler/pipeline_plan.h"

#include <algorithm>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/int_math.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/residency.h"

namespace systole::pipeline {

using lowering::sat_add;
using lowering::sat_mul;

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

namespace {

// Core c's class as a single core with reserve_kib KiB at the top of its tensor-store scratchpad
// kept out of the working buffers (and out of its own residency's store), with residency `own`.
ArchSpec single_core(const ArchSpec& arch, int64_t c, int64_t reserve_kib, Residency own) {
  ArchSpec single = arch;
  single.compiler.residency = own;
  single.core = arch.core_of(c);
  single.cores = CoresParams{};
  single.compiler.partition = PartitionChoice::kAuto;
  single.compiler.pipeline_microbatch = 0;
  single.compiler.resident_kib = 0;
  single.core.scratchpads.declare(single.core.scratchpads.name_of(kTensorStore)).capacity_kib -= reserve_kib;
  return single;
}

int64_t reserve_of(const std::map<int, int64_t>& reserve_kib, int k) {
  const auto r = reserve_kib.find(k);
  return r == reserve_kib.end() ? 0 : r->second;
}

// Each core class's step program (at the batch of `part`), compiled as a single core
// (single_core) with residency `own`, and its layer estimates as compiled.
std::map<int, ClassProgram> compile_classes(const ArchSpec& arch, const Network& part,
                                            const std::vector<int>& core_class, const UserMapping* mapping,
                                            const EnergyPrices* prices,
                                            const std::map<int, int64_t>& reserve_kib, Residency own) {
  std::map<int, ClassProgram> out;
  // The mapping file's tiles apply to each step; its stages are the plan's, not a single core's.
  std::optional<UserMapping> tiles;
  if (mapping != nullptr) {
    tiles = *mapping;
    tiles->stages.clear();
  }
  for (int64_t c = 0; c < arch.cores.count; ++c) {
    const int k = core_class.at(static_cast<size_t>(c));
    if (out.count(k) > 0) continue;
    const ArchSpec single = single_core(arch, c, reserve_of(reserve_kib, k), own);
    const EnergyPrices class_prices = prices != nullptr ? prices->of_class(k) : EnergyPrices{};
    ClassProgram cp;
    cp.program =
        compile(single, part, tiles ? &*tiles : nullptr, prices != nullptr ? &class_prices : nullptr);
    const lowering::ProgramEstimate e = lowering::estimate_program(single, cp.program);
    cp.layer_cycles = e.layer_cycles;
    cp.layer_dram_bytes = e.layer_dram_bytes;
    cp.layer_cycles.resize(part.layers.size(), 0);
    cp.layer_dram_bytes.resize(part.layers.size(), 0);
    out.emplace(k, std::move(cp));
  }
  return out;
}

// The layer estimates of plan's classes with each transfer as its stage does it under `links`
// (transfer_of: the links on chip, resident tensors that cross stages in DRAM).
void estimate_classes(const ArchSpec& arch, const std::vector<int>& core_class,
                      const lowering::LinkPlan& links, StagePlan* plan) {
  for (auto& [k, cp] : plan->classes) {
    int64_t core = 0;
    while (core_class.at(static_cast<size_t>(core)) != k) ++core;
    Program placed = cp.program;
    const lowering::LinkIndex index(links, placed.tensors);
    for (Instruction& in : placed.instructions) {
      auto* d = std::get_if<DmaDescriptor>(&in.payload);
      if (d == nullptr) continue;
      const lowering::Transfer t = lowering::transfer_of(index, *d);
      if (t.kind == lowering::Transfer::Kind::kLink) d->on_chip = true;
      if (t.kind == lowering::Transfer::Kind::kDram) d->on_chip = false;
    }
    const lowering::ProgramEstimate e = lowering::estimate_program(
        single_core(arch, core, reserve_of(plan->reserve_kib, k), plan->own), placed);
    cp.layer_cycles = e.layer_cycles;
    cp.layer_dram_bytes = e.layer_dram_bytes;
    cp.layer_cycles.resize(cp.program.layers.size(), 0);
    cp.layer_dram_bytes.resize(cp.program.layers.size(), 0);
  }
}

// The links (and crossing tensors) of plan's stages (compiler/pipeline_links.h).
lowering::LinkPlan analyse_links(const ArchSpec& arch, const std::vector<int>& core_class,
                                 const StagePlan& plan) {
  std::vector<lowering::LinkStage> stages;
  for (size_t s = 0; s < plan.ranges.size(); ++s) {
    const ScratchpadParams& store = arch.core_of(static_cast<int64_t>(s)).scratchpads.of(kTensorStore);
    stages.push_back({&plan.classes.at(core_class.at(s)).program, plan.ranges[s].first, plan.ranges[s].second,
                      store.capacity_bytes(), std::max<int64_t>(64, store.banks * store.bank_width_bytes)});
  }
  return lowering::plan_links(stages);
}

// The stage cut of plan (its classes compiled): ranges.
void cut_stages(const ArchSpec& arch, const Network& net, const std::vector<int>& core_class,
                StagePlan* plan) {
  if (plan->by_hand) return;
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
  plan->dram_bytes = sat_mul(steps, dram_bytes);
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
// the one without links. `analysis`: plan's links, whose crossing tensors plan already keeps.
void choose_links(const ArchSpec& arch, const Network& part, int64_t n, const std::vector<int>& core_class,
                  const UserMapping* mapping, const EnergyPrices* prices, lowering::LinkPlan analysis,
                  StagePlan* plan) {
  // Without links, a would-be link is one more tensor through DRAM.
  auto without_links = [&](const std::string& why) {
    plan->link_choice = why;
    for (const lowering::StageLink& l : analysis.links) {
      plan->links.reasons[l.tensor] =
          fmt::format("DRAM: passed from stage {} to stage {}; on-chip links {}", l.from, l.from + 1, why);
    }
  };
  if (arch.compiler.residency == Residency::kOff) {
    without_links("none: compiler.residency is off, so every tensor passes through DRAM");
    return;
  }
  if (analysis.empty()) {
    plan->link_choice = "none: no tensor that one stage writes and only the next reads fits on chip";
    return;
  }
  std::map<int, int64_t> reserve;
  for (size_t s = 0; s < plan->ranges.size(); ++s) {
    if (analysis.slot_bytes[s] == 0) continue;
    int64_t& r = reserve[core_class.at(s)];
    r = std::max(r, ceil_div(static_cast<int64_t>(2 * analysis.slot_bytes[s]), int64_t{1024}));
  }
  StagePlan on;
  on.micro = plan->micro;
  on.ranges = plan->ranges;
  on.by_hand = plan->by_hand;
  on.reserve_kib = reserve;
  on.own = plan->own;
  on.own_choice = plan->own_choice;
  try {
    on.classes = compile_classes(arch, part, core_class, mapping, prices, reserve, plan->own);
  } catch (const UserError& e) {
    without_links(fmt::format("none: the working buffers do not fit beside the links' slots: {}", e.what()));
    return;
  }
  estimate_classes(arch, core_class, analysis, &on);
  estimate_stages(arch, n, core_class, &on);
  std::string kib;
  for (const auto& [k, r] : reserve) kib += fmt::format("{}{} KiB", kib.empty() ? "" : ", ", r);
  const size_t count = analysis.links.size();
  if (on.estimate > plan->estimate) {
    without_links(
        fmt::format("none: passing {} tensor{} core to core on chip (reserving {} of the tensor store) "
                    "would take ~{} cycles, through DRAM ~{}",
                    count, count == 1 ? "" : "s", kib, on.estimate, plan->estimate));
    return;
  }
  on.link_choice = fmt::format(
      "{} tensor{} passed core to core on chip (reserving {} of the tensor store): ~{} "
      "cycles, through DRAM ~{}",
      count, count == 1 ? "" : "s", kib, on.estimate, plan->estimate);
  on.links = std::move(analysis);
  *plan = std::move(on);
}

}  // namespace

StagePlan plan_stages(const ArchSpec& arch, const Network& net, const Network& part, int64_t n, int64_t micro,
                      const std::vector<int>& core_class, const UserMapping* mapping,
                      const EnergyPrices* prices, const std::vector<std::pair<size_t, size_t>>* hand) {
  StagePlan plan;
  plan.micro = micro;
  plan.own = arch.compiler.residency;
  plan.classes = compile_classes(arch, part, core_class, mapping, prices, {}, plan.own);
  if (hand != nullptr) {
    plan.ranges = *hand;
    plan.by_hand = true;
  }
  cut_stages(arch, net, core_class, &plan);
  // The plan without links: every tensor that crosses stages in DRAM.
  lowering::LinkPlan analysis = analyse_links(arch, core_class, plan);
  plan.links.crossing = analysis.crossing;
  plan.links.reasons = analysis.reasons;
  plan.links.slot_bytes.assign(plan.ranges.size(), 0);
  estimate_classes(arch, core_class, plan.links, &plan);
  estimate_stages(arch, n, core_class, &plan);
  if (plan.own == Residency::kAuto) {
    // The step programs chose their stores for the whole network on one core; under the stages
    // only a stage's own tensors stay, while the smaller working buffers cost every layer. Keep
    // them only if the stages' estimate is no worse than without (then: fewer DRAM bytes).
    StagePlan off = plan;
    off.own = Residency::kOff;
    off.classes = compile_classes(arch, part, core_class, mapping, prices, {}, Residency::kOff);
    estimate_classes(arch, core_class, off.links, &off);
    estimate_stages(arch, n, core_class, &off);
    const std::string both = fmt::format("~{} cycles and {} B of DRAM with them, ~{} and {} B without",
                                         plan.estimate, plan.dram_bytes, off.estimate, off.dram_bytes);
    if (std::make_pair(off.estimate, off.dram_bytes) < std::make_pair(plan.estimate, plan.dram_bytes)) {
      off.own_choice = "none: each step program's own store would not pay under the stages (" + both + ")";
      plan = std::move(off);
    } else {
      plan.own_choice = "each step program's own (" + both + ")";
    }
  } else {
    plan.own_choice = "none: compiler.residency is off";
  }
  if (plan.ranges.size() > 1)
    choose_links(arch, part, n, core_class, mapping, prices, std::move(analysis), &plan);
  return plan;
}

}  // namespace systole::pipeline
