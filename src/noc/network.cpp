// The cycle-level NoC engine (network.h): input-queued VC routers, one pass per cycle with
// something to move, idle stretches skipped.
#include "systole/noc/network.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::noc {

void check(const NocParams& p, const ITopology& t) {
  auto bad = [](const char* what, int64_t v, const char* rule) {
    throw InternalError(fmt::format("NoC: {} = {}: {}", what, v, rule));
  };
  if (p.router_cycles < 1) bad("router_cycles", p.router_cycles, "must be >= 1");
  if (p.link_cycles < 1) bad("link_cycles", p.link_cycles, "must be >= 1");
  if (p.flit_bytes < 1) bad("flit_bytes", p.flit_bytes, "must be >= 1");
  if (p.buffer_flits < 1) bad("buffer_flits", p.buffer_flits, "must be >= 1");
  if (p.x < 1 || p.y < 1 || p.x > 64 || p.y > 64) {
    throw InternalError(fmt::format("NoC: shape {} x {}", p.x, p.y));
  }
  if (p.vcs < 1 || p.vcs % t.vc_classes() != 0) {
    throw InternalError(fmt::format("NoC: vcs = {}: the {} topology needs a multiple of {}", p.vcs, t.name(),
                                    t.vc_classes()));
  }
}

std::unique_ptr<ITopology> make_topology(const NocParams& p) {
  return topology_registry().make(to_string(p.topology), static_cast<int>(p.x), static_cast<int>(p.y));
}

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct Flit {
  uint64_t packet = 0;
  int dst = 0;
  int vc_class = 0;   // the class of the VC it occupies
  int64_t ready = 0;  // the first cycle it may cross this router's switch
  uint32_t slot = 0;  // its packet's entry in the table of injected packets
  bool head = false, tail = false;
};

// A VC's buffer: a ring of buffer_flits slots in the network's flit pool (credits guarantee it
// never overflows). The front flit's ready cycle is kept beside the ring, so a router can tell
// whether a VC may act without touching the pool.
class FlitRing {
 public:
  void reset(Flit* slots, uint32_t capacity) { m_buf = slots, m_cap = capacity, m_head = 0, m_count = 0; }
  bool empty() const { return m_count == 0; }
  const Flit& front() const { return m_buf[m_head]; }
  int64_t front_ready() const { return m_front_ready; }
  void push_back(const Flit& f) {
    if (m_count == m_cap) throw InternalError("NoC: a VC buffer overflowed its credits");
    uint32_t at = m_head + m_count;
    if (at >= m_cap) at -= m_cap;
    m_buf[at] = f;
    if (m_count++ == 0) m_front_ready = f.ready;
  }
  void pop_front() {
    if (++m_head == m_cap) m_head = 0;
    if (--m_count > 0) m_front_ready = m_buf[m_head].ready;
  }

 private:
  Flit* m_buf = nullptr;
  uint32_t m_cap = 0, m_head = 0, m_count = 0;
  int64_t m_front_ready = 0;
};

struct InputVc {
  FlitRing q;
  // The route of the packet at the front, from its head onwards: output port, output VC (-1: not
  // yet allocated), class on the next hop.
  int out_port = -1, out_vc = -1, next_class = 0;
};

struct OutputVc {
  int64_t credits = 0;  // free slots downstream (ejection: unbounded)
  bool owned = false;   // held by a packet between its head and its tail
};

struct Port {
  PortLink link;
  size_t rr = 0;  // round-robin pointer over (input port, VC) requesters of this output
  int64_t link_index = -1;
};

// A router's state, flat: input VC (port, vc) at in[port * vcs + vc], output VC likewise in out.
struct Router {
  std::vector<Port> ports;
  std::vector<InputVc> in;
  std::vector<OutputVc> out;
  int64_t flits = 0;  // in its input buffers
  // The first cycle at which the step must look at this router: the earliest ready cycle of a
  // front flit, the next cycle after a lost allocation, the cycle a credit returns to it; kNever
  // while every front flit waits for a credit. A router is skipped before it (it would move
  // nothing), so the cost of a cycle follows the routers that can act.
  int64_t wake = kNever;
  // Bit port * vcs + vc set while that input VC holds a flit: the step visits only those.
  std::vector<uint64_t> nonempty;
  void mark(size_t bit, bool on) {
    uint64_t& w = nonempty[bit / 64];
    w = on ? w | (uint64_t{1} << (bit % 64)) : w & ~(uint64_t{1} << (bit % 64));
  }
};

