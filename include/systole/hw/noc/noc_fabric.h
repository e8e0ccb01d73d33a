// The NoC of a multi-core NPU as a SystemC module (docs/multicore.md "The fabric"): it stands
// between the cores' DMAs and the memory system, and carries the cores' barrier messages. Inside
// it is the cycle-level network of src/noc/ (noc/network.h: routers, VCs, credits, links), driven
// on the NoC clock's edges by one SC_METHOD that is triggered only when something can happen: a
// flit ready to move, a DRAM completion, a new request. No process runs per router or per cycle
// while nothing moves.
//
// Messages, each one packet of ceil(data bytes / noc.flit_bytes) flits, at least one (the header
// travels in the first flit's sideband, as in BookSim-style models):
//   - read request: core node -> the node of the DRAM channel serving the address, one flit;
//     its response carries the data back;
//   - write request: the data to the channel's node; its acknowledgement is one flit;
//   - barrier: one flit from each core to core 0's node when the core reaches a barrier SYNC, and
//     from core 0's node one to every core once all have arrived;
//   - signal (layer pipelining, isa.h SyncOp::signal_core): one flit from the signalling core's
//     node to the node of the core it names; a SYNC waiting for that core's token retires when
//     it is delivered (at once if it arrived first);
//   - remote store (layer pipelining, hw/noc/remote_store.h): a DMA write burst carrying a
//     RemoteStoreExtension goes to the node of the core it names instead of a memory channel.
//     When its tail is delivered the fabric writes it into that core's tensor-store scratchpad
//     through store_socket(core) (b_transport at the delivery time: the scratchpad's port,
//     conflict and write-latency cycles as for any DMA transaction) and sends a one-flit
//     acknowledgement at the first edge strictly after the write ends. The DMA sees it complete
//     when the acknowledgement is delivered; its whole round trip counts as network time.
// The flits' link and router crossings go into the record of the instruction they serve (a LOAD or
// STORE: its requests and responses, via DramCompletion; a barrier SYNC: its arrival and release;
// a signalling SYNC: its signal, which it retires with when the signal enters the network).
// Every message enters the network at the first NoC edge strictly after the event that makes it
// (the DMA's request, the DRAM's completion, a core reaching a barrier, the last arrival reaching
// core 0's node): its network interface registers it for one edge. A request reaches the DRAM
// when its tail is delivered (submitted at that edge); a core's DMA sees the completion when the
// response's tail is delivered. Several messages from one node enter one after another (one flit
// per cycle per node).
//
// Each core's DMA binds to core_port(c), an IDramRequestPort whose next_completion() waits in
// simulated time for the next response (so the DMA follows the network's timing); the memory
// system (dram_port) is driven through next_completion_before() on every edge the fabric acts on,
// up to that edge. Each core's controller binds its barrier port to barrier_unit(c).
#pragma once

#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include <systemc>
#include <tlm>

#include "systole/config/noc_attachment.h"
#include "systole/config/noc_params.h"
#include "systole/hw/core/clock.h"
#include "systole/hw/core/exec_unit.h"
#include "systole/hw/dram/dram_channel.h"
#include "systole/noc/network.h"

namespace systole::hw {

struct NocFabricParams {
  NocParams noc;
  NocAttachment attach;  // node of each core and of each DRAM channel
  // Each link's flits per window of this many NoC cycles (noc::Network::set_link_window; 0: none).
  int64_t link_window_cycles = 0;
};

// Traffic between two nodes, by direction of the pair (src, dst).
struct NocFlow {
  int src = 0, dst = 0;
  int64_t packets = 0, flits = 0, bytes = 0;  // bytes: data carried (heads excluded)
};

// What one core sent and received over the fabric.
struct NocCoreTraffic {
  int64_t read_requests = 0, write_requests = 0;
  int64_t read_bytes = 0, write_bytes = 0;
  // Summed over the core's requests, in NoC cycles: request injection to its delivery at the
  // memory controller, plus response injection to its delivery at the core (the network's share
  // of the DMA's wait; the DRAM's share is between the two).
  int64_t network_cycles = 0;
  int64_t barriers = 0;
  int64_t signals = 0;  // pipeline signals sent
  // Writes into other cores' tensor stores (hw/noc/remote_store.h): bursts and bytes sent. Not
  // part of read_/write_requests, which go to DRAM.
  int64_t remote_store_requests = 0, remote_store_bytes = 0;
};

class NocFabric : public sc_core::sc_module {
 public:
  sc_core::sc_port<IDramRequestPort> dram_port;

  SC_HAS_PROCESS(NocFabric);
  // `dram`: the memory system behind dram_port, asked which channel serves an address.
  NocFabric(sc_core::sc_module_name name, const NocFabricParams& params, const IDramChannel& dram);
  ~NocFabric() override;

  IDramRequestPort& core_port(int core);
  IExecUnit& barrier_unit(int core);
  // Bound by the NPU to core `core`'s tensor-store scratchpad: where remote stores to it are written.
  tlm_utils::simple_initiator_socket<NocFabric>& store_socket(int core);
  // The controller that a core's barrier SYNCs retire to (not owned).
  void set_retire_listener(int core, IRetireListener* listener);

