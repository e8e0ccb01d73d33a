#include "systole/hw/noc/noc_fabric.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/hw/core/process_guard.h"
#include "systole/hw/memory/scratchpad.h"
#include "systole/hw/noc/remote_store.h"

namespace systole::hw {

// A core's DMA side of the fabric: requests go into the fabric's queue; completions come back
// when their response is delivered, and next_completion() waits for them in simulated time.
class NocFabric::CorePort : public IDramRequestPort {
 public:
  CorePort(NocFabric& fabric, int core) : m_fabric(fabric), m_core(core) {}

  void submit(tlm::tlm_generic_payload& trans, const sc_core::sc_time& arrival) override {
    const sc_core::sc_time at = std::max(arrival, sc_core::sc_time_stamp());
    // In arrival order (submission order among equal arrivals): cores on another clock than the
    // NoC may submit for a later edge before another core submits for an earlier one.
    std::deque<Pending>& q = m_fabric.m_pending;
    auto it = q.end();
    while (it != q.begin() && std::prev(it)->arrival > at) --it;
    q.insert(it, {at, m_core, &trans});
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    ++m_outstanding;
    m_fabric.kick();
  }
  bool next_completion(DramCompletion* out) override {
    if (m_outstanding == 0) return false;
    while (m_inbox.empty()) sc_core::wait(m_arrived);
    *out = m_inbox.front();
    m_inbox.pop_front();
    --m_outstanding;
    return true;
  }
  bool next_completion_before(const sc_core::sc_time&, DramCompletion*) override {
    throw InternalError("a core's NoC port is driven by its DMA through next_completion");
  }
  bool completion_bound(sc_core::sc_time*) const override {
    throw InternalError("a core's NoC port is driven by its DMA through next_completion");
  }
  void complete(const DramCompletion& c) {
    m_inbox.push_back(c);
    m_arrived.notify(sc_core::SC_ZERO_TIME);
  }

 private:
  NocFabric& m_fabric;
  int m_core;
  int64_t m_outstanding = 0;
  std::deque<DramCompletion> m_inbox;
  sc_core::sc_event m_arrived;
};

// A core's cross-core SYNCs: start() sends a barrier's arrival (its release retires it), a signal
// (retired once injected), or waits for a signal (retired when it is delivered).
class NocFabric::BarrierUnit : public IExecUnit {
 public:
  BarrierUnit(NocFabric& fabric, int core) : m_fabric(fabric), m_core(core) {}
  void start(const Instruction& inst) override {
    const auto* sync = std::get_if<SyncOp>(&inst.payload);
    if (sync == nullptr || !sync->on_fabric())
      throw InternalError("barrier unit given a SYNC that does not cross cores");
    if (sync->barrier >= 0) {
      m_fabric.arrive(m_core, inst.id, sync->barrier);
    } else if (sync->signal_core >= 0) {
      m_fabric.send_signal(m_core, inst.id, sync->signal_core, sync->token);
    } else {
      m_fabric.wait_signal(m_core, inst.id, sync->wait_core, sync->token);
    }
  }
  // `noc`: the crossings of the SYNC's arrival and release flits.
  void release(uint32_t instruction, int64_t flit_hops, int64_t router_traversals) {
    if (m_listener == nullptr) throw InternalError("barrier unit without a controller");
    InstructionRecord rec;
    rec.actions.noc_flit_hops = flit_hops;
    rec.actions.noc_router_traversals = router_traversals;
    m_listener->retire(instruction, rec);
  }
  void set_listener(IRetireListener* l) { m_listener = l; }

