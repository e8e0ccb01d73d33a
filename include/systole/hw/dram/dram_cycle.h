// `cycle` DRAM: the cycle-level memory controller and device model (dram/memory_system.h) as a
// DRAM channel. dram.device (resolved from dram.preset by the config loader) gives the device;
// dram.page_policy, address_mapping, queue_depth and refresh the controller.
//
// Time: the model counts DRAM command-clock cycles of tck = device.timing.tck_ps. An arrival at
// sc_time t enters at cycle ceil(t / tck) (hw::Clock::cycle_of on the DRAM clock); a completion
// at cycle c is reported at the edge time c * tck rounded to the picosecond (hw::Clock::time_of),
// which converts back to c, so a request issued at a completion's time arrives in that cycle.
//
// Requests and atoms: the device moves atoms of atom_bytes (bus width x burst length), aligned.
// A request of [a, a + len) becomes one atom request per atom it touches (a request smaller than
// an atom occupies one), all arriving together; it completes with its last atom. Atom requests
// carry the request's slot as their id.
//
// Entry points: the request port (submit / next_completion) maps directly onto MemorySystem's
// causal contract. b_transport (loosely timed) submits at max(sc_time_stamp() + delay, the
// model's current cycle) and runs the model to that request's completion; it may not be mixed
// with outstanding request-port requests.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <tlm_utils/simple_target_socket.h>

#include "systole/dram/memory_system.h"
#include "systole/hw/core/clock.h"
#include "systole/hw/dram/dram_channel.h"

namespace systole::hw {

class CycleDram : public sc_core::sc_module, public IDramChannel, public IDramRequestPort {
 public:
  tlm_utils::simple_target_socket_optional<CycleDram> socket;
  sc_core::sc_export<IDramRequestPort> request;

  // Throws InternalError when params.device was not resolved (kind cycle needs the loader's
  // dram.preset resolution, or a device from load_dram_preset).
  CycleDram(sc_core::sc_module_name name, const DramParams& params);

  tlm::tlm_base_target_socket_b<>& target_socket() override { return socket; }
  sc_core::sc_export<IDramRequestPort>& request_export() override { return request; }
  const DramStats& counters() const override;
  void set_run_end(const sc_core::sc_time& end) override { m_run_end = end; }

  void submit(tlm::tlm_generic_payload& trans, const sc_core::sc_time& arrival) override;
  bool next_completion(DramCompletion* out) override;
  bool next_completion_before(const sc_core::sc_time& limit, DramCompletion* out) override;
  bool completion_bound(sc_core::sc_time* at) const override;
  int channel_of(uint64_t address) const override;

  const dram::MemorySystem& memory() const { return m_memory; }

  // Observers of the command stream (e.g. dram::TimingChecker); not owned.
  void add_observer(dram::ICommandObserver* observer) { m_memory.add_observer(observer); }
  const Clock& dram_clock() const { return m_dram_clock; }

 private:
  struct Slot {
    tlm::tlm_generic_payload* payload = nullptr;
    sc_core::sc_time arrival;
    int64_t atoms_left = 0;
    int64_t last_done = 0;  // DRAM cycle of the latest atom completion so far
    int channel = 0;        // of the first atom
  };
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  // The earliest completed request (all its atoms done), simulating up to it; limit >= 0: only
  // commands before DRAM cycle `limit` and completions at or before it.
  bool take_completion(DramCompletion* out, int64_t limit);

  DramDeviceSpec m_device;  // a copy: the model outlives the params it was built from
  dram::MemorySystem m_memory;
  Clock m_dram_clock;
  uint64_t m_atom_bytes;
  std::vector<Slot> m_slots;
  std::vector<uint64_t> m_free_slots;  // indices into m_slots, reused last-freed first
  size_t m_outstanding = 0;            // requests submitted and not yet completed
  mutable DramStats m_stats;           // command counts are copied from m_memory on demand
  sc_core::sc_time m_run_end;          // set_run_end(); standby time is counted up to it
};

}  // namespace systole::hw
