#include "topology_list.h"

namespace systole::noc {

const TopologyRegistry& topology_registry() {
  static const TopologyRegistry registry = [] {
    TopologyRegistry r("NoC topology");
#define SYSTOLE_NOC_REGISTER(name, enumerator) register_topology_##name(r);
    SYSTOLE_NOC_TOPOLOGIES(SYSTOLE_NOC_REGISTER)
#undef SYSTOLE_NOC_REGISTER
    return r;
  }();
  return registry;
}

}  // namespace systole::noc
