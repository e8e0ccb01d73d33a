// The cycle-level NoC engine (noc/network.h): zero-load latency exact on every topology, flits
// conserved under overload, the dateline keeping a ring deadlock-free and the watchdog catching a
// ring without one, round-robin fairness.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "systole/common/error.h"
#include "systole/noc/network.h"
#include "systole/noc/traffic.h"

namespace systole::noc {
namespace {

std::unique_ptr<Network> make(const NocParams& p) {
  return std::make_unique<Network>(p, make_topology(p));
}

// Router hops as the test derives them, independently of the topologies' own hops().
int64_t expected_hops(const NocParams& p, int64_t a, int64_t b) {
  if (p.topology == NocTopology::kMesh) return std::abs(a % p.x - b % p.x) + std::abs(a / p.x - b / p.x);
  if (p.topology == NocTopology::kRing) {
    const int64_t cw = ((b - a) % p.x + p.x) % p.x;
    return std::min(cw, p.x - cw);
  }
  return 0;  // crossbar
}

TEST(NocNetwork, ZeroLoadLatencyIsHopsTimesRouterAndLinkPlusSerialisation) {
  for (NocTopology topo : {NocTopology::kMesh, NocTopology::kRing, NocTopology::kCrossbar}) {
    const bool ring = topo == NocTopology::kRing;
    for (int64_t router : {1, 3}) {
      for (int64_t link : {1, 2}) {
        NocParams p;
        p.topology = topo;
        p.x = ring ? 7 : 4;
        p.y = ring ? 1 : 3;
        p.router_cycles = router;
        p.link_cycles = link;
        p.flit_bytes = 16;
        p.buffer_flits = router + 2 * link;  // full rate: covers the credit round trip
        const int n = static_cast<int>(p.x * p.y);
        for (int a = 0; a < n; a += 2) {
          for (int b = 0; b < n; b += 3) {
            for (int64_t bytes : {1, 16, 100}) {
              auto net = make(p);
              const int64_t at = 5;
              net->run_until(at);
              net->inject(a, b, bytes, at);
              const auto d = net->run_until(1000000);
              ASSERT_EQ(d.size(), 1u);
              const int64_t flits = (bytes + 15) / 16, h = expected_hops(p, a, b);
              EXPECT_EQ(d[0].delivered - d[0].created, (h + 1) * router + h * link + (flits - 1))
                  << to_string(topo) << " " << a << "->" << b << " " << bytes << " B, router " << router
                  << " link " << link;
              EXPECT_EQ(net->counters().flit_hops, h * flits);
              EXPECT_EQ(net->counters().router_traversals, (h + 1) * flits);
            }
          }
        }
      }
    }
  }
}

TEST(NocNetwork, ABufferShorterThanTheCreditRoundTripThrottlesAStream) {
  // One VC with 2 slots, router 2 + link 1: a slot is reused every 2 + 2 * 1 = 4 cycles, so a
  // long packet streams at 2 flits per 4 cycles after the first hop.
  NocParams p;
  p.x = 3, p.y = 1, p.vcs = 1, p.buffer_flits = 2, p.flit_bytes = 1;
  auto net = make(p);
  net->inject(0, 2, 40, 0);
  const auto d = net->run_until(1000000);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_GT(d[0].delivered - d[0].created, net->zero_load_latency(0, 2, 40) + 30);
  EXPECT_EQ(net->counters().flits_delivered, 40);
}

TEST(NocNetwork, LinkWindowsSplitEachLinksFlitsByTime) {
  // One 40-flit packet over a 3-router line: each link is busy for 40 consecutive cycles,
  // starting when the head reaches it; windows of 16 cycles hold the flits each crossed in them.
  NocParams p;
  p.x = 3, p.y = 1, p.flit_bytes = 1;
  auto net = make(p);
  net->set_link_window(16);
  EXPECT_EQ(net->link_window(), 16);
  net->inject(0, 2, 40, 0);
  net->run_until(1000000);
  int busy_links = 0;
  for (const LinkCounters& l : net->counters().links) {
    int64_t sum = 0, last = -1;
    for (const auto& [k, flits] : l.windows) {
      EXPECT_GT(k, last) << "windows in order, one entry each";
      EXPECT_GT(flits, 0);
      EXPECT_LE(flits, 16) << "at most one flit per cycle";
      sum += flits;
      last = k;
    }
    EXPECT_EQ(sum, l.flits);
    if (l.flits > 0) {
      ++busy_links;
      EXPECT_EQ(l.flits, 40);
      // 40 back-to-back flits cover three or four windows; the inner ones are full.
      ASSERT_GE(l.windows.size(), 3u);
      for (size_t i = 1; i + 1 < l.windows.size(); ++i) EXPECT_EQ(l.windows[i].second, 16);
    }
  }
  EXPECT_EQ(busy_links, 2);
  // Without a window nothing is kept per window; once flits move it cannot be set.
  auto plain = make(p);
  plain->inject(0, 2, 40, 0);
  plain->run_until(1000000);
  for (const LinkCounters& l : plain->counters().links) EXPECT_TRUE(l.windows.empty());
  EXPECT_THROW(plain->set_link_window(16), InternalError);
}

TEST(NocNetwork, OverloadLosesAndDuplicatesNoFlit) {
  for (NocTopology topo : {NocTopology::kMesh, NocTopology::kRing, NocTopology::kCrossbar}) {
    const char* name = to_string(topo);
    NocParams p;
    p.topology = topo;
    p.x = topo == NocTopology::kRing ? 8 : 4;
    p.y = topo == NocTopology::kRing ? 1 : 4;
    TrafficParams t;
    t.rate = 1.0;  // far past saturation
    t.packet_flits = 4;
    t.warmup = 200;
    t.cycles = 2000;
    t.drain_limit = 1000000;
    const TrafficResult r = run_traffic(p, t);
    EXPECT_TRUE(r.drained) << name;
    EXPECT_EQ(r.counters.flits_injected, r.counters.flits_delivered) << name;
    EXPECT_EQ(r.counters.packets_injected, r.counters.packets_delivered) << name;
    EXPECT_EQ(r.delivered_measured, r.measured_packets) << name;
    EXPECT_LT(r.accepted_rate, r.offered_rate) << name << ": past saturation";
  }
}

TEST(NocNetwork, DeliveriesCarryEachPacketOnce) {
  NocParams p;
  auto net = make(p);
  std::set<uint64_t> ids;
  for (int k = 0; k < 200; ++k) ids.insert(net->inject(k % 16, (k * 7) % 16, 64 + k, k / 4));
  std::set<uint64_t> seen;
  for (const Delivery& d : net->run_until(1000000)) EXPECT_TRUE(seen.insert(d.packet).second) << d.packet;
  EXPECT_EQ(seen, ids);
  EXPECT_TRUE(net->idle());
}

// A ring routed without a dateline (one VC class): its channels form a cycle, and wormhole packets
// longer than the buffers fill it until nothing can move. The watchdog must say so.
class NoDatelineRing final : public ITopology {
 public:
  explicit NoDatelineRing(int n) : m_n(n), m_ports(static_cast<size_t>(n)) {
    for (int r = 0; r < n; ++r) {
      m_ports[static_cast<size_t>(r)] = {{r, -1, -1}, {-1, (r + 1) % n, 2}, {-1, (r + n - 1) % n, 1}};
    }
  }
  std::string name() const override { return "no-dateline ring"; }
  int nodes() const override { return m_n; }
  int routers() const override { return m_n; }
  const std::vector<PortLink>& ports(int r) const override { return m_ports[static_cast<size_t>(r)]; }
  int router_of(int node) const override { return node; }
  int terminal_port(int) const override { return 0; }
  RouteStep route(int r, int dst, int) const override { return {r == dst ? 0 : 1, 0}; }  // clockwise only
  int hops(int a, int b) const override { return ((b - a) % m_n + m_n) % m_n; }