  const noc::Network& network() const { return *m_net; }
  const Clock& clock() const { return m_clock; }
  const NocFabricParams& params() const { return m_params; }
  const std::vector<NocCoreTraffic>& core_traffic() const { return m_traffic; }
  std::vector<NocFlow> flows() const;  // every (src, dst) pair that carried a packet, ordered
  // The exception the fabric stopped the simulation with, if any (hw/core/process_guard.h).
  std::exception_ptr failure() const { return m_failure; }

 private:
  class CorePort;
  class BarrierUnit;
  enum class Kind { kReadRequest, kWriteRequest, kResponse, kBarrierArrive, kBarrierRelease, kSignal };
  struct Packet {
    Kind kind = Kind::kReadRequest;
    int core = 0;
    tlm::tlm_generic_payload* payload = nullptr;
    int64_t injected = 0;        // NoC cycle
    int64_t request_cycles = 0;  // responses: their request's network cycles
    uint32_t instruction = 0;    // barrier messages: the SYNC's id on its core
    int64_t barrier = -1;
    int to_core = -1;              // a signal or remote store and its acknowledgement: the other core
    int64_t request_injected = 0;  // a remote store's acknowledgement: its request's injection cycle
    int64_t remote_accesses = 0;   // a remote store's acknowledgement: the write's bank accesses
    int64_t token = -1;            // a signal's token
    // Link and router crossings of this message's flits plus those of the message it answers
    // (a response: its request; a barrier release: the core's arrival), for the energy model.
    int64_t flit_hops = 0, router_traversals = 0;
  };
  struct Pending {
    sc_core::sc_time arrival;
    int core = 0;
    tlm::tlm_generic_payload* payload = nullptr;
  };

  void step();  // the SC_METHOD: act() under run_guarded
  void act();   // one NoC edge (or a wake-up between edges)
  void inject(int src, int dst, int64_t data_bytes, int64_t at, Packet p);
  void deliver(const noc::Delivery& d);
  // A remote store's request `p` delivered at NoC cycle `delivered`: the write and its
  // acknowledgement.
  void write_remote(const Packet& p, int64_t delivered);
  // The first NoC edge strictly after time t (and no earlier than the network's present cycle):
  // when a message made at t enters the network.
  int64_t edge_after(const sc_core::sc_time& t) const;
  void arrive(int core, uint32_t instruction, int64_t barrier);
  // A signalling SYNC of `core` sends `token` to core `to`; a waiting SYNC of `core` waits for
  // core `from`'s `token`.
  void send_signal(int core, uint32_t instruction, int to, int64_t token);
  void wait_signal(int core, uint32_t instruction, int from, int64_t token);
  void kick() { m_kick.notify(sc_core::SC_ZERO_TIME); }

  NocFabricParams m_params;
  const IDramChannel& m_dram;
  Clock m_clock;  // the NoC clock
  std::unique_ptr<noc::Network> m_net;
  std::vector<std::unique_ptr<CorePort>> m_ports;
  std::vector<std::unique_ptr<BarrierUnit>> m_barriers;
  std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<NocFabric>>> m_store_sockets;
  std::deque<Pending> m_pending;  // DMA requests not yet injected, in submission order
  std::vector<std::pair<int, std::pair<uint32_t, int64_t>>> m_arrivals;  // barrier arrivals to inject
  std::vector<Packet> m_signals;                                         // signals to inject
  // Remote stores' acknowledgements to inject, by NoC cycle (a node's packets enter in order of
  // their cycles, so they wait for theirs): (source node, destination node, packet).
  std::multimap<int64_t, std::tuple<int, int, Packet>> m_acks;
  // Signals delivered and not yet waited for, and waiting SYNCs whose signal has not arrived, by
  // (receiving core, sending core, token); waits whose signal had arrived, to retire at the next
  // action (their SYNC's id and core).
  std::map<std::tuple<int, int, int64_t>, int> m_tokens;
  std::map<std::tuple<int, int, int64_t>, uint32_t> m_waiting;
  std::vector<std::pair<int, uint32_t>> m_ready_waits;
  std::unordered_map<uint64_t, Packet> m_in_flight;  // by network packet id
  // Requests the DRAM holds, by payload: the response each becomes.
  std::unordered_map<const tlm::tlm_generic_payload*, Packet> m_at_memory;
  std::vector<uint32_t> m_barrier_instruction;    // per core: the id of the barrier SYNC it waits at
  std::vector<Packet> m_barrier_arrival;          // per core: its delivered arrival at the barrier
  std::map<int64_t, int64_t> m_barrier_count;     // arrivals per barrier id
  std::unordered_map<uint64_t, NocFlow> m_flows;  // by src * nodes + dst; flows() sorts them
  std::vector<NocCoreTraffic> m_traffic;
  sc_core::sc_event m_kick;
  std::exception_ptr m_failure;
};

}  // namespace systole::hw
