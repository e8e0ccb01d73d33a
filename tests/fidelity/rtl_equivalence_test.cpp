// Proof of equivalence of the two array models: over 2,000 random tiles from a fixed seed (20
// shards of 100, each its own process), the register-level engine (rtl/run_tile.h) takes exactly
// tile_timing()'s cycles and computes exactly the reference GEMM (numeric/gemm_reference.h, k_group = R
// for ws and is, 0 for os). Cases draw the dataflow, array rows/cols in 1..64, tile m/n/k from 1,
// primes, sizes far below and far above the array, every microarchitecture parameter (including
// the SCALE-Sim setting with split streams), the number format and the accumulator width and
// overflow. Sizes are biased small so that the whole proof runs in well under a minute.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "systole/array/array_timing.h"
#include "systole/numeric/float16.h"
#include "systole/numeric/gemm_reference.h"
#include "systole/rtl/run_tile.h"

namespace systole {
namespace {

constexpr uint64_t kSeed = 0x5157'0b1e'2026'0003ULL;
constexpr int kShards = 20;
constexpr int kCasesPerShard = 100;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : m_state(seed) {}
  int64_t uniform(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(splitmix64(m_state) % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return uniform(0, 99) < percent; }
  template <typename T>
  T pick(std::initializer_list<T> xs) {
    return *(xs.begin() + uniform(0, static_cast<int64_t>(xs.size()) - 1));
  }

 private:
  uint64_t m_state;
};

struct Case {
  int index = 0;
  rtl::TileRequest req;
  DataType type = DataType::kInt8;

