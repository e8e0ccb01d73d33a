// Where the cores and the DRAM channels' memory controllers sit on the NoC (noc.attach.*), for a
// multi-core NPU (cores.count > 1; docs/multicore.md "Placement").
//
// noc.attach.cores: "auto" puts core i on node i (row-major on a mesh), else a list of
// cores.count distinct nodes. noc.attach.memory: "auto" spreads the channels (a mesh: alternately
// on the west and east edges, each edge's controllers centred in equal bands of rows; a ring:
// channel j at node floor(j * x / channels); a crossbar: the nodes after the cores), else one node
// for every channel or a list of one node per channel. A node may hold a core and controllers:
// they share its port.
#pragma once

#include <cstdint>
#include <vector>

#include "systole/config/arch_spec.h"

namespace systole {

struct NocAttachment {
  std::vector<int> cores;   // node of core i
  std::vector<int> memory;  // node of DRAM channel j
};

// The DRAM channels the memory system has: the resolved device's with dram.kind cycle, else 1.
int64_t dram_channel_count(const DramParams& d);

// Resolves noc.attach.* for spec.cores.count cores and dram_channel_count(spec.dram) channels on
// spec.noc's topology. Throws ConfigError naming the key, its value and what was expected (a node
// out of range, a repeated core node, a list of the wrong length, more cores than nodes).
NocAttachment resolve_noc_attachment(const ArchSpec& spec);

}  // namespace systole
