// The DRAM models and the cycle-level controller's schedulers, one line each: X(name,
// Enumerator). The name is the YAML spelling (dram.kind, dram.scheduler) and the name in the
// variant's registry; the enumerator the id the config carries. A DRAM model is its module file
// pair in src/hw/dram/ (factory make_<name>_dram) plus its line in SYSTOLE_DRAM_MODELS (and its
// parameters in the schema, if it has any); a scheduler is its file in src/dram/schedulers/
// (ending with register_dram_scheduler_<name>) plus its line in SYSTOLE_DRAM_SCHEDULERS.
#pragma once

#define SYSTOLE_DRAM_MODELS(X) \
  X(ideal, kIdeal)             \
  X(simple, kSimple)           \
  X(cycle, kCycle)

#define SYSTOLE_DRAM_SCHEDULERS(X) \
  X(frfcfs, kFrfcfs)               \
  X(fcfs, kFcfs)                   \
  X(frfcfs_cap, kFrfcfsCap)
