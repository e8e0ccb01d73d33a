// A cycle-level network-on-chip (SystemC-free): input-queued virtual-channel routers joined by
// pipelined links, wormhole switching, credit-based back-pressure. The SystemC side (and
// `systole noctest`) drives it; it counts every flit-hop.
//
// Timing, in NoC cycles (one flit per link per cycle: a link is flit_bytes wide):
//   - a flit that enters a router's input buffer at cycle t may cross the switch at t +
//     router_cycles at the earliest (the router pipeline: route, VC and switch allocation,
//     traversal); it then enters the next router's input buffer at t + router_cycles +
//     link_cycles, or reaches its node at t + router_cycles when that router is its destination's;
//   - so a packet of F flits over H router-to-router hops, alone in the network, takes
//       (H + 1) * router_cycles + H * link_cycles + (F - 1)
//     cycles from its injection to its tail's delivery (zero-load latency);
//   - a crossing needs a credit: a free slot in the downstream VC's buffer (buffer_flits per VC),
//     which returns link_cycles after the flit leaves that buffer. No buffer is ever unbounded
//     inside the network; a node's injection queue holds packets not yet injected (its source
//     queue), and ejection always accepts a flit per cycle per node.
//   - a head flit takes a free VC of its class on its output port and holds it until its tail
//     has crossed (wormhole); each output port and each input port moves at most one flit per
//     cycle; allocation is round-robin, so no input starves.
// Cycles with nothing to move are skipped, and within a cycle so are the routers that cannot act
// (no front flit ready, or only ones waiting for a credit): the cost follows flit-hops, not cycles.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "systole/config/noc_params.h"
#include "systole/noc/topology.h"

namespace systole::noc {

// The parameters are noc.* of the architecture config (config/noc_params.h); the config layer
// checks user input and names the key, so check() throws InternalError.
void check(const NocParams& p, const ITopology& t);
// The topology p names, built for p's shape.
std::unique_ptr<ITopology> make_topology(const NocParams& p);

struct LinkCounters {
  int router = 0, port = 0;  // the channel leaving this router's port
  int64_t flits = 0;         // = cycles the channel was busy
  // With Network::set_link_window(W): (window k, flits crossed in cycles [k W, (k + 1) W)) for
  // every window in which the channel moved a flit, in order (at most one entry per flit-hop).
  std::vector<std::pair<int64_t, int64_t>> windows;
};

struct NetworkCounters {
  int64_t packets_injected = 0, packets_delivered = 0;
  int64_t flits_injected = 0, flits_delivered = 0;
  int64_t flit_hops = 0;            // router-to-router channel crossings
  int64_t router_traversals = 0;    // switch crossings, ejection included
  std::vector<LinkCounters> links;  // every router-to-router channel
};

struct Delivery {
  uint64_t packet = 0;  // the id inject() returned
  int src = 0, dst = 0;
  int64_t flits = 0;
  int64_t created = 0, delivered = 0;  // cycles: when it was handed to inject(), its tail's delivery
};

class Network {
 public:
  Network(const NocParams& p, std::unique_ptr<ITopology> topology);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const ITopology& topology() const { return *m_topo; }
  const NocParams& params() const { return m_p; }
  int64_t now() const { return m_now; }

  // Queues a packet of ceil(bytes / flit_bytes) flits (at least one) from node src to node dst at
  // cycle `at` (>= now()); returns its id. src == dst is delivered through the node's own router.
  uint64_t inject(int src, int dst, int64_t bytes, int64_t at);
  // Runs until cycle `until` (exclusive) or until nothing is queued or in flight, whichever is
  // first; returns the packets delivered, in delivery order (ties by packet id).
  std::vector<Delivery> run_until(int64_t until);
  bool idle() const;
  // The earliest cycle at which something can happen (a queued injection, a flit ready to cross);
  // -1 when idle.
  int64_t next_event() const;

  const NetworkCounters& counters() const { return m_counters; }
  // Count each channel's flits per window of `cycles` NoC cycles as well (LinkCounters::windows;
  // 0, the default, does not). Set before anything is injected.
  void set_link_window(int64_t cycles);
  int64_t link_window() const { return m_link_window; }
  // Flits of a packet of `bytes` bytes: ceil(bytes / flit_bytes), at least one (inject()).
  int64_t flits_of(int64_t bytes) const;
  // Zero-load latency of a packet of `flits` flits from a to b (the formula above).
  int64_t zero_load_latency(int a, int b, int64_t flits) const;

  // A network that holds flits but moves none for this many consecutive cycles is deadlocked:
  // run_until throws InternalError (no silent hang).
  static constexpr int64_t kWatchdogCycles = 100000;

 private:
  struct Impl;
  void step(std::vector<Delivery>* out);  // the cycle now(): credits, injection, routers
  NocParams m_p;
  std::unique_ptr<ITopology> m_topo;
  std::unique_ptr<Impl> m_impl;
  int64_t m_now = 0;
  int64_t m_link_window = 0;
  NetworkCounters m_counters;
};

}  // namespace systole::noc
