// Energy and power of a run, priced from report.json alone (docs/energy.md). A run writes its
// counts (layers[].actions, total.actions, the activity windows) and its resolved config; these
// functions turn them into pJ with an energy table, so `systole energy` re-prices a finished run
// exactly as the run priced itself: same report and table, byte-identical fields.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "systole/compiler/compiler.h"
#include "systole/config/arch_spec.h"
#include "systole/energy/energy_table.h"
#include "systole/stats/sim_result.h"

namespace systole {

// The DRAM standard whose pJ/bit prices the run's DRAM traffic (config/arch_spec.h
// EnergyDramStandard): energy.dram_standard, or with auto the cycle-level preset's standard, else
// LPDDR4.
std::string energy_dram_standard(const ArchSpec& arch);

// How the run's DRAM energy is priced, for report.json's memory.dram: {"energy_model": "idd"} plus
// "idd": {source, devices_per_rank, command_pj: {ACT_PRE, RD, WR, REF}, active_standby_mw,
// precharged_standby_mw} (per rank, energy/dram_idd.h) when dram.kind is cycle and the preset has
// datasheet currents; {"energy_model": "per_bit"} otherwise (the table's pJ/bit at
// memory.dram.standard).
nlohmann::ordered_json dram_energy_model_json(const ArchSpec& arch);

// report.json "activity": the run's actions per window of activity_window_cycles core cycles,
// {"window_cycles": N, "columns": [...], "windows": [[begin_cycle, end_cycle, counts...], ...]};
// a multi-core run's columns end with noc.flit_hops and noc.router_traversals.
nlohmann::ordered_json activity_json(const SimResult& result);

// What pricing reads from a report besides the counts.
struct PricingContext {
  DataType input_type = DataType::kInt8, weight_type = DataType::kInt8, accumulator_type = DataType::kInt32;
  struct Scratchpad {
    std::string name;            // the spec's name (ifmap, weight, ofmap, unified, ...)
    int64_t capacity_bytes = 0;  // the whole scratchpad
    int64_t banks = 1;           // macros of capacity_bytes / banks each
    int64_t word_bytes = 4;      // bytes per bank access
  };
  std::vector<Scratchpad> scratchpads;  // those the core builds, in ScratchpadsParams::named() order
  // The position in `scratchpads` of each operand role's scratchpad, by index_of(OperandRole):
  // actions are counted per role and priced at the scratchpad the role lives in.
  int role_scratchpad[kOperandRoleCount] = {0, 1, 2};
  // A heterogeneous NPU (config core_classes): `scratchpads` are those of core 0's class, and each
  // further class has its own, priced per access at its own macros. Its records give the accesses
  // of those classes apart (report.json actions.core_classes; class 0's are the rest), and its
  // components are named "scratchpad.<name>@<slug>" ("scratchpad.ifmap@cores_2-3").
  struct CoreClass {
    std::string label;  // "cores 2-3"
    std::string slug;   // "cores_2-3"
    int64_t cores = 0;
    std::vector<Scratchpad> scratchpads;
    int role_scratchpad[kOperandRoleCount] = {0, 1, 2};
  };
  std::vector<CoreClass> classes;
  int64_t cores = 1;              // cores.count
  int64_t first_class_cores = 1;  // cores of core 0's class
  std::string dram_standard;
  // DRAM priced from IDD currents (memory.dram.energy_model "idd"): the run's whole DRAM energy,
  // from its command counts and standby times, split into a part spread over records in
  // proportion to their DRAM bytes (ACT+PRE, RD, WR: traffic) and a part spread in proportion to
  // their time (REF and background: they accrue with time whether or not data moves).
  struct DramIdd {
    bool enabled = false;  // false: per bit from the table
    double act_pre_pj = 0.0, rd_pj = 0.0, wr_pj = 0.0, ref_pj = 0.0, background_pj = 0.0;  // run totals
    double total_bytes = 0.0;  // total.actions dram_read_bytes + dram_write_bytes
    double total_ns = 0.0;     // total.cycles x cycle_ns
  } dram_idd;
  double cycle_ns = 1.0;
  StaticPowerParams static_power;  // mW, of all cores together (energy.static_power_mw x cores.count)
  // A multi-core run's network-on-chip: its flits are priced (energy/pricing.h NocCount) and its
  // records carry the noc counts (report.json actions.noc, the activity's noc columns).
  struct Noc {
    bool enabled = false;  // cores.count > 1
    double flit_bits = 0;  // noc.flit_bytes x 8
    double link_mm = 0;    // noc.link_mm
  } noc;
};

// Reads the pricing context from report.json's config and memory.dram (standard; with
// energy_model "idd" also idd, commands, active_standby_ns, precharged_standby_ns, and total's
// cycles and DRAM bytes; a report without energy_model is priced per bit). Throws UserError
// naming `report_path`, the key path and what was expected when a key is missing or malformed.
PricingContext pricing_context(const nlohmann::ordered_json& report, const std::string& report_path);

// Energy of one record (a layer, the total or a window), pJ. by_component has the same keys in the
// same order for every record: array, scratchpad.<name>..., vector, control, noc (multi-core runs
// only), dram, clock_tree; each
// is that component's dynamic energy plus its static power x the record's time (control and the
// clock tree: static and dynamic only respectively). Sum of by_component == total_pj.
struct PricedEnergy {
  std::vector<std::pair<std::string, double>> by_component;
  double dynamic_pj = 0.0;
  double static_pj = 0.0;
  double total_pj = 0.0;
};

// The same context from the resolved arch (what report.json's config records). It has no run
// totals, so DRAM is priced per bit (dram_idd.enabled false): the per-instruction energies of
// traces use it.
PricingContext pricing_context(const ArchSpec& arch);

// Checks, before anything runs, that `table` has every entry a run of this arch may price: the MAC
// of its input x weight types, add and mul on its input and accumulator types, the DRAM
// standard's pJ/bit, and with several cores the noc section. ConfigError naming the table file and the
// missing entry otherwise, so that `validate` and `run` refuse such a table up front rather than after the
// simulation.
void check_table_covers(const PricingContext& ctx, const energy::EnergyTable& table);

// The per-action prices of the compiler's energy estimate of a tiling (compiler/compiler.h
// EnergyPrices), from the same table and context that price a run: the MAC of the array's types;
// per operand role, one access to a bank of its scratchpad (a macro of capacity / banks bytes)
// divided by the bank's word bytes; 8 x the DRAM standard's pJ/bit (also when a cycle-level
// preset's IDD currents price the run's DRAM: the estimate has no command counts); and
// 1 / (1 - clock-tree share) on the on-chip terms. Static power, register shifts and vector
// operations are left out: the first two barely depend on the tiling, the last not at all.
EnergyPrices mapping_energy_prices(const PricingContext& ctx, const energy::EnergyTable& table);

// Prices counts over `cycles` core cycles (static power x that time). The one pricing path: report
// records, activity windows and single instructions (hw::counts_of) all come through here.
PricedEnergy price_counts(const PricingContext& ctx, const energy::EnergyTable& table,
                          const ActivityWindow& counts, double cycles);

// Prices the counts in `actions` (report.json's actions object) over `cycles` core cycles.
// `where` names the record in errors ("layers[3].actions").
PricedEnergy price_actions(const PricingContext& ctx, const energy::EnergyTable& table,
                           const nlohmann::ordered_json& actions, double cycles, const std::string& where,
                           const std::string& report_path);

// Adds (or replaces, in place) the energy fields of every layer and of the total, and the
// top-level "energy" section; returns power.csv. Per record: energy_pj, energy_dynamic_pj,
// energy_static_pj, energy_by_component, avg_power_w = energy / time, gops = 2 * MACs / time,
// tops_per_w = 2 * MACs / energy; the total also peak_power_w (the largest window's average
// power) and energy_per_inference_pj (energy_pj / total.inferences). power.csv: one row per
// activity window with its cycles, times (us) and average power per component (W) and in total;
// sum over rows of total_w x window time == total.energy_pj (up to rounding).
// `table_name` is what energy.table said (recorded with the table's SHA-256 and node). With
// energy_model "idd" also memory.dram.energy_pj: {ACT_PRE, RD, WR, REF, background, total}.
std::string price_report(nlohmann::ordered_json& report, const energy::EnergyTable& table,
                         const std::string& table_name, const std::string& report_path);

// Console lines: total energy and its largest components, average and peak power, GOP/s, TOPS/W.
std::string energy_summary(const nlohmann::ordered_json& report);

}  // namespace systole
