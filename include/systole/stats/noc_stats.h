// What the NoC of a multi-core run counted (hw/noc/noc_fabric.h; docs/multicore.md "Statistics").
// No SystemC here. Cycles are NoC clock cycles.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace systole {

// One direction of a router-to-router link.
struct NocLinkStats {
  int from_router = 0, to_router = 0;
  int64_t flits = 0;  // = the cycles it was busy (one flit per cycle)
  // (window k, flits in NoC cycles [k W, (k + 1) W)), W = NocStats::link_window_cycles, for the
  // windows in which it moved a flit (traces; not in report.json).
  std::vector<std::pair<int64_t, int64_t>> windows;
};

// Traffic from one node to another.
struct NocFlowStats {
  int src = 0, dst = 0;
  int64_t packets = 0, flits = 0, bytes = 0;  // bytes: data carried (head flits excluded)
};

// One core's traffic over the NoC.
struct NocCoreStats {
  int node = 0;
  int64_t read_requests = 0, write_requests = 0;
  int64_t read_bytes = 0, write_bytes = 0;
  // NoC cycles its requests and their responses spent in the network, summed over requests.
  int64_t network_cycles = 0;
  int64_t barriers = 0;
  int64_t signals = 0;  // layer pipelining: signals sent to other stages' cores (steps done, credits)
  // Layer pipelining: writes sent into other cores' tensor stores (bursts, bytes); not DRAM traffic.
  int64_t remote_store_requests = 0, remote_store_bytes = 0;
};

struct NocStats {
  std::string topology;  // "" when the run had no NoC (one core)
  int64_t x = 0, y = 0;
  double clock_mhz = 0.0;
  int64_t cycles = 0;             // NoC cycles the run spanned
  std::vector<int> memory_nodes;  // per DRAM channel
  int64_t packets = 0, flits = 0, flit_hops = 0, router_traversals = 0;
  int64_t link_window_cycles = 0;   // NocLinkStats::windows' window, NoC cycles
  std::vector<NocLinkStats> links;  // every direction of every link, by (from, to)
  // Per router: flits that crossed its switch (onto a link or out to its node); they sum to
  // router_traversals.
  std::vector<int64_t> router_flits;
  std::vector<NocFlowStats> flows;  // every (src, dst) that carried a packet
  std::vector<NocCoreStats> cores;
};

}  // namespace systole