// A credit on its way back: to a router's output VC, or to a node's injection VC.
struct CreditReturn {
  int64_t at = 0;
  int router = 0, port = 0, vc = 0;
};

// A FIFO of credit returns over one vector (no allocation per credit once warm, unlike a deque's
// blocks): the consumed prefix is dropped when it is the larger half.
class CreditFifo {
 public:
  bool empty() const { return m_head == m_items.size(); }
  const CreditReturn& front() const { return m_items[m_head]; }
  void push_back(const CreditReturn& c) { m_items.push_back(c); }
  void pop_front() {
    if (++m_head == m_items.size()) {
      m_items.clear();
      m_head = 0;
    } else if (m_head >= 1024 && m_head * 2 >= m_items.size()) {
      m_items.erase(m_items.begin(), m_items.begin() + static_cast<std::ptrdiff_t>(m_head));
      m_head = 0;
    }
  }

 private:
  std::vector<CreditReturn> m_items;
  size_t m_head = 0;
};

struct Packet {
  uint64_t id = 0;
  int src = 0, dst = 0;
  int64_t flits = 0, created = 0;
};

struct Source {
  std::deque<Packet> queue;  // created, not yet fully injected (front: the one being injected)
  int64_t sent = 0;          // flits of the front packet already injected
  int vc = -1;               // the router input VC it is injecting into
  uint32_t slot = 0;         // the front packet's slot in the injected table, once its head is in
  std::vector<int64_t> credits;
  size_t rr = 0;
};

}  // namespace

struct Network::Impl {
  std::vector<Router> routers;
  std::vector<Source> sources;
  // Credits in flight, each queue in non-decreasing `at` (a fixed delay each): back to routers
  // (link_cycles) and back to nodes (1 cycle; `router` holds the node).
  CreditFifo router_credits, node_credits;
  uint64_t next_id = 0;
  int64_t queued = 0;       // packets created and not yet delivered
  int64_t buffered = 0;     // flits in router buffers
  bool contention = false;  // a ready flit lost an allocation in the last step: retry next cycle
  bool moved = false;       // the last step moved a flit
  int64_t hint = kNever;    // the earliest ready cycle of a buffered flit seen by the last step
  int64_t last_progress = 0;
  // Packets whose head is injected and tail not delivered, in reusable slots (no allocation per
  // packet once warm).
  std::vector<Packet> injected;
  std::vector<uint32_t> free_slots;
  // Per output port o: its requesters (port * vcs + vc, ascending) at requests[o * stride], count
  // in request_count[o]; stride = the most VCs a router has.
  std::vector<int> requests;
  std::vector<int> request_count;
  size_t request_stride = 0;
  std::vector<char> input_used;
  std::vector<Flit> pool;  // every VC's buffer slots; sized once, never reallocated
  // Requester index (port * vcs + vc) -> its port and its VC, without a division per look-up.
  std::vector<uint16_t> port_of, vc_of;
  // The topology's routes, tabled when small enough: route_table[(router * nodes + dst) *
  // classes + class]; empty: ask the topology.
  std::vector<RouteStep> route_table;
  int route_classes = 1;
};

