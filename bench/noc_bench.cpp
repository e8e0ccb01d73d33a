// NoC model speed: flit-hops simulated per second through run_traffic (the engine of `systole
// noctest`, traffic generation included), uniform random traffic at 0.2 flits/node/cycle on 4x4,
// 8x8 and 16x16 meshes with the default router (2 VCs x 4 flits, router 2 + link 1 cycles). Run:
// build-release/bench/systole_bench --benchmark_filter=Noc (docs/noc.md, docs/performance.md).
#include <benchmark/benchmark.h>

#include <string>

#include "systole/noc/traffic.h"

namespace systole::noc {
namespace {

void run(benchmark::State& state, int k) {
  NocParams p;
  p.x = p.y = k;
  TrafficParams t;
  t.rate = 0.2;
  t.warmup = 200;
  t.cycles = 1'000'000 / (k * k);
  int64_t hops = 0;
  for (auto _ : state) {
    const TrafficResult r = run_traffic(p, t);
    hops += r.counters.flit_hops;
    benchmark::DoNotOptimize(r.latency_avg_cycles);
  }
  state.counters["flit_hops_per_s"] =
      benchmark::Counter(static_cast<double>(hops), benchmark::Counter::kIsRate);
}

const bool kRegistered = [] {
  for (int k : {4, 8, 16}) {
    const std::string name = "BM_NocFlitHops/mesh" + std::to_string(k) + "x" + std::to_string(k);
    benchmark::RegisterBenchmark(name.c_str(), [k](benchmark::State& s) {
      run(s, k);
    })->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
}  // namespace systole::noc
