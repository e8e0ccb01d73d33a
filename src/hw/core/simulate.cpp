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

// Every instruction's record (the cores' controllers share one vector: ControllerParams::records).
std::vector<hw::InstructionRecord> all_records(const hw::NpuTop& top) {
  return top.controller().records();
}

SimResult collect(const hw::NpuTop& top, const ArchSpec& arch) {
  const hw::Controller& ctrl = top.controller();
  const std::vector<hw::InstructionRecord> records = all_records(top);
  if (!top.finished()) {
    const auto retired = std::count_if(records.begin(), records.end(),
                                       [](const hw::InstructionRecord& r) { return r.retire_cycle >= 0; });
    throw InternalError(
        fmt::format("simulation ended with {} of {} instructions retired", retired, records.size()));
  }
  const int64_t total_cycles = top.clock().cycle_of(top.end_time());
  std::vector<int64_t> core_pes;
  for (int64_t c = 0; c < arch.cores.count; ++c) core_pes.push_back(arch.core_pes(c));
  SimResult result = hw::attribute(ctrl.program(), records, total_cycles, top.end_time().to_seconds() * 1e9,
                                   arch.total_pes(), core_pes,
                                   arch.heterogeneous() ? core_classes(arch) : std::vector<int>{});
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
  result.activity = hw::activity_windows(ctrl.program(), records, total_cycles, result.activity_window_cycles,
                                         arch.heterogeneous() ? core_classes(arch) : std::vector<int>{});
  return result;
}

// The fabric's counters (stats/noc_stats.h) for a run that ended at `end`.
NocStats noc_stats(const hw::NocFabric& fabric, const sc_core::sc_time& end) {
  const noc::Network& net = fabric.network();
  const noc::ITopology& topo = net.topology();
  const NocParams& p = fabric.params().noc;
  NocStats s;
  s.topology = to_string(p.topology);
  s.x = p.x;
  s.y = p.y;
  s.clock_mhz = p.clock_mhz;
  s.cycles = fabric.clock().cycle_of(end);
  s.memory_nodes = fabric.params().attach.memory;
  const noc::NetworkCounters& c = net.counters();
  s.packets = c.packets_delivered;
  s.flits = c.flits_delivered;
  s.flit_hops = c.flit_hops;
  s.router_traversals = c.router_traversals;
  s.link_window_cycles = net.link_window();
  for (const noc::LinkCounters& l : c.links) {
    NocLinkStats ls;
    ls.from_router = l.router;
    ls.to_router = topo.ports(l.router).at(static_cast<size_t>(l.port)).router;
    ls.flits = l.flits;
    ls.windows = l.windows;
    s.links.push_back(ls);
  }
  std::sort(s.links.begin(), s.links.end(), [](const NocLinkStats& a, const NocLinkStats& b) {
    return std::pair(a.from_router, a.to_router) < std::pair(b.from_router, b.to_router);
  });
  for (const hw::NocFlow& f : fabric.flows()) s.flows.push_back({f.src, f.dst, f.packets, f.flits, f.bytes});
  // A flit crosses a router's switch onto one of its links or out to one of its nodes.
  s.router_flits.assign(static_cast<size_t>(topo.routers()), 0);
  for (const NocLinkStats& l : s.links) s.router_flits[static_cast<size_t>(l.from_router)] += l.flits;
  for (const NocFlowStats& f : s.flows) s.router_flits[static_cast<size_t>(topo.router_of(f.dst))] += f.flits;
  const std::vector<int>& nodes = fabric.params().attach.cores;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const hw::NocCoreTraffic& t = fabric.core_traffic()[i];
    s.cores.push_back({nodes[i], t.read_requests, t.write_requests, t.read_bytes, t.write_bytes,
                       t.network_cycles, t.barriers, t.signals, t.remote_store_requests,
                       t.remote_store_bytes});
  }
  return s;
}

// The error of a run that reached sim.max_cycles: where it was and what to change.
ConfigError budget_exceeded(const ArchSpec& arch, const hw::NpuTop& top) {
  const hw::Controller& ctrl = top.controller();
  const std::vector<hw::InstructionRecord> records = all_records(top);
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
    hw::NpuTop top(
        "npu", hw::NpuTopParams{arch, program, options.functional ? &dram : nullptr, options.array_observer,
                                options.run_observer, !options.dram_per_request});
    // The simulated-time budget (sim.max_cycles): sc_start returns at the budget's edge at the
    // latest. 1e13 cycles at the slowest clock (1 MHz) is 1e19 ps, inside SystemC's 64-bit time.
    const sc_core::sc_time budget = top.clock().time_of(arch.sim.max_cycles);
    sc_core::sc_start(budget);
    failure = top.failure();
    if (!failure && !top.finished() && sc_core::sc_time_stamp() >= budget) {
      failure = std::make_exception_ptr(budget_exceeded(arch, top));
    }
    if (!failure) {
      try {
        result = collect(top, arch);
        top.dram().set_run_end(top.clock().time_of(result.total_cycles));
        result.dram = top.dram().counters();
        // Each scratchpad summed over the cores, and per core in SimResult::cores.
        for (size_t ci = 0; ci < top.cores().size(); ++ci) {
          const auto& core = top.cores()[ci];
          for (size_t k = 0; k < core->scratchpads().size(); ++k) {
            const auto& spm = core->scratchpads()[k];
            const hw::ScratchpadCounters& c = spm->counters();
            if (ci < result.cores.size()) {
              result.cores[ci].scratchpads.push_back({spm->basename(), c.read_bytes, c.write_bytes,
                                                      c.read_accesses, c.write_accesses,
                                                      c.bank_conflict_cycles, c.accumulator_rmw});
            }
            if (result.scratchpads.size() <= k)
              result.scratchpads.push_back({spm->basename(), 0, 0, 0, 0, 0, 0});
            ScratchpadStats& s = result.scratchpads[k];
            s.read_bytes += c.read_bytes;
            s.write_bytes += c.write_bytes;
            s.read_accesses += c.read_accesses;
            s.write_accesses += c.write_accesses;
            s.bank_conflict_cycles += c.bank_conflict_cycles;
            s.accumulator_rmw += c.accumulator_rmw;
          }
        }
        if (const hw::NocFabric* f = top.fabric()) result.noc = noc_stats(*f, top.end_time());
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
