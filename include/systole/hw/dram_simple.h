// `simple` DRAM: fixed latency plus one bandwidth shared by all requests. A request of B bytes
// arriving at t (= sc_time_stamp() + annotated delay) starts at max(t, busy_until), occupies the
// channel for B / bandwidth, and completes latency later:
//   start = max(t, busy_until); busy_until = start + B / bandwidth_gbps [ns]; done = busy_until + latency_ns
// so overlapping requests queue behind each other (contention) while latency overlaps.
// Loosely timed: requests are served in the order b_transport is called, which is arrival order
// for the single in-order DMA.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include "systole/hw/dram_channel.h"

namespace systole::hw {

class SimpleDram : public sc_core::sc_module, public IDramChannel {
 public:
  tlm_utils::simple_target_socket<SimpleDram> socket;

  SimpleDram(sc_core::sc_module_name name, const DramParams& params);
  tlm::tlm_target_socket<>& target_socket() override { return socket; }
  const DramCounters& counters() const override { return m_counters; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  sc_core::sc_time occupancy(uint64_t bytes) const;

  double m_ps_per_byte;
  sc_core::sc_time m_latency;
  sc_core::sc_time m_busy_until;
  DramCounters m_counters;
};

}  // namespace systole::hw
