// FR-FCFS with a row-hit cap: as FR-FCFS, but once a bank has served `row_hit_cap` hits from its
// open row, a miss older than its oldest hit goes first (it precharges the row). Bounds how long a
// stream of hits can hold back an older request of the same bank.
#include "systole/dram/scheduler.h"

namespace systole::dram {
namespace {

class FrfcfsCap : public IDramScheduler {
 public:
  explicit FrfcfsCap(int64_t cap) : m_cap(cap) {}
  SchedulerPick pick(const BankCandidates& b) const override {
    const bool starving = b.miss >= 0 && b.hit >= 0 && b.miss_seq < b.hit_seq && b.row_hits >= m_cap;
    if (b.hit >= 0 && !starving) return {b.hit, 0};
    return {b.miss, 1};
  }

 private:
  int64_t m_cap;
};

}  // namespace

void register_dram_scheduler_frfcfs_cap(DramSchedulerRegistry& registry) {
  registry.add("frfcfs_cap",
               [](const ControllerOptions& o) { return std::make_unique<FrfcfsCap>(o.row_hit_cap); });
}

}  // namespace systole::dram
