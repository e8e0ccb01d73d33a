#include "systole/report/noc_report.h"

#include <algorithm>

#include <fmt/format.h>

namespace systole {

using Json = nlohmann::ordered_json;

Json noc_json(const NocStats& s) {
  Json links = Json::array();
  for (const NocLinkStats& l : s.links) {
    links.push_back(
        {{"from", l.from_router},
         {"to", l.to_router},
         {"flits", l.flits},
         {"utilization", s.cycles > 0 ? static_cast<double>(l.flits) / static_cast<double>(s.cycles) : 0.0}});
  }
  Json flows = Json::array();
  for (const NocFlowStats& f : s.flows) {
    flows.push_back(
        {{"src", f.src}, {"dst", f.dst}, {"packets", f.packets}, {"flits", f.flits}, {"bytes", f.bytes}});
  }
  Json cores = Json::array();
  for (size_t i = 0; i < s.cores.size(); ++i) {
    const NocCoreStats& c = s.cores[i];
    cores.push_back({{"core", i},
                     {"node", c.node},
                     {"read_requests", c.read_requests},
                     {"write_requests", c.write_requests},
                     {"read_bytes", c.read_bytes},
                     {"write_bytes", c.write_bytes},
                     {"network_cycles", c.network_cycles},
                     {"barriers", c.barriers},
                     {"signals", c.signals},
                     {"remote_store_requests", c.remote_store_requests},
                     {"remote_store_bytes", c.remote_store_bytes}});
  }
  return {{"topology", s.topology},
          {"x", s.x},
          {"y", s.y},
          {"clock_mhz", s.clock_mhz},
          {"cycles", s.cycles},
          {"memory_nodes", s.memory_nodes},
          {"packets", s.packets},
          {"flits", s.flits},
          {"flit_hops", s.flit_hops},
          {"router_traversals", s.router_traversals},
          {"links", std::move(links)},
          {"flows", std::move(flows)},
          {"cores", std::move(cores)}};
}

std::string multicore_summary(const SimResult& result) {
  if (result.cores.empty()) return "";
  std::string out = "\ncores (each over the whole run):\n";
  for (const CoreStats& c : result.cores) {
    const LayerStats& t = c.total;
    std::vector<std::pair<int64_t, const char*>> causes;
    for (const CycleCauseInfo& k : kCycleCauses) causes.push_back({t.breakdown[k.cause], k.label});
    std::stable_sort(causes.begin(), causes.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    out += fmt::format("  core {:<3} utilization {:6.2f}%  MACs {:>14}  DRAM {:>10.1f} KiB;", c.core,
                       100.0 * t.utilization, t.macs,
                       static_cast<double>(t.dram_reads_bytes + t.dram_writes_bytes) / 1024.0);
    for (size_t i = 0; i < 3 && i < causes.size() && causes[i].first > 0; ++i) {
      out += fmt::format(
          " {} {:.1f}%", causes[i].second,
          t.cycles > 0 ? 100.0 * static_cast<double>(causes[i].first) / static_cast<double>(t.cycles) : 0.0);
    }
    out += "\n";
  }
  const NocStats& n = result.noc;
  if (n.topology.empty()) return out;
  const NocLinkStats* busiest = nullptr;
  for (const NocLinkStats& l : n.links) {
    if (busiest == nullptr || l.flits > busiest->flits) busiest = &l;
  }
  out += fmt::format("NoC {} {}x{} at {} MHz: {} packets, {} flits, {} flit-hops over {} NoC cycles",
                     n.topology, n.x, n.y, n.clock_mhz, n.packets, n.flits, n.flit_hops, n.cycles);
  if (busiest != nullptr && n.cycles > 0) {
    out +=
        fmt::format("; busiest link {} -> {} at {:.1f}% of cycles", busiest->from_router, busiest->to_router,
                    100.0 * static_cast<double>(busiest->flits) / static_cast<double>(n.cycles));
  }
  out += "\n";
  return out;
}

}  // namespace systole
