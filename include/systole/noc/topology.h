// How a network-on-chip's routers are joined and how a packet finds its way through them
// (SystemC-free). A topology builds routers with numbered ports; a port is either a terminal (a
// node: a core or a memory controller injects and ejects there) or one end of a unidirectional
// link pair to another router's port. Routing is deterministic: the output port for a destination
// depends only on the router, the destination node and the packet's VC class.
//
// Variants (registered by name, topology_list.h): mesh (X x Y, dimension-order XY routing),
// ring (X nodes, shortest direction, a dateline for deadlock freedom), crossbar (one router, a
// port per node). A new topology is its file plus one line in that list.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "systole/common/registry.h"

namespace systole::noc {

// One router port's far end.
struct PortLink {
  int node = -1;         // >= 0: a terminal port of this node
  int router = -1;       // >= 0: the port joins this router ...
  int router_port = -1;  // ... at this port (links are bidirectional pairs of channels)
};

// The route of a packet at one router: leave through `port`, in VC class `vc_class` on the next
// hop (classes split a port's VCs into equal groups; a topology that needs none uses class 0).
struct RouteStep {
  int port = 0;
  int vc_class = 0;
};

class ITopology {
 public:
  virtual ~ITopology() = default;
  virtual std::string name() const = 0;
  virtual int nodes() const = 0;
  virtual int routers() const = 0;
  // The far ends of router r's ports, index = port number.
  virtual const std::vector<PortLink>& ports(int router) const = 0;
  // Where node n attaches: its router and that router's terminal port.
  virtual int router_of(int node) const = 0;
  virtual int terminal_port(int node) const = 0;
  // How many VC classes its routing needs (the VCs per port must be a multiple).
  virtual int vc_classes() const { return 1; }
  // The output port at router r for a packet to node dst that arrived in VC class vc_class (the
  // class it travels in; 0 at injection).
  virtual RouteStep route(int router, int dst, int vc_class) const = 0;
  // Router hops from node a to node b (routers traversed minus one); the zero-load latency uses it.
  virtual int hops(int a, int b) const = 0;
  // Position of node n for pictures and traffic patterns: (x, y) on a mesh, (n, 0) otherwise.
  virtual int x_of(int node) const { return node; }
  virtual int y_of(int /*node*/) const { return 0; }
};

// Topology factories take the shape (x, y): mesh x columns by y rows; ring x nodes (y must be 1);
// crossbar x * y nodes.
using TopologyRegistry = Registry<ITopology, int, int>;
const TopologyRegistry& topology_registry();

}  // namespace systole::noc