 private:
  int m_n;
  std::vector<std::vector<PortLink>> m_ports;
};

TEST(NocNetwork, TheWatchdogNamesADeadlockInsteadOfHanging) {
  NocParams p;
  p.vcs = 1;
  p.buffer_flits = 2;
  p.flit_bytes = 1;
  Network net(p, std::make_unique<NoDatelineRing>(4));
  // Every node sends a long packet three hops clockwise at once: each holds its channel and waits
  // for the next, which the next packet holds.
  for (int s = 0; s < 4; ++s) net.inject(s, (s + 3) % 4, 64, 0);
  try {
    net.run_until(10 * Network::kWatchdogCycles);
    FAIL() << "a cyclic wait must not complete";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("deadlock"), std::string::npos) << e.what();
  }
}

TEST(NocNetwork, TheRingDatelineKeepsTheSameLoadDeadlockFree) {
  NocParams p;
  p.topology = NocTopology::kRing;
  p.x = 4, p.y = 1, p.vcs = 2, p.buffer_flits = 2, p.flit_bytes = 1;
  auto net = make(p);
  for (int s = 0; s < 4; ++s) net->inject(s, (s + 2) % 4, 64, 0);  // two hops: the longest way
  EXPECT_EQ(net->run_until(10 * Network::kWatchdogCycles).size(), 4u);
}

TEST(NocNetwork, TheRegistryHoldsExactlyTheConfigsTopologies) {
  EXPECT_EQ(topology_registry().names(), noc_topology_names());
}

TEST(NocNetwork, BadParametersAndInjectionsAreRefused) {
  NocParams p;
  p.topology = NocTopology::kRing;
  p.x = 4, p.y = 1, p.vcs = 1;  // the ring needs two VC classes
  EXPECT_THROW(make(p), InternalError);
  EXPECT_THROW(topology_registry().make("torus", 4, 4), UnknownVariant);
  NocParams ok;
  auto net = make(ok);
  EXPECT_THROW(net->inject(0, 16, 8, 0), InternalError);  // 16 nodes: 0..15
  net->inject(0, 1, 8, 10);
  EXPECT_THROW(net->inject(0, 1, 8, 9), InternalError);  // out of creation order at one node
}

}  // namespace
}  // namespace systole::noc
