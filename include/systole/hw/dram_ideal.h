// `ideal` DRAM: zero latency and unbounded bandwidth; a request completes when it arrives.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include "systole/hw/dram_channel.h"

namespace systole::hw {

class IdealDram : public sc_core::sc_module, public IDramChannel {
 public:
  tlm_utils::simple_target_socket<IdealDram> socket;

  IdealDram(sc_core::sc_module_name name, const DramParams& params);
  tlm::tlm_target_socket<>& target_socket() override { return socket; }
  const DramCounters& counters() const override { return m_counters; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  DramCounters m_counters;
};

}  // namespace systole::hw
