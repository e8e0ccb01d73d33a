// The parameters of a multi-core NPU: cores.* and noc.* (docs/multicore.md, docs/noc.md).
#include "schema_builders.h"

namespace systole::config_detail {

namespace {

template <typename F>
ParamDef node_list_param(std::string key, std::string doc, F field) {
  ParamDef p = string_param(std::move(key), "auto", std::move(doc), field);
  p.list = true;
  return p;
}

}  // namespace

void declare_multicore_params(std::vector<ParamDef>& s) {
  s.push_back(int_param(
      "cores.count", "cores", 1, at_least(1, 256),
      "Copies of `core` (each its own controller, DMA, scratchpads, array and vector unit). With more "
      "than one, every DMA transfer crosses the NoC (noc.*) and the compiler shares each layer among "
      "the cores (compiler.partition, docs/multicore.md)",
      [](auto& a) -> auto& { return a.cores.count; }));

  s.push_back(enum_param(
      "noc.topology", NocTopology::kMesh, noc_topology_names(),
      "Network-on-chip joining cores and memory controllers: mesh (noc.x columns by noc.y rows, "
      "dimension-order XY routing), ring (noc.x routers, shortest direction, two VC classes with a "
      "dateline) or crossbar (one router, noc.x * noc.y nodes) (docs/noc.md)",
      [](auto& a) -> auto& { return a.noc.topology; }));
  s.push_back(int_param(
      "noc.x", "routers", 4, at_least(1, 64),
      "Mesh columns, ring length, or crossbar nodes (with noc.y); at most 64",
      [](auto& a) -> auto& { return a.noc.x; }));
  s.push_back(int_param(
      "noc.y", "routers", 4, at_least(1, 64), "Mesh rows (a ring has 1); at most 64",
      [](auto& a) -> auto& { return a.noc.y; }));
  s.push_back(int_param(
      "noc.router_cycles", "cycles", 2, at_least(1, 64),
      "Router pipeline depth: NoC cycles from a flit entering an input buffer to crossing the switch "
      "(route, VC and switch allocation, traversal)",
      [](auto& a) -> auto& { return a.noc.router_cycles; }));
  s.push_back(int_param(
      "noc.link_cycles", "cycles", 1, at_least(1, 64),
      "Link latency between neighbouring routers, NoC cycles (credits return as fast)",
      [](auto& a) -> auto& { return a.noc.link_cycles; }));
  s.push_back(int_param(
      "noc.flit_bytes", "B", 32, at_least(1, 4096),
      "Flit size = link width: a link moves one flit per NoC cycle (32 B at 1 GHz = 32 GB/s per "
      "direction)",
      [](auto& a) -> auto& { return a.noc.flit_bytes; }));
  s.push_back(int_param(
      "noc.vcs", "VCs", 2, at_least(1, 16),
      "Virtual channels per router input port (a ring needs an even number: two classes)",
      [](auto& a) -> auto& { return a.noc.vcs; }));
  s.push_back(int_param(
      "noc.buffer_flits", "flits", 4, at_least(1, 1024),
      "Buffer per virtual channel, flits; a VC streams at full rate when it covers the credit round "
      "trip, router_cycles + 2 x link_cycles",
      [](auto& a) -> auto& { return a.noc.buffer_flits; }));
  s.push_back(float_param(
      "noc.clock_mhz", "MHz", 1000.0, at_least(1, 10000), "The NoC's own clock",
      [](auto& a) -> auto& { return a.noc.clock_mhz; }));
  s.push_back(float_param(
      "noc.link_mm", "mm", 1.0, NumericRange{0.0, true, 100.0, false, false},
      "Length of one router-to-router link (the pitch between neighbouring routers, about the side "
      "of a core's tile); a flit-hop costs flit bits x link_mm x the energy table's noc.link pJ/bit/mm. "
      "Timing does not depend on it (noc.link_cycles)",
      [](auto& a) -> auto& { return a.noc.link_mm; }));
  s.push_back(node_list_param(
      "noc.attach.cores",
      "The NoC node of each core, core 0 first (a list such as [0, 3, 12, 15], or auto: nodes 0, 1, "
      "2, ... in row-major order); nodes may not repeat",
      [](auto& a) -> auto& { return a.noc.attach_cores; }));
  s.push_back(node_list_param(
      "noc.attach.memory",
      "The NoC node of each DRAM channel's memory controller, channel 0 first (a list, or one node "
      "for all, or auto: spread over the mesh's west and east edges, evenly around a ring, after the "
      "cores on a crossbar); a node may hold a core and a controller (they share its port)",
      [](auto& a) -> auto& { return a.noc.attach_memory; }));
}

}  // namespace systole::config_detail
