// FCFS: each bank serves its oldest request, hit or miss, and no class is preferred across banks
// (so the controller issues the earliest-ready command, then the oldest). An open row that the
// oldest request misses is closed even when younger requests would hit it.
#include "systole/dram/scheduler.h"

namespace systole::dram {
namespace {

class Fcfs : public IDramScheduler {
 public:
  SchedulerPick pick(const BankCandidates& b) const override {
    if (b.hit >= 0 && (b.miss < 0 || b.hit_seq < b.miss_seq)) return {b.hit, 1};
    return {b.miss, 1};
  }
};

}  // namespace

void register_dram_scheduler_fcfs(DramSchedulerRegistry& registry) {
  registry.add("fcfs", [](const ControllerOptions&) { return std::make_unique<Fcfs>(); });
}

}  // namespace systole::dram
