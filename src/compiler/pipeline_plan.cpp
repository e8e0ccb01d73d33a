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

// Each core class's step program (at the batch of `part`) with reserve_kib[k] KiB at the top of its
// tensor-store scratchpad kept out of the working buffers, and its layer estimates with the
// transfers of `links` on chip.
std::map<int, ClassProgram> compile_classes(const ArchSpec& arch, const Network& part,
                                            const std::vector<int>& core_class, const UserMapping* mapping,
                                            const EnergyPrices* prices,
                                            const std::map<int, int64_t>& reserve_kib,
                                            const lowering::LinkPlan& links) {
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
    cp.program =
        compile(single, part, tiles ? &*tiles : nullptr, prices != nullptr ? &class_prices : nullptr);
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
  on.by_hand = plan->by_hand;
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

}  // namespace

StagePlan plan_stages(const ArchSpec& arch, const Network& net, const Network& part, int64_t n, int64_t micro,
                      const std::vector<int>& core_class, const UserMapping* mapping,
                      const EnergyPrices* prices, const std::vector<std::pair<size_t, size_t>>* hand) {
  StagePlan plan;
  plan.micro = micro;
  plan.classes = compile_classes(arch, part, core_class, mapping, prices, {}, {});
  if (hand != nullptr) {
    plan.ranges = *hand;
    plan.by_hand = true;
  }
  cut_stages(arch, net, core_class, &plan);
  estimate_stages(arch, n, core_class, &plan);
  if (plan.ranges.size() > 1) choose_links(arch, part, n, core_class, mapping, prices, &plan);
  return plan;
}

}  // namespace systole::pipeline