Network::Network(const NocParams& p, std::unique_ptr<ITopology> topology)
    : m_p(p), m_topo(std::move(topology)), m_impl(std::make_unique<Impl>()) {
  check(m_p, *m_topo);
  Impl& s = *m_impl;
  s.routers.resize(static_cast<size_t>(m_topo->routers()));
  const size_t vcs = static_cast<size_t>(m_p.vcs), depth = static_cast<size_t>(m_p.buffer_flits);
  size_t most_ports = 0, total_vcs = 0;
  for (int r = 0; r < m_topo->routers(); ++r) total_vcs += m_topo->ports(r).size() * vcs;
  s.pool.assign(total_vcs * depth, Flit{});
  size_t next_slot = 0;
  for (int r = 0; r < m_topo->routers(); ++r) {
    const std::vector<PortLink>& links = m_topo->ports(r);
    Router& router = s.routers[static_cast<size_t>(r)];
    router.ports.resize(links.size());
    router.in.resize(links.size() * vcs);
    router.out.resize(links.size() * vcs);
    most_ports = std::max(most_ports, links.size());
    for (InputVc& in : router.in) {
      in.q.reset(s.pool.data() + next_slot, static_cast<uint32_t>(depth));
      next_slot += depth;
    }
    for (size_t q = 0; q < links.size(); ++q) {
      Port& port = router.ports[q];
      port.link = links[q];
      const bool ejection = port.link.node >= 0;
      for (size_t v = 0; v < vcs; ++v) router.out[q * vcs + v].credits = ejection ? kNever : m_p.buffer_flits;
      if (port.link.router >= 0) {
        port.link_index = static_cast<int64_t>(m_counters.links.size());
        m_counters.links.push_back({r, static_cast<int>(q), 0, {}});
      }
    }
  }
  for (Router& router : s.routers)
    router.nonempty.assign((router.ports.size() * static_cast<size_t>(m_p.vcs) + 63) / 64, 0);
  s.request_stride = most_ports * vcs;
  for (size_t idx = 0; idx < s.request_stride; ++idx) {
    s.port_of.push_back(static_cast<uint16_t>(idx / vcs));
    s.vc_of.push_back(static_cast<uint16_t>(idx % vcs));
  }
  // The route table: at most 2^20 entries (a 32x32 mesh); larger networks ask the topology.
  s.route_classes = m_topo->vc_classes();
  const auto entries = static_cast<int64_t>(m_topo->routers()) * m_topo->nodes() * s.route_classes;
  if (entries <= (int64_t{1} << 20)) {
    s.route_table.reserve(static_cast<size_t>(entries));
    for (int r = 0; r < m_topo->routers(); ++r) {
      for (int d = 0; d < m_topo->nodes(); ++d) {
        for (int c = 0; c < s.route_classes; ++c) s.route_table.push_back(m_topo->route(r, d, c));
      }
    }
  }
  s.requests.assign(most_ports * s.request_stride, 0);
  s.request_count.assign(most_ports, 0);
  s.input_used.assign(most_ports, 0);
  s.sources.resize(static_cast<size_t>(m_topo->nodes()));
  for (Source& src : s.sources) src.credits.assign(static_cast<size_t>(m_p.vcs), m_p.buffer_flits);
}

Network::~Network() = default;

int64_t Network::flits_of(int64_t bytes) const {
  return std::max<int64_t>(1, (bytes + m_p.flit_bytes - 1) / m_p.flit_bytes);
}

void Network::set_link_window(int64_t cycles) {
  if (cycles < 0 || m_counters.flits_injected > 0)
    throw InternalError(fmt::format("NoC: link window of {} cycles set at cycle {}", cycles, m_now));
  m_link_window = cycles;
}

int64_t Network::zero_load_latency(int a, int b, int64_t flits) const {
  const int64_t h = m_topo->hops(a, b);
  return (h + 1) * m_p.router_cycles + h * m_p.link_cycles + (flits - 1);
}

uint64_t Network::inject(int src, int dst, int64_t bytes, int64_t at) {
  const int n = m_topo->nodes();
  if (src < 0 || src >= n || dst < 0 || dst >= n || bytes < 0 || at < m_now) {
    throw InternalError(fmt::format("NoC: inject({} -> {}, {} B, at {}) with {} nodes at cycle {}", src, dst,
                                    bytes, at, n, m_now));
  }
  Impl& s = *m_impl;
  Packet p;
  p.id = s.next_id++;
  p.src = src, p.dst = dst;
  p.flits = flits_of(bytes);
  p.created = at;
  std::deque<Packet>& q = s.sources[static_cast<size_t>(src)].queue;
  if (!q.empty() && at < q.back().created) {
    throw InternalError(fmt::format("NoC: node {} gets a packet created at {} after one created at {}", src,
                                    at, q.back().created));
  }
  q.push_back(p);
  ++s.queued;
  return p.id;
}

