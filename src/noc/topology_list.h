// Every NoC topology in this folder is listed once, in config/noc_params.h
// (SYSTOLE_NOC_TOPOLOGIES: the YAML spelling of noc.topology and the registry's name); a static
// library drops object files nothing refers to, so registration goes through that list (common/
// registry.h): adding a topology is its file plus one line there.
#pragma once

#include "systole/config/noc_params.h"
#include "systole/noc/topology.h"

namespace systole::noc {
#define SYSTOLE_NOC_DECLARE(name, enumerator) void register_topology_##name(TopologyRegistry& registry);
SYSTOLE_NOC_TOPOLOGIES(SYSTOLE_NOC_DECLARE)
#undef SYSTOLE_NOC_DECLARE
}  // namespace systole::noc
