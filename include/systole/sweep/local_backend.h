// Running a sweep's points on this machine (docs/sweeps.md "Running"): each (point, workload) is
// its own `systole run` process (SystemC elaborates once per process), at most `jobs` at a time;
// results go into <out>/sweep.db (sweep/results_db.h) and each run's outputs into
// <out>/points/<hash>/. A run whose content hash the database already holds as done is reused,
// not simulated again; a failed run is recorded with its error and the sweep goes on.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "systole/config/arch_spec.h"
#include "systole/sweep/results_db.h"
#include "systole/sweep/spec.h"

namespace systole::sweep {

// The content hash of one run: hex SHA-256 over the tool version, the run's fully resolved config
// (arch_to_json of the point's arch), the workload file's SHA-256 (`workload_sha256`, hex) and the
// run options. Equal hashes are the same simulation, whichever sweep asks for it.
std::string run_hash(const ArchSpec& arch, const std::string& workload_sha256);

// The headline metrics of a report.json (its total); InternalError when one is missing.
RunMetrics metrics_of(const nlohmann::json& report);

struct LocalOptions {
  std::string executable;  // the systole binary each run executes
  std::string out_dir;     // sweep.db and points/ (created when missing)
  int jobs = 1;            // runs at once, >= 1
};

struct SweepProgress {
  size_t total = 0;     // runs of the sweep (points x workloads)
  size_t reused = 0;    // found done in the database
  size_t finished = 0;  // simulated now, done or failed
  size_t failed = 0;    // of those
  double elapsed_s = 0.0;
};

// Runs every run of `plan` not already done. `progress` is called after each run ends (and once at
// the start); `interrupted` is polled while runs are in flight: when it returns true, the runs in
// flight are stopped (SIGTERM, then waited for) and run_local returns early. The result tells what
// happened; the database holds every run that finished.
SweepProgress run_local(const SweepSpec& spec, const SweepPlan& plan, const LocalOptions& options,
                        const std::function<void(const SweepProgress&)>& progress,
                        const std::function<bool()>& interrupted);

}  // namespace systole::sweep