bool Network::idle() const {
  return m_impl->queued == 0 && m_impl->buffered == 0;
}

int64_t Network::next_event() const {
  const Impl& s = *m_impl;
  if (idle()) return -1;
  if (s.contention) return m_now;  // something ready lost an allocation: retry this cycle
  int64_t next = s.hint;
  if (!s.router_credits.empty()) next = std::min(next, s.router_credits.front().at);
  if (!s.node_credits.empty()) next = std::min(next, s.node_credits.front().at);
  const size_t per_class = static_cast<size_t>(m_p.vcs / m_topo->vc_classes());
  for (const Source& src : s.sources) {
    if (src.queue.empty()) continue;
    bool blocked = true;  // waits for a credit return (an event above)
    if (src.vc >= 0) {
      blocked = src.credits[static_cast<size_t>(src.vc)] == 0;
    } else {
      for (size_t v = 0; v < per_class; ++v) blocked = blocked && src.credits[v] == 0;
    }
    if (!blocked) next = std::min(next, src.queue.front().created);
  }
  // Every buffered flit is ready at its cycle (hint), waits for a credit in flight, or lost an
  // allocation (contention); kNever with flits buffered is a deadlock, which the watchdog names
  // when time is made to pass.
  return next == kNever ? m_now : std::max(next, m_now);
}

