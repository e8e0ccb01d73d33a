// FR-FCFS (Rixner et al., ISCA 2000): a request that hits the open row goes first (class 0, so
// also ahead of other banks' misses ready at the same cycle); otherwise the oldest miss.
#include "systole/dram/scheduler.h"

namespace systole::dram {
namespace {

class Frfcfs : public IDramScheduler {
 public:
  SchedulerPick pick(const BankCandidates& b) const override {
    if (b.hit >= 0) return {b.hit, 0};
    return {b.miss, 1};
  }
};

}  // namespace

void register_dram_scheduler_frfcfs(DramSchedulerRegistry& registry) {
  registry.add("frfcfs", [](const ControllerOptions&) { return std::make_unique<Frfcfs>(); });
}

}  // namespace systole::dram
