// Cycle-level DRAM model speed: requests simulated per second through run_memtest (closed loop,
// queue_depth x channels in flight, default controller options: open page, RoCoBaRaCh, FR-FCFS,
// refresh on), sequential and uniformly random reads on DDR4-3200 and HBM2. Run:
// build-release/bench/systole_bench --benchmark_filter=Dram (docs/dram.md, docs/performance.md).
#include <benchmark/benchmark.h>

#include <string>

#include "systole/config/dram_spec.h"
#include "systole/dram/memtest.h"

namespace systole::dram {
namespace {

void run(benchmark::State& state, const std::string& preset, Pattern pattern) {
  const DramDeviceSpec device = load_dram_preset(dram_preset_path(preset, ""));
  MemtestOptions o;
  o.pattern = pattern;
  o.requests = 200000;
  int64_t requests = 0;
  double pct = 0;
  for (auto _ : state) {
    const MemtestResult r = run_memtest(device, o);
    requests += r.requests;
    pct = r.pct_of_peak;
    benchmark::DoNotOptimize(r.bandwidth_gbps);
  }
  state.counters["requests_per_s"] =
      benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsRate);
  state.counters["pct_of_peak"] = pct;
}

const bool kRegistered = [] {
  for (const char* preset : {"ddr4-3200", "hbm2"}) {
    for (Pattern p : {Pattern::kSequential, Pattern::kRandom}) {
      const std::string name = std::string("BM_DramRequests/") + preset + "/" + to_string(p);
      benchmark::RegisterBenchmark(name.c_str(), [preset, p](benchmark::State& s) {
        run(s, preset, p);
      })->Unit(benchmark::kMillisecond);
    }
  }
  return true;
}();

}  // namespace
}  // namespace systole::dram
