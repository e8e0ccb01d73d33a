// `systole memtest`: the DRAM model alone under a synthetic request stream, closed loop: up to
// `outstanding` requests in flight, a new one arriving the cycle an earlier one completes (at
// cycle 0 for the first `outstanding`), so the controller always has work when outstanding
// covers its queues. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/config/dram_spec.h"
#include "systole/dram/memory_system.h"

namespace systole::dram {

enum class Pattern { kSequential, kRandom, kStrided };
const char* to_string(Pattern p);  // "sequential", "random", "strided"
bool parse_pattern(const std::string& s, Pattern* out);
std::vector<std::string> pattern_names();

struct MemtestOptions {
  Pattern pattern = Pattern::kSequential;
  int64_t requests = 100000;  // >= 1
  double read_ratio = 1.0;    // fraction of reads, [0, 1]; chosen per request by the seeded RNG
  int64_t outstanding = 0;    // 0: queue_depth * channels
  int64_t stride_bytes = 0;   // kStrided: distance between consecutive requests; 0: one DRAM row
  uint64_t seed = 1;
  ControllerOptions controller;
};

struct MemtestResult {
  int64_t requests = 0;
  int64_t bytes = 0;
  double elapsed_ns = 0.0;  // first arrival (cycle 0) to the last completion
  double bandwidth_gbps = 0.0;
  double peak_gbps = 0.0;
  double pct_of_peak = 0.0;  // 100 * bandwidth / peak
  double latency_avg_ns = 0.0, latency_p50_ns = 0.0, latency_p99_ns = 0.0, latency_max_ns = 0.0;
  double row_hit_rate = 0.0;             // row hits / requests
  int64_t commands[kCommandCount] = {};  // ACT, PRE, RD, WR, REF
};

// Throws ConfigError for invalid options (requests < 1, read_ratio outside [0, 1], ...).
// `observer` (optional) sees every command, e.g. a TimingChecker.
MemtestResult run_memtest(const DramDeviceSpec& device, const MemtestOptions& options,
                          ICommandObserver* observer = nullptr);

}  // namespace systole::dram
