#include "systole/hw/dram_ideal.h"

namespace systole::hw {

IdealDram::IdealDram(sc_core::sc_module_name name, const DramParams& /*params*/)
    : sc_core::sc_module(name), socket("socket") {
  socket.register_b_transport(this, &IdealDram::b_transport);
}

void IdealDram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& /*delay: unchanged*/) {
  if (!move_data(trans)) return;
  m_counters.requests += 1;
  const auto bytes = static_cast<int64_t>(trans.get_data_length());
  (trans.is_write() ? m_counters.write_bytes : m_counters.read_bytes) += bytes;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

std::unique_ptr<IDramChannel> make_ideal_dram(const char* name, const DramParams& params) {
  return std::make_unique<IdealDram>(name, params);
}

}  // namespace systole::hw
