// The DRAM schedulers of SYSTOLE_DRAM_SCHEDULERS (config/dram_model_list.h), registered in list
// order; each registration function ends its file in schedulers/. (An explicit list: a static
// library drops object files nothing refers to.)
#include "systole/dram/scheduler.h"

namespace systole::dram {

#define SYSTOLE_SCHEDULER_DECLARE(name, enumerator) \
  void register_dram_scheduler_##name(DramSchedulerRegistry& registry);
SYSTOLE_DRAM_SCHEDULERS(SYSTOLE_SCHEDULER_DECLARE)
#undef SYSTOLE_SCHEDULER_DECLARE

const DramSchedulerRegistry& dram_schedulers() {
  static const DramSchedulerRegistry kRegistry = [] {
    DramSchedulerRegistry r("DRAM scheduler");
#define SYSTOLE_SCHEDULER_REGISTER(name, enumerator) register_dram_scheduler_##name(r);
    SYSTOLE_DRAM_SCHEDULERS(SYSTOLE_SCHEDULER_REGISTER)
#undef SYSTOLE_SCHEDULER_REGISTER
    return r;
  }();
  return kRegistry;
}

}  // namespace systole::dram
