// The stat tree of one run (stats/stat_tree.h): every counter a run reports, declared here once
// with its module path, unit and description, and the derived stats as formulas over them. The
// catalogue is documented in docs/stats.md (generated from a run: `systole run ... ` writes it
// into report.json's "stats" section).
//
// Paths: run.* (the whole run), core0.* (the core: array, vector, dma, controller, stalls,
// scratchpad.<name>), dram.* (the DRAM model, summed over its channels).
#pragma once

#include "systole/config/arch_spec.h"
#include "systole/stats/sim_result.h"
#include "systole/stats/stat_tree.h"

namespace systole::stats {

StatTree run_stats(const ArchSpec& arch, const SimResult& result);

}  // namespace systole::stats
