// One scratchpad (an ifmap, weight or ofmap/accumulator SRAM, or one several of those roles share), `banking`
// banks of width_bytes words (array/bank_conflicts.h). On the DMA side it is a TLM-2.0 target: a transaction
// of B bytes at address a must lie inside [0, capacity) (else the response is TLM_ADDRESS_ERROR_RESPONSE and
// failure() holds an InternalError naming the buffer, the address and the capacity, which
// simulate() rethrows). Starting on the first clock edge at or after its arrival it occupies the
// write (DMA fill) or read (DMA drain) port for
//   ceil(B / bytes_per_cycle) + conflicts + latency cycles
// where the port moves bytes_per_cycle bytes per beat from a (transfer_cost: a beat touching more
// distinct words of one bank than ports_per_bank costs ceil(L / ports) - 1 extra cycles) and
// latency is read_latency_cycles (reads) or write_latency_cycles (writes), paid once at the end of
// the transaction (the beats are pipelined). The annotated delay is advanced to that end.
// The array and the vector unit reach it through ISpmAccounting (whole-tile counts, no
// per-element transactions); the array computes its own bank conflicts (array/tile_bank_cost.h).
// Contents: with `functional` the scratchpad holds capacity_bytes bytes (zero at start); a DMA
// transaction with a data pointer copies into (write) or out of (read) them, and transport_dbg
// (TLM debug transport: no time, no counters) does the same. A data pointer of nullptr is a
// timing-only transaction; without `functional` no bytes are kept and a data pointer is an
// error. Port contention between the DMA and the array is not modelled in this fidelity.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include <tlm_utils/multi_passthrough_target_socket.h>

#include <systemc>
#include <tlm>

#include "systole/hw/core/clock.h"
#include "systole/hw/memory/spm_accounting.h"

namespace systole::hw {

// What the Scratchpad module is built from (NpuTop resolves it from the config's ScratchpadParams).
struct ScratchpadModuleParams {
  std::string buffer;  // the spec's name for it ("ifmap", "unified", ...): used in error messages
  int64_t capacity_bytes = 0;
  int64_t read_bytes_per_cycle = 1;
  int64_t write_bytes_per_cycle = 1;
  BankGeometry banking;
  int64_t read_latency_cycles = 0;
  int64_t write_latency_cycles = 0;
  Clock clock;
  bool functional = false;
};

// Actions for the energy model (an access is one word of one bank, priced by the bank's size).
struct ScratchpadCounters {
  int64_t read_bytes = 0;                // all reads: DMA drains + array / vector unit reads
  int64_t write_bytes = 0;               // all writes: DMA fills + array / vector unit writes
  int64_t read_accesses = 0;             // bank word reads (all sources)
  int64_t write_accesses = 0;            // bank word writes (all sources)
  int64_t bank_conflict_cycles = 0;      // extra cycles lost to bank conflicts (DMA + array)
  int64_t dma_bank_conflict_cycles = 0;  // the DMA transactions' part of bank_conflict_cycles
  int64_t accumulator_rmw = 0;           // partial-sum elements read, added and written back
  int64_t dma_transactions = 0;
};

// Optional TLM extension: an initiator that attaches it to a b_transport transaction gets back
// the bank word accesses the scratchpad counted for that transaction (transfer_cost's accesses,
// the number its read_accesses / write_accesses counter adds) and the bank-conflict cycles it
// charged (transfer_cost's conflict_cycles, part of the annotated delay), and the cycles the port
// is occupied (port beats + conflict cycles: the annotated delay without the access latency, so
// that an initiator streaming transactions back to back can issue the next one then). The
// initiator owns it and must clear it before the payload dies.
struct SpmAccessExtension : tlm::tlm_extension<SpmAccessExtension> {
  int64_t accesses = 0;
  int64_t conflict_cycles = 0;
  int64_t occupied_cycles = 0;
  tlm::tlm_extension_base* clone() const override { return new SpmAccessExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& e) override {
    const auto& o = static_cast<const SpmAccessExtension&>(e);
    accesses = o.accesses;
    conflict_cycles = o.conflict_cycles;
    occupied_cycles = o.occupied_cycles;
  }
};

class Scratchpad : public sc_core::sc_module, public ISpmAccounting {
 public:
  // The DMA binds one initiator socket per operand role the scratchpad holds (a unified
  // scratchpad takes all three); every binding reaches the same storage and counters.
  tlm_utils::multi_passthrough_target_socket<Scratchpad> dma_socket;

  Scratchpad(sc_core::sc_module_name name, const ScratchpadModuleParams& params);

  void count_direct_access(int64_t read_bytes, int64_t write_bytes) override;
  void count_direct_access(const SpmDirectAccess& a) override;
  const BankGeometry& banking() const override { return m_params.banking; }
  int64_t read_bytes_per_cycle() const override { return m_params.read_bytes_per_cycle; }
  int64_t write_bytes_per_cycle() const override { return m_params.write_bytes_per_cycle; }
  uint8_t* storage() override { return m_storage.empty() ? nullptr : m_storage.data(); }
  int64_t capacity_bytes() const override { return m_params.capacity_bytes; }

  const ScratchpadCounters& counters() const { return m_counters; }
  const ScratchpadModuleParams& params() const { return m_params; }
  std::exception_ptr failure() const { return m_failure; }

 private:
  void b_transport(int binding, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(int binding, tlm::tlm_generic_payload& trans);
  // Checks the range and copies the payload's data (if any); false after an error response.
  bool access(tlm::tlm_generic_payload& trans);

  ScratchpadModuleParams m_params;
  ScratchpadCounters m_counters;
  std::vector<uint8_t> m_storage;
  std::exception_ptr m_failure;
};

}  // namespace systole::hw
