#include "systole/hw/dram/dram_simple.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::hw {

SimpleDram::SimpleDram(sc_core::sc_module_name name, const DramParams& params)
    : KnownTimingDram(name, "simple"),
      m_ps_per_byte(1000.0 / params.bandwidth_gbps),  // 1 GB/s = 1 byte/ns
      m_latency(sc_core::sc_time(params.latency_ns, sc_core::SC_NS)),
      m_busy_until(sc_core::SC_ZERO_TIME) {
  if (!(params.bandwidth_gbps > 0.0) || params.latency_ns < 0.0) {
    throw InternalError(fmt::format("simple DRAM with bandwidth {} GB/s, latency {} ns",
                                    params.bandwidth_gbps, params.latency_ns));
  }
}

sc_core::sc_time SimpleDram::occupancy(uint64_t bytes) const {
  return sc_core::sc_time(static_cast<double>(std::llround(static_cast<double>(bytes) * m_ps_per_byte)),
                          sc_core::SC_PS);
}

sc_core::sc_time SimpleDram::completion_time(const tlm::tlm_generic_payload& trans,
                                             const sc_core::sc_time& arrival) {
  const sc_core::sc_time start = std::max(arrival, m_busy_until);
  m_busy_until = start + occupancy(trans.get_data_length());
  return m_busy_until + m_latency;
}

std::unique_ptr<IDramChannel> make_simple_dram(const char* name, const DramParams& params) {
  return std::make_unique<SimpleDram>(name, params);
}

}  // namespace systole::hw
