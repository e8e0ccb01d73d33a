// The pricing context of an architecture (energy_report.h PricingContext): its number formats,
// each core class's scratchpads, the DRAM standard, static power and the NoC; and the mapper's
// prices drawn from it (compiler/compiler.h EnergyPrices). docs/energy.md states the model.
#include <algorithm>
#include <array>

#include "systole/report/energy_report.h"

namespace systole {

std::string energy_dram_standard(const ArchSpec& arch) {
  if (arch.energy.dram_standard != EnergyDramStandard::kAuto) return to_string(arch.energy.dram_standard);
  if (const DramDeviceSpec* device = arch.dram.device_model()) return device->standard;
  return "LPDDR4";
}

namespace {

// The scratchpads of `core` as PricingContext lists them, and where each role lives.
void core_scratchpads(const CoreParams& core, std::vector<PricingContext::Scratchpad>* spms,
                      int* role_scratchpad) {
  for (const ScratchpadsParams::Named& s : core.scratchpads.named())
    spms->push_back({s.name, s.params->capacity_bytes(), s.params->banks, s.params->bank_width_bytes});
  for (const OperandRole r : kOperandRoles) role_scratchpad[index_of(r)] = core.scratchpads.named_index(r);
}

}  // namespace

PricingContext pricing_context(const ArchSpec& arch) {
  PricingContext ctx;
  const ArrayParams& a = arch.core.array;
  ctx.input_type = a.input_type;
  ctx.weight_type = a.weight_type;
  ctx.accumulator_type = a.accumulator_type;
  core_scratchpads(arch.core_of(0), &ctx.scratchpads, ctx.role_scratchpad);
  ctx.cores = arch.cores.count;
  ctx.first_class_cores = arch.cores.count;
  if (arch.heterogeneous()) {
    const std::vector<int> classes = core_classes(arch);
    ctx.first_class_cores = std::count(classes.begin(), classes.end(), 0);
    for (int k = 1; k <= *std::max_element(classes.begin(), classes.end()); ++k) {
      PricingContext::CoreClass c;
      c.label = core_class_label(arch, k);
      for (char ch : c.label) c.slug += ch == ' ' ? '_' : ch == ',' ? '\0' : ch;
      c.slug.erase(std::remove(c.slug.begin(), c.slug.end(), '\0'), c.slug.end());
      c.cores = std::count(classes.begin(), classes.end(), k);
      const auto first = std::find(classes.begin(), classes.end(), k) - classes.begin();
      core_scratchpads(arch.core_of(first), &c.scratchpads, c.role_scratchpad);
      ctx.classes.push_back(std::move(c));
    }
  }
  ctx.dram_standard = energy_dram_standard(arch);
  ctx.cycle_ns = arch.core.cycle_ns();
  // energy.static_power_mw is one core's: every core draws it.
  const auto cores = static_cast<double>(arch.cores.count);
  ctx.static_power = arch.energy.static_power;
  for (double* mw : {&ctx.static_power.array_mw, &ctx.static_power.vector_mw,
                     &ctx.static_power.scratchpads_mw, &ctx.static_power.control_mw})
    *mw *= cores;
  ctx.noc.enabled = arch.cores.count > 1;
  ctx.noc.flit_bits = 8.0 * static_cast<double>(arch.noc.flit_bytes);
  ctx.noc.link_mm = arch.noc.link_mm;
  return ctx;
}

EnergyPrices mapping_energy_prices(const PricingContext& ctx, const energy::EnergyTable& table) {
  EnergyPrices p;
  p.mac_pj = table.mac_pj(ctx.input_type, ctx.weight_type);
  auto roles = [&](const std::vector<PricingContext::Scratchpad>& spms, const int* role_scratchpad,
                   std::array<double, kOperandRoleCount>* read,
                   std::array<double, kOperandRoleCount>* write) {
    for (int r = 0; r < kOperandRoleCount; ++r) {
      const auto& s = spms.at(static_cast<size_t>(role_scratchpad[r]));
      // As price_counts prices one access: a bank macro of capacity / banks bytes.
      const int64_t macro = std::max<int64_t>(1, s.capacity_bytes / s.banks);
      const auto word = static_cast<double>(s.word_bytes);
      (*read)[static_cast<size_t>(r)] = table.sram_access_pj(macro, s.word_bytes, false) / word;
      (*write)[static_cast<size_t>(r)] = table.sram_access_pj(macro, s.word_bytes, true) / word;
    }
  };
  roles(ctx.scratchpads, ctx.role_scratchpad, &p.read_pj_per_byte, &p.write_pj_per_byte);
  for (const PricingContext::CoreClass& k : ctx.classes) {
    p.classes.emplace_back();
    roles(k.scratchpads, k.role_scratchpad, &p.classes.back().read_pj_per_byte,
          &p.classes.back().write_pj_per_byte);
  }
  p.dram_pj_per_byte = 8.0 * table.dram_pj_per_bit(ctx.dram_standard);
  p.on_chip_factor = 1.0 / (1.0 - table.clock_tree_share.value);
  return p;
}

}  // namespace systole
