// Spellings of noc.topology (config/noc_params.h).
#include "systole/config/noc_params.h"

#include "enum_table.h"

namespace systole {

using config_detail::name_of;
using config_detail::names_of;
using config_detail::parse_from;

namespace {

#define SYSTOLE_NOC_ENTRY(name, enumerator) std::pair{NocTopology::enumerator, #name},
constexpr std::array kTopologies{SYSTOLE_NOC_TOPOLOGIES(SYSTOLE_NOC_ENTRY)};
#undef SYSTOLE_NOC_ENTRY

}  // namespace

const char* to_string(NocTopology t) {
  return name_of(kTopologies, t);
}
bool parse_noc_topology(const std::string& s, NocTopology* out) {
  return parse_from(kTopologies, s, out);
}
std::vector<std::string> noc_topology_names() {
  return names_of(kTopologies);
}

}  // namespace systole
