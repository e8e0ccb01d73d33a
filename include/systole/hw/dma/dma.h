// The DMA engine: executes LOAD (DRAM -> scratchpad) and STORE (scratchpad -> DRAM) descriptors
// one at a time, in order. TLM-2.0 initiator to the DRAM channel and to the three scratchpads.
//
// Timing of a descriptor starting at edge s (approximately timed, no per-burst kernel events):
//   - each row of row_bytes is split into bursts of at most burst_bytes (a burst never spans a
//     row), in walk order (plane, row, offset);
//   - at most max_outstanding bursts are in flight. Burst i is submitted to the DRAM's request
//     port (IDramRequestPort, dram_channel.h) at issue_i = max(s, the time a slot became free
//     for it), with issue times non-decreasing; the DRAM answers completions earliest first;
//   - a slot frees, with `completion` kInOrder, when its burst and every older burst of the
//     descriptor have completed (responses retire in issue order), with kOutOfOrder when its own
//     burst completes. Both free a slot at the time of the completion that frees it, so the DMA
//     never submits before a completion it has seen (the port's causal contract);
//   - the scratchpad side is one transaction (write port for LOAD, read port for STORE) of
//     bytes() B, ceil(bytes / port bytes_per_cycle) cycles from s, overlapping the DRAM side;
//     a STORE from the accumulators (DmaDescriptor::from_accumulator) reads the partial sums the
//     ofmap scratchpad holds, bytes() / bytes(input_type) elements of accumulator_type, so its
//     scratchpad side is that many accumulator bytes (4x bytes() for int8 out of int32);
//   - the descriptor ends at max(last completion, scratchpad end): ONE wait() to that time.
// Record (stats/attribution.h InstructionRecord, the stall attribution's inputs): the core
// cycles of the first burst's issue (dram_start_cycle), first and last completions
// (first_data_cycle, dram_end_cycle; all -1 without bursts) and of the scratchpad side's end
// (spm_end_cycle: index read and fill / drain; -1 when it took no time), the bank-conflict cycles
// of the scratchpad transactions (spm_conflict_cycles), and the DRAM side's two lower bounds:
// window_bound_cycles = (ceil(bursts / min(max_outstanding, bursts)) - 1) * (first_data_cycle -
// dram_start_cycle), peak_bound_cycles = ceil((bytes - first burst's bytes) /
// dram_peak_bytes_per_cycle) (0 when the peak is 0, unbounded).
// Actions (InstructionRecord::actions): dma_bursts = planes * rows * ceil(row_bytes / burst_bytes),
// and the scratchpad's bank word accesses of the scratchpad-side transaction (write accesses for
// a LOAD, read accesses for a STORE), as the scratchpad counted them (SpmAccessExtension).
// Functional simulation (`functional`): the payloads carry the bytes. A LOAD reads the bursts
// from DRAM into a staging buffer in descriptor order (plane, row, byte) and writes it to the
// scratchpad; a STORE reads the scratchpad then writes the bursts. A STORE with from_accumulator
// reads its accumulator_type elements in the timed scratchpad transaction and converts each to
// input_type (isa.h) before the bursts. The timing is the same with or without data.
// Indexed LOAD (gather, isa.h): the DMA first reads the rows' int32 indices from the index
// scratchpad in one transaction (timed from s, read accesses counted in the record's actions and
// sram_read_bytes), and its bursts start when that read ends, at the descriptor's own addresses (the
// rows the compiler assumed). Functional: the bursts carry no data; the rows the indices name are
// copied from the DRAM contents (dram_contents) into the staging buffer, then to the scratchpad.
// On-chip far side (DmaDescriptor::on_chip, a resident tensor): instead of bursts, each row of the
// walk is one transaction on the tensor store's scratchpad (kTensorStore's, a read for a LOAD, a
// write for a STORE) at store_addr + the row's offset, issued back to back from s: row i+1 starts
// when row i's port is free (SpmAccessExtension::occupied_cycles), so the far side takes the sum
// of the rows' port and conflict cycles plus one access latency. It overlaps the near side as the
// DRAM side does. No DRAM traffic, no bursts; its accesses count at the store's role. A functional
// resident STORE also writes its bytes to the tensor's home in dram_contents (untimed, uncounted).
// Remote STORE (DmaDescriptor::store_core >= 0, multi-core): the far side is another core's tensor
// store, reached through the NoC port exactly as the DRAM side is (bursts of at most burst_bytes per
// row, max_outstanding in flight, completion order), each burst carrying a RemoteStoreExtension
// (hw/noc/remote_store.h) and addressed at store_addr + the row's offset there. Its record counts
// the bursts' NoC crossings, the tensor-store write accesses the target counted (at kTensorStore,
// priced by this core's energy entries) and on_chip bytes, no DRAM bytes; DRAM observers do not
// see its bursts. A functional one writes the debug copy at dram_addr when it starts.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include <systemc>
#include <tlm>

