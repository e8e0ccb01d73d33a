#include "systole/hw/memory/scratchpad.h"

#include <cstring>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::hw {

Scratchpad::Scratchpad(sc_core::sc_module_name name, const ScratchpadModuleParams& params)
    : sc_core::sc_module(name), dma_socket("dma_socket"), m_params(params) {
  if (params.capacity_bytes <= 0 || params.read_bytes_per_cycle <= 0 || params.write_bytes_per_cycle <= 0) {
    throw InternalError(fmt::format("scratchpad {}: capacity {} B, ports {}/{} B/cycle", params.buffer,
                                    params.capacity_bytes, params.read_bytes_per_cycle,
                                    params.write_bytes_per_cycle));
  }
  params.banking.check();
  if (params.read_latency_cycles < 0 || params.write_latency_cycles < 0) {
    throw InternalError(fmt::format("scratchpad {}: latencies {}/{} cycles", params.buffer,
                                    params.read_latency_cycles, params.write_latency_cycles));
  }
  if (params.functional) m_storage.assign(static_cast<size_t>(params.capacity_bytes), 0);
  dma_socket.register_b_transport(this, &Scratchpad::b_transport);
  dma_socket.register_transport_dbg(this, &Scratchpad::transport_dbg);
}

void Scratchpad::count_direct_access(int64_t read_bytes, int64_t write_bytes) {
  const int64_t w = m_params.banking.width_bytes;
  SpmDirectAccess a;
  a.read_bytes = read_bytes;
  a.write_bytes = write_bytes;
  a.read_accesses = (read_bytes + w - 1) / w;
  a.write_accesses = (write_bytes + w - 1) / w;
  count_direct_access(a);
}

void Scratchpad::count_direct_access(const SpmDirectAccess& a) {
  m_counters.read_bytes += a.read_bytes;
  m_counters.write_bytes += a.write_bytes;
  m_counters.read_accesses += a.read_accesses;
  m_counters.write_accesses += a.write_accesses;
  m_counters.bank_conflict_cycles += a.bank_conflict_cycles;
  m_counters.accumulator_rmw += a.accumulator_rmw;
}

bool Scratchpad::access(tlm::tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address();
  const uint64_t len = trans.get_data_length();
  const auto cap = static_cast<uint64_t>(m_params.capacity_bytes);
  std::string error;
  if (addr > cap || len > cap - addr) {
    error = fmt::format("{} scratchpad: access of {} B at address {} exceeds its capacity of {} B",
                        m_params.buffer, len, addr, cap);
  } else if (trans.get_data_ptr() != nullptr && m_storage.empty()) {
    error = fmt::format("{} scratchpad: a transaction carries data but the simulation is timing-only",
                        m_params.buffer);
  }
  if (!error.empty()) {
    // Reported without throwing: this runs inside the DMA's process (see process_guard.h).
    if (!m_failure) m_failure = std::make_exception_ptr(InternalError(error));
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (unsigned char* data = trans.get_data_ptr(); data != nullptr && len > 0) {
    uint8_t* mem = m_storage.data() + addr;
    if (trans.is_write()) {
      std::memcpy(mem, data, len);
    } else {
      std::memcpy(data, mem, len);
    }
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

unsigned int Scratchpad::transport_dbg(int /*binding*/, tlm::tlm_generic_payload& trans) {
  return access(trans) ? trans.get_data_length() : 0;
}

void Scratchpad::b_transport(int /*binding*/, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!access(trans)) return;
  const uint64_t len = trans.get_data_length();
  const bool write = trans.is_write();
  const int64_t bpc = write ? m_params.write_bytes_per_cycle : m_params.read_bytes_per_cycle;
  const auto bytes = static_cast<int64_t>(len);
  const int64_t port_cycles = (bytes + bpc - 1) / bpc;
  const AccessCost banks =
      transfer_cost(m_params.banking, static_cast<int64_t>(trans.get_address()), bytes, bpc);
  const int64_t latency = write ? m_params.write_latency_cycles : m_params.read_latency_cycles;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const int64_t start = m_params.clock.cycle_of(now + delay);
  delay = m_params.clock.time_of(start + port_cycles + banks.conflict_cycles + latency) - now;
  (write ? m_counters.write_bytes : m_counters.read_bytes) += bytes;
  (write ? m_counters.write_accesses : m_counters.read_accesses) += banks.accesses;
  m_counters.bank_conflict_cycles += banks.conflict_cycles;
  m_counters.dma_bank_conflict_cycles += banks.conflict_cycles;
  m_counters.dma_transactions += 1;
  if (auto* ext = trans.get_extension<SpmAccessExtension>()) {
    ext->accesses = banks.accesses;
    ext->conflict_cycles = banks.conflict_cycles;
    ext->occupied_cycles = port_cycles + banks.conflict_cycles;
  }
}

}  // namespace systole::hw
