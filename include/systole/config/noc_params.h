// noc.*: the network-on-chip that joins cores and memory controllers (docs/noc.md).
//
// The topologies, one line each: X(name, Enumerator). The name is the YAML spelling of
// noc.topology and the topology's name in the NoC's registry (noc/topology.h); the topology
// itself is one file in src/noc/ ending with register_topology_<name>. Adding a topology is that
// file plus one line here (docs/extending.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#define SYSTOLE_NOC_TOPOLOGIES(X) \
  X(mesh, kMesh)                  \
  X(ring, kRing)                  \
  X(crossbar, kCrossbar)

namespace systole {

enum class NocTopology {
#define SYSTOLE_NOC_ENUMERATOR(name, enumerator) enumerator,
  SYSTOLE_NOC_TOPOLOGIES(SYSTOLE_NOC_ENUMERATOR)
#undef SYSTOLE_NOC_ENUMERATOR
};
const char* to_string(NocTopology t);  // "mesh", "ring", "crossbar"
bool parse_noc_topology(const std::string& s, NocTopology* out);
std::vector<std::string> noc_topology_names();

// Shape: mesh x columns by y rows of routers, a node each; ring x routers (y = 1); crossbar one
// router with x * y nodes. Timing in NoC cycles of clock_mhz (noc/network.h: a flit enters the
// next router's buffer router_cycles + link_cycles after it entered this one's). A link moves one
// flit of flit_bytes per cycle; each router input port has vcs virtual channels of buffer_flits
// flits each, freed by credits.
struct NocParams {
  NocTopology topology = NocTopology::kMesh;
  int64_t x = 4, y = 4;
  int64_t router_cycles = 2;
  int64_t link_cycles = 1;
  int64_t flit_bytes = 32;
  int64_t vcs = 2;
  int64_t buffer_flits = 4;
  double clock_mhz = 1000.0;
  // Length of one router-to-router link, mm (the distance between neighbouring routers): prices a
  // flit-hop (energy table noc.link is per bit per mm). Timing does not depend on it.
  double link_mm = 1.0;
  // noc.attach.*: the node of each core (cores.count of them) and of each DRAM channel, as
  // written ("auto": the topology's default placement, docs/multicore.md); resolved and checked
  // by resolve_attachment (config/attachment.h).
  std::string attach_cores = "auto";
  std::string attach_memory = "auto";
  int64_t nodes() const { return topology == NocTopology::kRing ? x : x * y; }
};

}  // namespace systole