 private:
  NocFabric& m_fabric;
  int m_core;
  IRetireListener* m_listener = nullptr;
};

NocFabric::NocFabric(sc_core::sc_module_name name, const NocFabricParams& params, const IDramChannel& dram)
    : sc_core::sc_module(name),
      dram_port("dram_port"),
      m_params(params),
      m_dram(dram),
      m_clock(params.noc.clock_mhz),
      m_net(std::make_unique<noc::Network>(params.noc, noc::make_topology(params.noc))),
      m_traffic(params.attach.cores.size()) {
  m_net->set_link_window(params.link_window_cycles);
  for (size_t c = 0; c < params.attach.cores.size(); ++c) {
    m_ports.push_back(std::make_unique<CorePort>(*this, static_cast<int>(c)));
    m_barriers.push_back(std::make_unique<BarrierUnit>(*this, static_cast<int>(c)));
    m_store_sockets.push_back(std::make_unique<tlm_utils::simple_initiator_socket<NocFabric>>(
        fmt::format("store_socket_{}", c).c_str()));
  }
  SC_METHOD(step);
  sensitive << m_kick;
  dont_initialize();
}

NocFabric::~NocFabric() = default;

IDramRequestPort& NocFabric::core_port(int core) {
  return *m_ports.at(static_cast<size_t>(core));
}

IExecUnit& NocFabric::barrier_unit(int core) {
  return *m_barriers.at(static_cast<size_t>(core));
}

tlm_utils::simple_initiator_socket<NocFabric>& NocFabric::store_socket(int core) {
  return *m_store_sockets.at(static_cast<size_t>(core));
}

void NocFabric::set_retire_listener(int core, IRetireListener* listener) {
  m_barriers.at(static_cast<size_t>(core))->set_listener(listener);
}

std::vector<NocFlow> NocFabric::flows() const {
  std::vector<NocFlow> out;
  for (const auto& [key, f] : m_flows) out.push_back(f);
  std::sort(out.begin(), out.end(), [](const NocFlow& a, const NocFlow& b) {
    return std::pair(a.src, a.dst) < std::pair(b.src, b.dst);
  });
  return out;
}

void NocFabric::arrive(int core, uint32_t instruction, int64_t barrier) {
  m_arrivals.push_back({core, {instruction, barrier}});
  m_traffic[static_cast<size_t>(core)].barriers += 1;
  kick();
}

void NocFabric::send_signal(int core, uint32_t instruction, int to, int64_t token) {
  if (to < 0 || to >= static_cast<int>(m_ports.size()) || to == core)
    throw InternalError(fmt::format("core {} signals core {}", core, to));
  Packet p;
  p.kind = Kind::kSignal;
  p.core = core;
  p.instruction = instruction;
  p.to_core = to;
  p.token = token;
  m_signals.push_back(p);
  m_traffic[static_cast<size_t>(core)].signals += 1;
  kick();
}

void NocFabric::wait_signal(int core, uint32_t instruction, int from, int64_t token) {
  const auto key = std::make_tuple(core, from, token);
  const auto it = m_tokens.find(key);
  if (it != m_tokens.end()) {
    if (--it->second == 0) m_tokens.erase(it);
    m_ready_waits.push_back({core, instruction});
    kick();
    return;
  }
  if (!m_waiting.emplace(key, instruction).second)
    throw InternalError(fmt::format("core {} waits twice for core {}'s token {}", core, from, token));
}

void NocFabric::inject(int src, int dst, int64_t data_bytes, int64_t at, Packet p) {
  const int64_t bytes = std::max<int64_t>(data_bytes, 1);  // the header rides in the first flit
  p.injected = at;
  const int64_t flits = m_net->flits_of(bytes);
  const int64_t hops = m_net->topology().hops(src, dst);
  p.flit_hops += flits * hops;
  p.router_traversals += flits * (hops + 1);
  const uint64_t id = m_net->inject(src, dst, bytes, at);
  NocFlow& f = m_flows[static_cast<uint64_t>(src) * static_cast<uint64_t>(m_net->topology().nodes()) +
                       static_cast<uint64_t>(dst)];
  f.src = src;
  f.dst = dst;
  f.packets += 1;
  f.flits += flits;
  f.bytes += data_bytes;
  m_in_flight.emplace(id, p);
}

void NocFabric::deliver(const noc::Delivery& d) {
  const auto it = m_in_flight.find(d.packet);
  if (it == m_in_flight.end()) throw InternalError(fmt::format("NoC delivered unknown packet {}", d.packet));
  const Packet p = it->second;
  m_in_flight.erase(it);
  const int64_t cycles = d.delivered - p.injected;
  switch (p.kind) {
    case Kind::kReadRequest:
    case Kind::kWriteRequest: {
      if (p.to_core >= 0) {
        write_remote(p, d.delivered);
        break;
      }
      Packet r = p;
      r.kind = Kind::kResponse;
      r.request_cycles = cycles;
      m_at_memory.emplace(p.payload, r);
      dram_port->submit(*p.payload, m_clock.time_of(d.delivered));
      if (p.payload->is_response_error()) {
        // The DRAM refused it at once (its data lies outside the contents): answer now.
        m_at_memory.erase(p.payload);
        m_ports[static_cast<size_t>(p.core)]->complete({p.payload, sc_core::sc_time_stamp(), 0,
                                                        sc_core::SC_ZERO_TIME, p.flit_hops,
                                                        p.router_traversals});
      }
      break;
    }
    case Kind::kResponse: {
      NocCoreTraffic& t = m_traffic[static_cast<size_t>(p.core)];
      if (p.to_core >= 0) {  // a remote store's acknowledgement: all of its round trip is network
        const int64_t trip = d.delivered - p.request_injected;
        t.network_cycles += trip;
        DramCompletion done{p.payload,   m_clock.time_of(d.delivered), 0, m_clock.time_of(trip),
                            p.flit_hops, p.router_traversals};
        done.remote_store_accesses = p.remote_accesses;
        m_ports[static_cast<size_t>(p.core)]->complete(done);
        break;
      }
      t.network_cycles += p.request_cycles + cycles;
      m_ports[static_cast<size_t>(p.core)]->complete(
          {p.payload, m_clock.time_of(d.delivered), m_dram.channel_of(p.payload->get_address()),
           m_clock.time_of(p.request_cycles + cycles), p.flit_hops, p.router_traversals});
      break;
    }
    case Kind::kBarrierArrive: {
      const auto cores = static_cast<int64_t>(m_params.attach.cores.size());
      m_barrier_arrival.resize(static_cast<size_t>(cores));
      m_barrier_arrival[static_cast<size_t>(p.core)] = p;
      int64_t& count = m_barrier_count[p.barrier];
      count += 1;
      if (count < cores) break;
      m_barrier_count.erase(p.barrier);
      for (int64_t c = 0; c < cores; ++c) {
        Packet rel;
        rel.kind = Kind::kBarrierRelease;
        rel.core = static_cast<int>(c);
        rel.barrier = p.barrier;
        rel.instruction = m_barrier_instruction.at(static_cast<size_t>(c));
        rel.flit_hops = m_barrier_arrival[static_cast<size_t>(c)].flit_hops;
        rel.router_traversals = m_barrier_arrival[static_cast<size_t>(c)].router_traversals;
        inject(d.dst, m_params.attach.cores[static_cast<size_t>(c)], 0, m_net->now(), rel);
      }
      break;
    }
    case Kind::kBarrierRelease:
      m_barriers[static_cast<size_t>(p.core)]->release(p.instruction, p.flit_hops, p.router_traversals);
      break;
    case Kind::kSignal: {
      const auto key = std::make_tuple(p.to_core, p.core, p.token);
      const auto w = m_waiting.find(key);
      if (w == m_waiting.end()) {
        m_tokens[key] += 1;
      } else {
        m_barriers[static_cast<size_t>(p.to_core)]->release(w->second, 0, 0);
        m_waiting.erase(w);
      }
      break;
    }
  }
}

void NocFabric::write_remote(const Packet& p, int64_t delivered) {
  // The write starts when the tail arrives: at that NoC edge, which may lie after this instant.
  const sc_core::sc_time now = sc_core::sc_time_stamp(), at = m_clock.time_of(delivered);
  sc_core::sc_time delay = at > now ? at - now : sc_core::SC_ZERO_TIME;
  SpmAccessExtension cost;
  p.payload->set_extension(&cost);
  p.payload->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  (*m_store_sockets.at(static_cast<size_t>(p.to_core)))->b_transport(*p.payload, delay);
  p.payload->clear_extension(&cost);
  if (!p.payload->is_response_ok()) {
    throw InternalError(fmt::format(
        "NoC: core {}'s write of {} B at {:#x} into core {}'s tensor store failed: {}", p.core,
        p.payload->get_data_length(), p.payload->get_address(), p.to_core, p.payload->get_response_string()));
  }
  Packet ack = p;
  ack.kind = Kind::kResponse;
  ack.request_injected = p.injected;
  ack.remote_accesses = cost.accesses;
  const std::vector<int>& node = m_params.attach.cores;
  m_acks.emplace(edge_after(now + delay), std::make_tuple(node[static_cast<size_t>(p.to_core)],
                                                          node[static_cast<size_t>(p.core)], ack));
}

int64_t NocFabric::edge_after(const sc_core::sc_time& t) const {
  const int64_t k = m_clock.cycle_of(t);
  return std::max(m_clock.time_of(k) == t ? k + 1 : k, m_net->now());
}

void NocFabric::step() {
  // An exception must not escape a process (process_guard.h): NpuTop::failure rethrows it.
  run_guarded(m_failure, [this] { act(); });
}

void NocFabric::act() {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const int64_t c = m_clock.cycle_of(now);
  const sc_core::sc_time edge = m_clock.time_of(c);
  if (edge != now) {  // woken between NoC edges: act on the next one
    next_trigger(edge - now);
    return;
  }
  // A message enters the network at the first edge strictly after the event that made it (its
  // network interface registers it), whatever the order of events within one instant (edge_after).
  const std::vector<int>& core_node = m_params.attach.cores;

  // Acknowledgements due by this edge enter first: every other message enters at this edge or later.
  while (!m_acks.empty() && m_acks.begin()->first <= c) {
    const auto& [src, dst, ack] = m_acks.begin()->second;
    inject(src, dst, 0, std::max(m_acks.begin()->first, m_net->now()), ack);
    m_acks.erase(m_acks.begin());
  }
  // New requests and barrier arrivals enter at this edge.
  while (!m_pending.empty() && m_pending.front().arrival <= now) {
    const Pending q = m_pending.front();
    m_pending.pop_front();
    const bool write = q.payload->is_write();
    const auto len = static_cast<int64_t>(q.payload->get_data_length());
    NocCoreTraffic& t = m_traffic[static_cast<size_t>(q.core)];
    Packet p;
    p.kind = write ? Kind::kWriteRequest : Kind::kReadRequest;
    p.core = q.core;
    p.payload = q.payload;
    if (const auto* remote = q.payload->get_extension<RemoteStoreExtension>(); remote != nullptr) {
      if (!write || remote->core < 0 || remote->core >= static_cast<int>(core_node.size()) ||
          remote->core == q.core)
        throw InternalError(
            fmt::format("NoC: core {} sends a remote store request to core {}", q.core, remote->core));
      p.to_core = remote->core;
      t.remote_store_requests += 1;
      t.remote_store_bytes += len;
      inject(core_node[static_cast<size_t>(q.core)], core_node[static_cast<size_t>(p.to_core)], len,
             edge_after(q.arrival), p);
      continue;
    }
    (write ? t.write_requests : t.read_requests) += 1;
    (write ? t.write_bytes : t.read_bytes) += len;
    const int channel = m_dram.channel_of(q.payload->get_address());
    const int mem = m_params.attach.memory.at(static_cast<size_t>(channel) % m_params.attach.memory.size());
    inject(core_node[static_cast<size_t>(q.core)], mem, write ? len : 0, edge_after(q.arrival), p);
  }
  for (const auto& [core, id] : m_arrivals) {
    Packet p;
    p.kind = Kind::kBarrierArrive;
    p.core = core;
    p.instruction = id.first;
    p.barrier = id.second;
    m_barrier_instruction.resize(core_node.size());
    m_barrier_instruction[static_cast<size_t>(core)] = id.first;
    inject(core_node[static_cast<size_t>(core)], core_node[0], 0, edge_after(now), p);
  }
  m_arrivals.clear();
  // Signals enter at the next edge; their SYNCs retire now with the signal's crossings.
  for (Packet p : m_signals) {
    const int src = core_node[static_cast<size_t>(p.core)], dst = core_node[static_cast<size_t>(p.to_core)];
    const int64_t hops = m_net->topology().hops(src, dst), flits = m_net->flits_of(1);
    m_barriers[static_cast<size_t>(p.core)]->release(p.instruction, flits * hops, flits * (hops + 1));
    inject(src, dst, 0, edge_after(now), p);
  }
  m_signals.clear();
  for (const auto& [core, instruction] : m_ready_waits)
    m_barriers[static_cast<size_t>(core)]->release(instruction, 0, 0);
  m_ready_waits.clear();

  // DRAM completions up to this edge become responses from the channel's node.
  DramCompletion done;
  while (dram_port->next_completion_before(now, &done)) {
    const auto it = m_at_memory.find(done.payload);
    if (it == m_at_memory.end()) throw InternalError("the DRAM completed a request the NoC did not deliver");
    Packet r = it->second;
    m_at_memory.erase(it);
    const int mem =
        m_params.attach.memory.at(static_cast<size_t>(done.channel) % m_params.attach.memory.size());
    const int64_t data = r.payload->is_write() ? 0 : static_cast<int64_t>(r.payload->get_data_length());
    inject(mem, core_node[static_cast<size_t>(r.core)], data, edge_after(done.done), r);
  }

  // The network through this edge.
  for (const noc::Delivery& d : m_net->run_until(c + 1)) deliver(d);

  // Sleep until the next edge at which something can happen, or a new request.
  int64_t next = -1;
  auto consider = [&next](int64_t cycle) { next = next < 0 ? cycle : std::min(next, cycle); };
  if (!m_net->idle()) consider(std::max(m_net->next_event(), c + 1));
  if (!m_pending.empty()) consider(std::max(m_clock.cycle_of(m_pending.front().arrival), c + 1));
  sc_core::sc_time bound;
  if (dram_port->completion_bound(&bound)) consider(std::max(m_clock.cycle_of(bound), c + 1));
  if (!m_arrivals.empty()) consider(c + 1);
  if (!m_acks.empty()) consider(std::max(m_acks.begin()->first, c + 1));
  if (next < 0) {
    next_trigger(m_kick);
  } else {
    next_trigger(m_clock.time_of(next) - now, m_kick);
  }
}

}  // namespace systole::hw
