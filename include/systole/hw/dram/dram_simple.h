// `simple` DRAM: fixed latency plus one bandwidth shared by all requests. A request of B bytes
// arriving at t starts at max(t, busy_until), occupies the channel for B / bandwidth, and
// completes latency later:
//   start = max(t, busy_until); busy_until = start + B / bandwidth_gbps [ns]; done = busy_until + latency_ns
// so overlapping requests queue behind each other (contention) while latency overlaps. Requests
// are served in arrival order (submit order on the request port, call order on b_transport), so
// completions come in that order too, which lets it serve a DMA descriptor's bursts as one stream
// (dram_stream.h).
#pragma once

#include "systole/hw/dram/dram_known_timing.h"
#include "systole/hw/dram/dram_stream.h"

namespace systole::hw {

class SimpleDram : public KnownTimingDram, public IDramStreamPort {
 public:
  SimpleDram(sc_core::sc_module_name name, const DramParams& params);
  // The recurrence above per burst, in integer picoseconds (dram_stream.h).
  void stream(const DramStream& s, DramStreamResult* out) override;

 private:
  sc_core::sc_time completion_time(const tlm::tlm_generic_payload& trans,
                                   const sc_core::sc_time& arrival) override;
  sc_core::sc_time occupancy(uint64_t bytes) const;

  double m_ps_per_byte;
  sc_core::sc_time m_latency;
  sc_core::sc_time m_busy_until;
};

}  // namespace systole::hw
