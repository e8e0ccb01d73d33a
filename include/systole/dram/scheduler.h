// The scheduler seam of the cycle-level controller (channel_controller.h): for each bank, which
// of its queued requests of the current direction goes forward, and with which priority class.
// The controller keeps, per bank and direction, the oldest request that hits the open row and the
// oldest that misses it; a scheduler picks one of the two (or none). Among banks, the controller
// issues the earliest-ready command, then the lower class, then the older request: so class 0
// ("row hit first") against class 1 is how FR-FCFS prefers hits across banks. The controller
// holds back one kind of pick: a miss in a bank whose open row was activated for a request not yet
// served (its PRE would waste that ACT; channel_controller.h, "Activated rows are kept").
//
// Policies are registered by the spelling of dram.scheduler (config/dram_spec.h DramScheduler);
// each is one file in src/dram/schedulers/ ending with register_dram_scheduler_<name>, plus its
// line in SYSTOLE_DRAM_SCHEDULERS (src/dram/scheduler.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "systole/common/registry.h"
#include "systole/dram/memory_system.h"

namespace systole::dram {

// One bank's two candidates (pool slots; -1: none) with their admission ages (smaller: older).
struct BankCandidates {
  int32_t hit = -1;      // oldest request hitting the open row (none when the bank is precharged)
  int32_t miss = -1;     // oldest request that does not
  uint64_t hit_seq = 0;  // set only when both hit and miss are >= 0 (else there is no choice)
  uint64_t miss_seq = 0;
  int64_t row_hits = 0;  // column commands the bank served from its open row since the ACT
};

struct SchedulerPick {
  int32_t slot = -1;  // the request going forward, or -1
  int cls = 1;        // 0: row-hit priority; 1: normal
};

class IDramScheduler {
 public:
  virtual ~IDramScheduler() = default;
  virtual SchedulerPick pick(const BankCandidates& bank) const = 0;
};

using DramSchedulerRegistry = Registry<IDramScheduler, const ControllerOptions&>;
// Every scheduler of this build (built on first use, then immutable).
const DramSchedulerRegistry& dram_schedulers();

}  // namespace systole::dram
