// `ideal` DRAM: zero latency and unbounded bandwidth; a request completes when it arrives.
#pragma once

#include "systole/hw/dram/dram_known_timing.h"

namespace systole::hw {

class IdealDram : public KnownTimingDram {
 public:
  IdealDram(sc_core::sc_module_name name, const DramParams& params);

 private:
  sc_core::sc_time completion_time(const tlm::tlm_generic_payload& trans,
                                   const sc_core::sc_time& arrival) override;
};

}  // namespace systole::hw
