// crossbar: one router with a terminal port per node (x * y nodes); every packet crosses it once
// (no router-to-router hop), contending only for its destination's port.
#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/noc/topology.h"

namespace systole::noc {
namespace {

class Crossbar final : public ITopology {
 public:
  Crossbar(int x, int y) : m_n(x * y) {
    if (x < 1 || y < 1) throw InternalError(fmt::format("crossbar of {} x {} nodes", x, y));
    m_ports.resize(static_cast<size_t>(m_n));
    for (int n = 0; n < m_n; ++n) m_ports[static_cast<size_t>(n)].node = n;
  }
  std::string name() const override { return "crossbar"; }
  int nodes() const override { return m_n; }
  int routers() const override { return 1; }
  const std::vector<PortLink>& ports(int router) const override {
    if (router != 0) throw InternalError(fmt::format("crossbar router {}", router));
    return m_ports;
  }
  int router_of(int /*node*/) const override { return 0; }
  int terminal_port(int node) const override { return node; }
  RouteStep route(int /*router*/, int dst, int /*vc_class*/) const override { return {dst, 0}; }
  int hops(int /*a*/, int /*b*/) const override { return 0; }

 private:
  int m_n;
  std::vector<PortLink> m_ports;
};

}  // namespace

void register_topology_crossbar(TopologyRegistry& r) {
  r.add("crossbar", [](int x, int y) { return std::make_unique<Crossbar>(x, y); });
}

}  // namespace systole::noc