#include "systole/config/types.h"
#include "systole/hw/core/clock.h"
#include "systole/hw/core/exec_unit.h"
#include "systole/hw/dram/dram_channel.h"
#include "systole/hw/dram/dram_stream.h"
#include "systole/hw/noc/remote_store.h"
#include "systole/stats/run_observer.h"

namespace systole::hw {

// What the Dma module is built from (NpuTop resolves it from the config's DmaParams).
struct DmaModuleParams {
  int64_t max_outstanding = 64;  // bursts in flight
  int64_t burst_bytes = 64;
  DmaCompletion completion = DmaCompletion::kInOrder;
  Clock clock;
  bool functional = false;
  DataType input_type = DataType::kInt8;         // activations in DRAM (STORE conversion target)
  DataType weight_type = DataType::kInt8;        // elements of a transposing weight LOAD
  DataType accumulator_type = DataType::kInt32;  // partial sums in the ofmap scratchpad
  // Functional runs: the DRAM contents, from which an indexed LOAD copies the rows its indices name
  // (a debug access: its timing is its bursts') and into which a resident STORE writes its debug
  // copy; nullptr when timing-only. Not owned.
  std::vector<uint8_t>* dram_contents = nullptr;
  // The DRAM's peak data bandwidth in bytes per core cycle (dram.kind cycle: the device's peak,
  // simple: bandwidth_gbps; 0: unbounded, ideal), for window_bound vs peak_bound above.
  double dram_peak_bytes_per_cycle = 0.0;
  // Serve a descriptor's DRAM bursts as one stream when the DRAM model can (hw/dram/dram_stream.h)
  // and no observer wants each burst: the same results, several times faster. false: every burst
  // through submit() / next_completion() (SimOptions::dram_per_request, for validation).
  bool dram_streaming = true;
};

struct DmaCounters {
  int64_t descriptors = 0;
  int64_t bursts = 0;
  int64_t max_in_flight = 0;  // the most bursts that were outstanding at once
  int64_t dram_read_bytes = 0;
  int64_t dram_write_bytes = 0;
  int64_t on_chip_bytes = 0;  // bytes moved to or from the on-chip tensor store
};

class Dma : public sc_core::sc_module, public IExecUnit {
 public:
  sc_core::sc_port<IDramRequestPort> dram_port;
  tlm_utils::simple_initiator_socket<Dma> ifmap_socket;
  tlm_utils::simple_initiator_socket<Dma> weight_socket;
  tlm_utils::simple_initiator_socket<Dma> ofmap_socket;
  sc_core::sc_port<IRetireListener> retire_port;

  SC_HAS_PROCESS(Dma);
  Dma(sc_core::sc_module_name name, const DmaModuleParams& params);
  // Takes m_remote off the payloads first: a simulation stopped while a remote store was in flight
  // leaves it attached, and a payload frees the extensions it holds when it dies.
  ~Dma() override;