void Network::step(std::vector<Delivery>* out) {
  Impl& s = *m_impl;
  const int64_t R = m_p.router_cycles, L = m_p.link_cycles;
  const size_t vcs = static_cast<size_t>(m_p.vcs);
  const size_t per_class = vcs / static_cast<size_t>(m_topo->vc_classes());
  const int nodes = m_topo->nodes();
  s.moved = false;
  s.contention = false;
  s.hint = kNever;
  // 1. Credits due by now; a credit back to a router may unblock a flit there, so it looks again.
  while (!s.router_credits.empty() && s.router_credits.front().at <= m_now) {
    const CreditReturn& c = s.router_credits.front();
    Router& router = s.routers[static_cast<size_t>(c.router)];
    ++router.out[static_cast<size_t>(c.port) * vcs + static_cast<size_t>(c.vc)].credits;
    router.wake = std::min(router.wake, m_now);
    s.router_credits.pop_front();
  }
  while (!s.node_credits.empty() && s.node_credits.front().at <= m_now) {
    const CreditReturn& c = s.node_credits.front();
    ++s.sources[static_cast<size_t>(c.router)].credits[static_cast<size_t>(c.vc)];
    s.node_credits.pop_front();
  }
  // 2. Each node injects at most one flit, into a class-0 VC of its router's terminal port; a
  // packet's flits all go into the VC its head took.
  for (int n = 0; n < nodes; ++n) {
    Source& src = s.sources[static_cast<size_t>(n)];
    if (src.queue.empty() || src.queue.front().created > m_now) continue;
    if (src.vc < 0) {
      for (size_t k = 0; k < per_class && src.vc < 0; ++k) {
        const size_t v = (src.rr + k) % per_class;
        if (src.credits[v] > 0) src.vc = static_cast<int>(v), src.rr = v + 1;
      }
      if (src.vc < 0) continue;  // every VC full: a credit return is the next event
    }
    if (src.credits[static_cast<size_t>(src.vc)] == 0) continue;
    const Packet& p = src.queue.front();
    Router& router = s.routers[static_cast<size_t>(m_topo->router_of(n))];
    if (src.sent == 0) {  // the head: the packet takes a slot of the table until its tail arrives
      if (s.free_slots.empty()) {
        s.free_slots.push_back(static_cast<uint32_t>(s.injected.size()));
        s.injected.emplace_back();
      }
      src.slot = s.free_slots.back();
      s.free_slots.pop_back();
      s.injected[src.slot] = p;
    }
    Flit f;
    f.packet = p.id;
    f.slot = src.slot;
    f.dst = p.dst;
    f.head = src.sent == 0;
    f.tail = src.sent + 1 == p.flits;
    f.ready = m_now + R;
    const size_t tport = static_cast<size_t>(m_topo->terminal_port(n));
    InputVc& in = router.in[tport * vcs + static_cast<size_t>(src.vc)];
    // Only a flit that becomes its VC's front can act; one behind is looked at when it gets there.
    if (in.q.empty()) router.wake = std::min(router.wake, f.ready);
    in.q.push_back(f);
    router.mark(tport * vcs + static_cast<size_t>(src.vc), true);
    ++router.flits;
    ++s.buffered;
    --src.credits[static_cast<size_t>(src.vc)];
    ++m_counters.flits_injected;
    s.moved = true;
    if (f.head) ++m_counters.packets_injected;
    if (f.tail) {
      src.queue.pop_front();
      src.sent = 0;
      src.vc = -1;
    } else {
      ++src.sent;
    }
  }
  // 3. Per router that can act (Router::wake): the ready front flits request their output ports
  // (routing a head on arrival at the front); each output port grants one, round-robin over
  // (input port, VC) from its pointer, to a requester whose input port has not crossed this cycle
  // and that holds (or now gets) a VC of its next hop's class with a credit; the flit crosses.
  // A router skipped here has no ready front flit, or only ones waiting for a credit (which wakes
  // it): looking at it would change nothing.
  for (int r = 0; r < static_cast<int>(s.routers.size()); ++r) {
    Router& router = s.routers[static_cast<size_t>(r)];
    if (router.flits == 0) {
      router.wake = kNever;
      continue;
    }
    if (router.wake > m_now) {
      s.hint = std::min(s.hint, router.wake);
      continue;
    }
    int64_t wake = kNever;  // this router's next wake, gathered below
    const size_t nports = router.ports.size();
    std::fill(s.request_count.begin(), s.request_count.begin() + static_cast<std::ptrdiff_t>(nports), 0);
    // The non-empty input VCs in ascending (port, VC) order, so that each output's requests are
    // sorted by requester index.
    for (size_t w = 0; w < router.nonempty.size(); ++w) {
      for (uint64_t bits = router.nonempty[w]; bits != 0; bits &= bits - 1) {
        const size_t idx = w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
        InputVc& in = router.in[idx];
        if (in.q.front_ready() > m_now) {
          wake = std::min(wake, in.q.front_ready());
          continue;
        }
        if (in.out_port < 0) {  // a head at the front (a body flit follows its head's route)
          const Flit& f = in.q.front();
          if (!f.head) throw InternalError("NoC: a body flit at the front of a VC without its route");
          const RouteStep route = s.route_table.empty()
                                      ? m_topo->route(r, f.dst, f.vc_class)
                                      : s.route_table[(static_cast<size_t>(r) * static_cast<size_t>(nodes) +
                                                       static_cast<size_t>(f.dst)) *
                                                          static_cast<size_t>(s.route_classes) +
                                                      static_cast<size_t>(f.vc_class)];
          in.out_port = route.port;
          in.next_class = route.vc_class;
        }
        const auto o = static_cast<size_t>(in.out_port);
        s.requests[o * s.request_stride + static_cast<size_t>(s.request_count[o]++)] = static_cast<int>(idx);
      }
    }
    std::fill(s.input_used.begin(), s.input_used.begin() + static_cast<std::ptrdiff_t>(nports), 0);
    for (size_t o = 0; o < nports; ++o) {
      const size_t count = static_cast<size_t>(s.request_count[o]);
      if (count == 0) continue;
      const int* reqs = s.requests.data() + o * s.request_stride;
      Port& outp = router.ports[o];
      OutputVc* outs = router.out.data() + o * vcs;
      // Round-robin: the requests (ascending) from the first at or after the pointer, wrapping.
      // The pointer is a requester index + 1, so it wraps to 0 at nports * vcs.
      const int rr = outp.rr == nports * vcs ? 0 : static_cast<int>(outp.rr);
      size_t first = static_cast<size_t>(std::lower_bound(reqs, reqs + count, rr) - reqs);
      if (first == count) first = 0;
      bool granted = false;
      for (size_t k = 0; k < count; ++k) {
        const int idx = reqs[first + k < count ? first + k : first + k - count];
        const size_t ip = s.port_of[static_cast<size_t>(idx)], iv = s.vc_of[static_cast<size_t>(idx)];
        InputVc& in = router.in[static_cast<size_t>(idx)];
        if (granted || s.input_used[ip]) {
          const bool credit_wait = in.out_vc >= 0 && outs[in.out_vc].credits == 0;
          if (!credit_wait) s.contention = true, wake = m_now + 1;
          continue;
        }
        if (in.out_vc < 0) {
          const size_t base = static_cast<size_t>(in.next_class) * per_class;
          for (size_t v = base; v < base + per_class && in.out_vc < 0; ++v) {
            if (!outs[v].owned) in.out_vc = static_cast<int>(v), outs[v].owned = true;
          }
          if (in.out_vc < 0) {  // every VC of its class held by another packet
            s.contention = true, wake = m_now + 1;
            continue;
          }
        }
        OutputVc& ovc = outs[in.out_vc];
        if (ovc.credits == 0) continue;  // waits for a credit return, which wakes the router
        const Flit flit = in.q.front();
        in.q.pop_front();
        if (!in.q.empty()) {
          wake = std::min(wake, std::max(m_now + 1, in.q.front_ready()));
        } else {
          router.mark(static_cast<size_t>(idx), false);
        }
        --router.flits;
        --s.buffered;
        s.input_used[ip] = 1;
        outp.rr = static_cast<size_t>(idx) + 1;
        granted = true;
        s.moved = true;
        ++m_counters.router_traversals;
        // The slot it leaves frees: a credit back to whoever filled this input VC.
        const PortLink& from = router.ports[ip].link;
        if (from.node >= 0) {
          s.node_credits.push_back({m_now + 1, from.node, 0, static_cast<int>(iv)});
        } else {
          s.router_credits.push_back({m_now + L, from.router, from.router_port, static_cast<int>(iv)});
        }
        if (outp.link.node >= 0) {  // ejection to its node
          ++m_counters.flits_delivered;
          if (flit.tail) {
            const Packet& p = s.injected.at(flit.slot);
            if (p.id != flit.packet) throw InternalError("NoC: a tail flit without its packet");
            out->push_back({p.id, p.src, p.dst, p.flits, p.created, m_now});
            s.free_slots.push_back(flit.slot);
            ++m_counters.packets_delivered;
            --s.queued;
          }
        } else {
          --ovc.credits;
          Router& next = s.routers[static_cast<size_t>(outp.link.router)];
          Flit hop = flit;
          hop.vc_class = in.next_class;
          hop.ready = m_now + L + R;
          const size_t in_idx =
              static_cast<size_t>(outp.link.router_port) * vcs + static_cast<size_t>(in.out_vc);
          InputVc& next_in = next.in[in_idx];
          if (next_in.q.empty()) {
            next.wake = std::min(next.wake, hop.ready);
            s.hint = std::min(s.hint, hop.ready);
          }
          next_in.q.push_back(hop);
          next.mark(in_idx, true);
          ++next.flits;
          ++s.buffered;
          ++m_counters.flit_hops;
          LinkCounters& link = m_counters.links[static_cast<size_t>(outp.link_index)];
          ++link.flits;
          if (m_link_window > 0) {
            const int64_t k = m_now / m_link_window;
            if (link.windows.empty() || link.windows.back().first != k) link.windows.emplace_back(k, 0);
            ++link.windows.back().second;
          }
        }
        if (flit.tail) {
          ovc.owned = false;
          in.out_port = -1;
          in.out_vc = -1;
        }
      }
    }
    router.wake = wake;
    s.hint = std::min(s.hint, wake);
  }
}

std::vector<Delivery> Network::run_until(int64_t until) {
  Impl& s = *m_impl;
  std::vector<Delivery> out;
  while (!idle()) {
    const int64_t t = next_event();
    if (t >= until) {
      m_now = std::max(m_now, until);
      break;
    }
    m_now = t;
    step(&out);
    ++m_now;  // cycle t is done
    if (s.moved) {
      s.last_progress = t;
    } else if (s.buffered > 0 && t - s.last_progress > kWatchdogCycles) {
      throw InternalError(
          fmt::format("NoC: deadlock: {} flits in the routers and none moved for {} cycles (cycle {})",
                      s.buffered, t - s.last_progress, t));
    }
  }
  return out;
}

}  // namespace systole::noc
