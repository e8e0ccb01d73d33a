// simulate(): elaborate NpuTop, run until the controller stops the kernel, attribute the records.
#include "systole/hw/core/simulate.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/hw/core/npu_top.h"
#include "systole/oracle/functional.h"
#include "systole/stats/attribution.h"

namespace systole {
namespace {

SimResult collect(const hw::NpuTop& top, const ArchSpec& arch) {
  const hw::Controller& ctrl = top.controller();
  if (!ctrl.finished()) {
    const auto retired = std::count_if(ctrl.records().begin(), ctrl.records().end(),
                                       [](const hw::InstructionRecord& r) { return r.retire_cycle >= 0; });
    throw InternalError(
        fmt::format("simulation ended with {} of {} instructions retired", retired, ctrl.records().size()));
  }
  const int64_t total_cycles = top.clock().cycle_of(ctrl.end_time());
  SimResult result =
      hw::attribute(ctrl.program(), ctrl.records(), total_cycles, ctrl.end_time().to_seconds() * 1e9,
                    arch.core.array.rows * arch.core.array.cols);
  result.activity_window_cycles = arch.energy.power_window_cycles;
  const int64_t window = arch.energy.power_window_cycles;
  if ((total_cycles + window - 1) / window > hw::kMaxActivityWindows) {
    const KeyOrigin at = arch.origin_of("energy.power_window_cycles");
    const int64_t smallest = (total_cycles + hw::kMaxActivityWindows - 1) / hw::kMaxActivityWindows;
    throw ConfigError(Diagnostic{
        at.file, at.line, "energy.power_window_cycles", std::to_string(window),
        fmt::format("splits this run's {} cycles into more than {} power windows (report.json keeps every "
                    "window): use at least {} cycles",
                    total_cycles, hw::kMaxActivityWindows, smallest)});
  }
  result.activity =
      hw::activity_windows(ctrl.program(), ctrl.records(), total_cycles, result.activity_window_cycles);
  return result;
}

// The error of a run that reached sim.max_cycles: where it was and what to change.
ConfigError budget_exceeded(const ArchSpec& arch, const hw::Controller& ctrl) {
  const auto& records = ctrl.records();
  const auto retired = std::count_if(records.begin(), records.end(),
                                     [](const hw::InstructionRecord& r) { return r.retire_cycle >= 0; });
  std::string where;
  for (size_t i = 0; i < records.size() && i < ctrl.program().instructions.size(); ++i) {
    if (records[i].retire_cycle >= 0) continue;
    const uint32_t layer = ctrl.program().instructions[i].layer;
    if (layer < ctrl.program().layers.size()) {
      where = fmt::format(", in layer '{}'", ctrl.program().layers[layer].name);
    }
    break;
  }
  const KeyOrigin at = arch.origin_of("sim.max_cycles");
  return ConfigError(Diagnostic{
      at.file, at.line, "sim.max_cycles", std::to_string(arch.sim.max_cycles),
      fmt::format(
          "the run had not finished after this many simulated cycles ({} of {} instructions retired{}): "
          "raise sim.max_cycles if the run is meant to be this long, else check the clock, DRAM "
          "bandwidth and latency for a mistyped unit",
          retired, records.size(), where)});
}

}  // namespace

SimResult simulate(const ArchSpec& arch, const Program& program) {
  return simulate(arch, program, SimOptions{});
}

SimResult simulate(const ArchSpec& arch, const Program& program, const SimOptions& options) {
  // The banner is printed when the kernel starts unless this is set; an existing value wins.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION ||
      sc_core::sc_time_stamp() != sc_core::SC_ZERO_TIME) {
    throw InternalError("simulate() can run once per process (SystemC elaborates once)");
  }
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);

  // Functional: refuse what cannot be computed before anything runs, then fill the DRAM.
  std::vector<uint8_t> dram;
  if (options.functional) {
    if (options.network == nullptr) throw InternalError("functional simulate() without the network");
    oracle::check_functional_support(arch, *options.network);
    dram = oracle::initial_dram(arch, *options.network, program, options.seed, options.npy_inputs);
  }

  // Errors are rethrown only once the modules (and their coroutine stacks) are gone: see
  // NpuTop::failure.
  std::exception_ptr failure;
  SimResult result;
  {
    hw::NpuTop top("npu", hw::NpuTopParams{arch, program, options.functional ? &dram : nullptr,
                                           options.array_observer, options.run_observer});
    // The simulated-time budget (sim.max_cycles): sc_start returns at the budget's edge at the
    // latest. 1e13 cycles at the slowest clock (1 MHz) is 1e19 ps, inside SystemC's 64-bit time.
    const sc_core::sc_time budget = top.clock().time_of(arch.sim.max_cycles);
    sc_core::sc_start(budget);
    failure = top.failure();
    if (!failure && !top.controller().finished() && sc_core::sc_time_stamp() >= budget) {
      failure = std::make_exception_ptr(budget_exceeded(arch, top.controller()));
    }
    if (!failure) {
      try {
        result = collect(top, arch);
        top.dram().set_run_end(top.clock().time_of(result.total_cycles));
        result.dram = top.dram().counters();
        for (const auto& spm : top.core(0).scratchpads()) {
          const hw::ScratchpadCounters& c = spm->counters();
          result.scratchpads.push_back({spm->basename(), c.read_bytes, c.write_bytes, c.read_accesses,
                                        c.write_accesses, c.bank_conflict_cycles, c.accumulator_rmw});
        }
        if (options.dram_stats != nullptr) *options.dram_stats = result.dram;
      } catch (...) {
        failure = std::current_exception();
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
  if (options.functional) {
    if (options.before_verify) options.before_verify(dram);
    oracle::verify_layers(arch, *options.network, program, dram, options.keep_tensors, &result);
    // The total's verdict: "false" if any layer failed, else "true" if any was checked.
    for (const LayerStats& l : result.layers) {
      if (l.verified.empty()) continue;
      if (result.total.verified != "false") result.total.verified = l.verified;
      result.total.max_abs_error = std::max(result.total.max_abs_error, l.max_abs_error);
      if (result.total.first_mismatch.empty()) result.total.first_mismatch = l.first_mismatch;
    }
  }
  return result;
}

}  // namespace systole
