#include "systole/hw/dram/dram_ideal.h"

namespace systole::hw {

IdealDram::IdealDram(sc_core::sc_module_name name, const DramParams& /*params*/)
    : KnownTimingDram(name, "ideal") {}

sc_core::sc_time IdealDram::completion_time(const tlm::tlm_generic_payload& /*trans*/,
                                            const sc_core::sc_time& arrival) {
  return arrival;
}

std::unique_ptr<IDramChannel> make_ideal_dram(const char* name, const DramParams& params) {
  return std::make_unique<IdealDram>(name, params);
}

}  // namespace systole::hw
