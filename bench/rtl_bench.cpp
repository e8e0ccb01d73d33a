// Register-level array speed: PE-cycles simulated per second (rows x cols x simulated cycles /
// wall time) of rtl::run_tile for weight-stationary int8 tiles on 32x32 and 128x128 arrays, and
// output-stationary / fp32 for comparison. Run: build-release/bench/systole_bench
// --benchmark_filter=Rtl (docs/performance.md).
#include <benchmark/benchmark.h>

#include <vector>

#include "systole/rtl/run_tile.h"

namespace systole {
namespace {

// A tile of 4 folds (2 x 2) streaming m = 8 * R vectors each, int8 operands.
template <typename T>
void run(benchmark::State& state, Dataflow d, DataType acc) {
  const int64_t dim = state.range(0);
  rtl::TileRequest req;
  req.geometry = {dim, dim, ArrayMicroarch{}};
  req.op.dataflow = d;
  req.op.m = static_cast<uint64_t>(8 * dim);
  req.op.n = static_cast<uint64_t>(2 * dim);
  req.op.k = static_cast<uint64_t>(2 * dim);
  req.acc.type = acc;
  std::vector<T> a(req.op.m * req.op.k), w(req.op.k * req.op.n);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<T>(static_cast<int>(i * 7 % 255) - 127);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<T>(static_cast<int>(i * 13 % 255) - 127);
  using Out = std::conditional_t<std::is_same<T, float>::value, float, int64_t>;
  std::vector<Out> out(req.op.m * req.op.n);
  int64_t pe_cycles = 0;
  for (auto _ : state) {
    const rtl::TileResult r = rtl::run_tile(req, a.data(), w.data(), out.data());
    pe_cycles += r.pe_cycles;
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["pe_cycles_per_s"] =
      benchmark::Counter(static_cast<double>(pe_cycles), benchmark::Counter::kIsRate);
}

void RtlWsInt8(benchmark::State& s) {
  run<int32_t>(s, Dataflow::kWeightStationary, DataType::kInt32);
}
void RtlOsInt8(benchmark::State& s) {
  run<int32_t>(s, Dataflow::kOutputStationary, DataType::kInt32);
}
void RtlWsFp32(benchmark::State& s) {
  run<float>(s, Dataflow::kWeightStationary, DataType::kFp32);
}

BENCHMARK(RtlWsInt8)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(RtlOsInt8)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(RtlWsFp32)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace systole
