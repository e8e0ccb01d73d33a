// The multi-core parts of a report (docs/multicore.md "Statistics"): report.json's "noc" object
// and summary.txt's per-core and NoC lines.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "systole/stats/sim_result.h"

namespace systole {

// {topology, x, y, clock_mhz, cycles, memory_nodes, packets, flits, flit_hops,
//  router_traversals, links: [{from, to, flits, utilization}], flows: [{src, dst, packets, flits,
//  bytes}], cores: [{core, node, read_requests, ..., network_cycles, barriers}]};
// a link's utilization is flits / cycles.
nlohmann::ordered_json noc_json(const NocStats& s);

// Lines for summary.txt: each core's utilization and largest causes, then the NoC's load (its
// busiest link, flit-hops, the cores' share of time in the network). "" for a single-core run.
std::string multicore_summary(const SimResult& result);

}  // namespace systole