  std::string str() const {
    const auto& ua = req.geometry.microarch;
    const auto& op = req.op;
    return fmt::format(
        "case {} (seed {:#x}): {} {}x{} m={} n={} k={} accumulate={} type={} acc_width={} overflow={} "
        "overlap={} pipelining={} scalesim_counting={} skew_in={} skew_out={} depth={} rmw={} "
        "stream_first={} stream_last={} layer_last={}",
        index, kSeed, to_string(op.dataflow), req.geometry.rows, req.geometry.cols, op.m, op.n, op.k,
        op.accumulate, to_string(type), req.acc.width_bits, to_string(req.acc.overflow), ua.preload_overlap,
        ua.fold_pipelining, ua.scalesim_counting, ua.input_skew_registers, ua.output_skew_registers,
        ua.pe_pipeline_depth, ua.accumulator_rmw_latency, op.stream_first, op.stream_last, op.layer_last);
  }
};

// A dimension: 1, a prime, far below or far above the array extent `a` it folds onto, or any.
int64_t draw_dim(Rng& rng, int64_t a) {
  switch (rng.uniform(0, 5)) {
    case 0:
      return 1;
    case 1:
      return rng.pick<int64_t>({2, 3, 5, 7, 11, 13, 17, 23, 31, 37, 61, 67, 97, 131});
    case 2:
      return std::max<int64_t>(1, rng.uniform(1, std::max<int64_t>(1, a / 4)));
    case 3:
      return a * rng.uniform(2, 4) + rng.uniform(0, a);
    default:
      return rng.uniform(1, 40);
  }
}

Case draw_case(int index) {
  uint64_t state = kSeed + static_cast<uint64_t>(index) * 0x1000193ULL;
  Rng rng(splitmix64(state));
  Case c;
  c.index = index;
  auto& g = c.req.geometry;
  auto& op = c.req.op;
  op.dataflow =
      rng.pick({Dataflow::kWeightStationary, Dataflow::kOutputStationary, Dataflow::kInputStationary});
  auto extent = [&rng]() -> int64_t {
    switch (rng.uniform(0, 3)) {
      case 0:
        return rng.uniform(1, 4);
      case 1:
        return rng.pick<int64_t>({1, 2, 3, 5, 7, 13, 31, 61, 64});
      default:
        return rng.uniform(1, 64);
    }
  };
  // Resample until the padded work (folds x R x C x T) is small enough.
  for (;;) {
    g.rows = extent();
    g.cols = extent();
    // The dimension along the rows / columns / time, per dataflow (array/array_timing.h).
    int64_t sr = draw_dim(rng, g.rows), sc = draw_dim(rng, g.cols), t = draw_dim(rng, 32);
    switch (op.dataflow) {
      case Dataflow::kWeightStationary:  // Sr = k, Sc = n, T = m
        op.k = static_cast<uint64_t>(sr), op.n = static_cast<uint64_t>(sc), op.m = static_cast<uint64_t>(t);
        break;
      case Dataflow::kOutputStationary:  // Sr = m, Sc = n, T = k
        op.m = static_cast<uint64_t>(sr), op.n = static_cast<uint64_t>(sc), op.k = static_cast<uint64_t>(t);
        break;
      case Dataflow::kInputStationary:  // Sr = k, Sc = m, T = n
        op.k = static_cast<uint64_t>(sr), op.m = static_cast<uint64_t>(sc), op.n = static_cast<uint64_t>(t);
        break;
    }
    const int64_t fr = (sr + g.rows - 1) / g.rows, fc = (sc + g.cols - 1) / g.cols;
    const int64_t work = fr * fc * g.rows * g.cols * (std::max(t, g.rows) + 2 * (g.rows + g.cols));
    if (work <= 10'000'000) break;
  }
  auto& ua = g.microarch;
  if (rng.chance(15)) {
    ua = ArrayMicroarch::scalesim();
    op.stream_first = rng.chance(70);
    op.stream_last = rng.chance(70);
    op.layer_last = op.stream_last && rng.chance(50);
  } else {
    ua.preload_overlap = rng.chance(60);
    ua.fold_pipelining = rng.chance(60);
    ua.input_skew_registers = rng.chance(30);
    ua.output_skew_registers = rng.chance(30);
    ua.pe_pipeline_depth = rng.chance(50) ? 1 : rng.uniform(2, 4);
    ua.accumulator_rmw_latency = rng.chance(50) ? 0 : rng.pick<int64_t>({1, 2, 3, 7, 20, 100});
  }
  op.accumulate = rng.chance(30);
  c.type = rng.pick({DataType::kInt8, DataType::kInt16, DataType::kFp16, DataType::kBf16, DataType::kFp32});
  const bool ints = c.type == DataType::kInt8 || c.type == DataType::kInt16;
  c.req.acc.type = ints ? DataType::kInt32 : DataType::kFp32;
  c.req.acc.width_bits = static_cast<int>(rng.pick<int64_t>({32, 32, 8, 12, 16, 20, 24, 40, 48, 64}));
  c.req.acc.overflow = rng.chance(50) ? Overflow::kSaturate : Overflow::kWrap;
  return c;
}

int64_t draw_int(Rng& rng, DataType t) {
  return t == DataType::kInt8 ? rng.uniform(-128, 127) : rng.uniform(-32768, 32767);
}

float draw_float(Rng& rng, DataType t) {
  const float v = static_cast<float>(rng.uniform(-1'000'000, 1'000'000)) / 65536.0f;
  if (t == DataType::kFp16) return fp16_to_float(float_to_fp16(v));
  if (t == DataType::kBf16) return bf16_to_float(float_to_bf16(v));
  return v;
}

// In range for the accumulator width, as partial sums from the scratchpad would be.
int64_t draw_init(Rng& rng, int width) {
  const int64_t span = width >= 40 ? (int64_t{1} << 38) : (int64_t{1} << (width - 1)) - 1;
  return rng.uniform(-span, span);
}

class RtlEquivalence : public ::testing::TestWithParam<int> {};

TEST_P(RtlEquivalence, CyclesAndValuesMatchTileTimingAndReference) {
  int failures = 0;
  for (int i = 0; i < kCasesPerShard && failures < 5; ++i) {
    const Case c = draw_case(GetParam() * kCasesPerShard + i);
    const auto& op = c.req.op;
    const auto m = static_cast<int64_t>(op.m), n = static_cast<int64_t>(op.n), k = static_cast<int64_t>(op.k);
    const int64_t k_group = op.dataflow == Dataflow::kOutputStationary ? 0 : c.req.geometry.rows;
    uint64_t state = kSeed ^ (static_cast<uint64_t>(c.index) << 20);
    Rng rng(splitmix64(state));
    const int64_t want_cycles = tile_timing(c.req.geometry, op).cycles;
    rtl::TileResult got;
    bool same_values = true;
    try {
      if (c.req.acc.type == DataType::kInt32) {
        std::vector<int32_t> a(static_cast<size_t>(m * k)), w(static_cast<size_t>(k * n));
        for (auto& x : a) x = static_cast<int32_t>(draw_int(rng, c.type));
        for (auto& x : w) x = static_cast<int32_t>(draw_int(rng, c.type));
        std::vector<int64_t> out(static_cast<size_t>(m * n));
        for (auto& x : out) x = draw_init(rng, c.req.acc.width_bits);
        std::vector<int64_t> ref = out;
        reference_gemm_int(m, n, k, a.data(), w.data(), ref.data(), op.accumulate, c.req.acc, k_group);
        got = rtl::run_tile(c.req, a.data(), w.data(), out.data());
        same_values = out == ref;
        if (!same_values) {
          for (size_t e = 0; e < out.size(); ++e) {
            if (out[e] != ref[e]) {
              ADD_FAILURE() << c.str() << ": out[" << e << "] = " << out[e] << ", reference " << ref[e];
              break;
            }
          }
        }
      } else {
        std::vector<float> a(static_cast<size_t>(m * k)), w(static_cast<size_t>(k * n));
        for (auto& x : a) x = draw_float(rng, c.type);
        for (auto& x : w) x = draw_float(rng, c.type);
        std::vector<float> out(static_cast<size_t>(m * n));
        for (auto& x : out) x = draw_float(rng, DataType::kFp32);
        std::vector<float> ref = out;
        reference_gemm_fp(m, n, k, a.data(), w.data(), ref.data(), op.accumulate, k_group);
        got = rtl::run_tile(c.req, a.data(), w.data(), out.data());
        // Bit-exact, so a sign of zero or a last-place rounding difference fails.
        same_values = std::memcmp(out.data(), ref.data(), out.size() * sizeof(float)) == 0;
        if (!same_values) {
          for (size_t e = 0; e < out.size(); ++e) {
            if (std::memcmp(&out[e], &ref[e], sizeof(float)) != 0) {
              ADD_FAILURE() << c.str() << ": out[" << e << "] = " << out[e] << ", reference " << ref[e];
              break;
            }
          }
        }
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << c.str() << ": " << e.what();
      ++failures;
      continue;
    }
    if (std::getenv("RTL_EQ_VERBOSE"))
      fmt::print("{} -> {} cycles, {} simulated\n", c.str(), got.cycles, got.simulated_cycles);
    if (got.cycles != want_cycles)
      ADD_FAILURE() << c.str() << ": rtl " << got.cycles << " cycles, tile " << want_cycles;
    if (got.cycles != want_cycles || !same_values) ++failures;
  }
}

INSTANTIATE_TEST_SUITE_P(Shards, RtlEquivalence, ::testing::Range(0, kShards));

}  // namespace
}  // namespace systole
