// mesh: x columns by y rows of routers, one node each (node = row * x + column); ports 0 terminal,
// 1 east (+x), 2 west (-x), 3 north (+y), 4 south (-y), unconnected at the edges. Dimension-order
// (XY) routing: along x first, then along y, which has no cyclic channel dependency and so needs
// one VC class.
#include <cstdlib>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/noc/topology.h"

namespace systole::noc {
namespace {

class Mesh final : public ITopology {
 public:
  Mesh(int x, int y) : m_x(x), m_y(y) {
    if (x < 1 || y < 1) throw InternalError(fmt::format("mesh of {} x {} routers", x, y));
    m_ports.resize(static_cast<size_t>(x * y));
    for (int r = 0; r < x * y; ++r) {
      const int cx = r % x, cy = r / x;
      std::vector<PortLink>& p = m_ports[static_cast<size_t>(r)];
      p.resize(5);
      p[0].node = r;
      if (cx + 1 < x) p[1] = {-1, r + 1, 2};
      if (cx > 0) p[2] = {-1, r - 1, 1};
      if (cy + 1 < y) p[3] = {-1, r + x, 4};
      if (cy > 0) p[4] = {-1, r - x, 3};
    }
  }
  std::string name() const override { return "mesh"; }
  int nodes() const override { return m_x * m_y; }
  int routers() const override { return m_x * m_y; }
  const std::vector<PortLink>& ports(int router) const override {
    return m_ports.at(static_cast<size_t>(router));
  }
  int router_of(int node) const override { return node; }
  int terminal_port(int /*node*/) const override { return 0; }
  RouteStep route(int router, int dst, int /*vc_class*/) const override {
    const int cx = router % m_x, cy = router / m_x, dx = dst % m_x, dy = dst / m_x;
    if (dx > cx) return {1, 0};
    if (dx < cx) return {2, 0};
    if (dy > cy) return {3, 0};
    if (dy < cy) return {4, 0};
    return {0, 0};
  }
  int hops(int a, int b) const override { return std::abs(a % m_x - b % m_x) + std::abs(a / m_x - b / m_x); }
  int x_of(int node) const override { return node % m_x; }
  int y_of(int node) const override { return node / m_x; }

 private:
  int m_x, m_y;
  std::vector<std::vector<PortLink>> m_ports;
};

}  // namespace

void register_topology_mesh(TopologyRegistry& r) {
  r.add("mesh", [](int x, int y) { return std::make_unique<Mesh>(x, y); });
}

}  // namespace systole::noc