  void start(const Instruction& inst) override;
  const DmaCounters& counters() const { return m_counters; }
  // Told about every completed DRAM burst from now on (stats/run_observer.h); not owned.
  void set_observer(IRunObserver* observer) {
    m_observer = observer != nullptr && observer->wants_dram_bursts() ? observer : nullptr;
    m_request_observer = observer != nullptr && observer->wants_dram_requests() ? observer : nullptr;
  }
  std::exception_ptr failure() const { return m_failure; }

 private:
  void run();
  std::optional<InstructionRecord> execute(const Instruction& inst);  // nullopt: failed, stopping
  // The DRAM side of a descriptor of `layer` starting at `start` (timing above). `data` holds its
  // bytes in walk order when functional (else empty). Sets the last and first completion times; false +
  // error on an error response.
  // Behind the NoC, m_first_network is set to the first completion's time in the network, and
  // m_noc_* to its bursts' flit crossings.
  bool dram_side(const DmaDescriptor& d, uint32_t layer, bool load, const sc_core::sc_time& start,
                 std::vector<uint8_t>& data, sc_core::sc_time* last_done, sc_core::sc_time* first_done,
                 std::string& error);
  // The on-chip far side of a resident descriptor starting at `start` (above). `data` holds its
  // bytes in walk order when functional. Sets *end, *accesses and *conflicts; false + error on an
  // error response.
  bool store_side(const DmaDescriptor& d, bool load, const sc_core::sc_time& start,
                  std::vector<uint8_t>& data, sc_core::sc_time* end, int64_t* accesses, int64_t* conflicts,
                  std::string& error);
  // Functional: copies a resident STORE's bytes (walk order) to the tensor's home at d.dram_addr
  // in dram_contents, if attached (untimed, uncounted); false + error when it lies outside them.
  bool debug_copy_home(const DmaDescriptor& d, const std::vector<uint8_t>& data, std::string& error) const;
  // Bytes the scratchpad side moves: bytes(), except a from_accumulator STORE of the ofmap, which
  // reads bytes() / bytes(input_type) accumulator_type elements. nullopt: bytes() is not a whole
  // number of input_type elements (a compiler bug).
  std::optional<uint64_t> scratchpad_side_bytes(const DmaDescriptor& d) const;
  // Functional indexed LOAD: the table rows `indices` name into `data` (false + error when an index
  // is outside the table or the DRAM contents).
  bool gather_rows(const DmaDescriptor& d, const std::vector<uint8_t>& indices, std::vector<uint8_t>& data,
                   std::string& error) const;
  // Converts the accumulator_type elements in `acc` to input_type into `out` (isa.h DmaDescriptor).
  void convert_accumulators(const DmaDescriptor& d, const std::vector<uint8_t>& acc,
                            std::vector<uint8_t>& out) const;
  tlm_utils::simple_initiator_socket<Dma>& spm_socket(Buffer b);

  DmaModuleParams m_params;
  sc_core::sc_time m_first_network;  // of the last descriptor's first completion (dram_side)
  double m_network_share = 0.0;      // of its bursts' round trips, the fraction in the network
  // Of its bursts' NoC messages: link and router crossings of their flits (DramCompletion).
  int64_t m_noc_flit_hops = 0, m_noc_router_traversals = 0;
  RemoteStoreExtension m_remote;  // attached to a remote store's bursts while they are in flight
  int64_t m_remote_accesses = 0;  // of the last remote store: the target's bank word accesses
  DmaCounters m_counters;
  IRunObserver* m_observer = nullptr;          // when it wants every DRAM burst
  IRunObserver* m_request_observer = nullptr;  // when it wants every DRAM request
  // The DRAM model behind dram_port, when it serves streams and streaming is on: looked up at
  // the first descriptor.
  IDramStreamPort* m_stream = nullptr;
  bool m_stream_looked_up = false;
  std::unique_ptr<tlm::tlm_generic_payload[]> m_payloads;  // one per outstanding-burst slot
  const Instruction* m_pending = nullptr;
  sc_core::sc_event m_start_event;
  std::exception_ptr m_failure;
};

}  // namespace systole::hw
