// ring: x routers in a cycle, one node each; ports 0 terminal, 1 clockwise (to router + 1), 2
// counter-clockwise (to router - 1). A packet goes the shorter way (clockwise on a tie). The ring's
// channels form a cycle, so routing uses two VC classes with a dateline: a packet travels in class
// 0 and moves to class 1 when it crosses the link between router x - 1 and router 0 (either
// direction), which breaks every cyclic dependency (Dally & Towles, ch. 14).
#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/noc/topology.h"

namespace systole::noc {
namespace {

class Ring final : public ITopology {
 public:
  Ring(int x, int y) : m_n(x) {
    if (x < 2 || y != 1)
      throw InternalError(fmt::format("ring of {} x {} routers (it needs x >= 2, y = 1)", x, y));
    m_ports.resize(static_cast<size_t>(x));
    for (int r = 0; r < x; ++r) {
      std::vector<PortLink>& p = m_ports[static_cast<size_t>(r)];
      p.resize(3);
      p[0].node = r;
      p[1] = {-1, (r + 1) % x, 2};
      p[2] = {-1, (r + x - 1) % x, 1};
    }
  }
  std::string name() const override { return "ring"; }
  int nodes() const override { return m_n; }
  int routers() const override { return m_n; }
  const std::vector<PortLink>& ports(int router) const override {
    return m_ports.at(static_cast<size_t>(router));
  }
  int router_of(int node) const override { return node; }
  int terminal_port(int /*node*/) const override { return 0; }
  int vc_classes() const override { return 2; }
  RouteStep route(int router, int dst, int vc_class) const override {
    const int cw = (dst - router + m_n) % m_n;
    if (cw == 0) return {0, vc_class};
    if (2 * cw <= m_n) return {1, router == m_n - 1 ? 1 : vc_class};  // crossing x - 1 -> 0
    return {2, router == 0 ? 1 : vc_class};                           // crossing 0 -> x - 1
  }
  int hops(int a, int b) const override {
    const int cw = (b - a + m_n) % m_n;
    return 2 * cw <= m_n ? cw : m_n - cw;
  }

 private:
  int m_n;
  std::vector<std::vector<PortLink>> m_ports;
};

}  // namespace

void register_topology_ring(TopologyRegistry& r) {
  r.add("ring", [](int x, int y) { return std::make_unique<Ring>(x, y); });
}

}  // namespace systole::noc
