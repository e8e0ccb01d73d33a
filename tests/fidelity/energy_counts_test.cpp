// The energy model's counts against an independent loop-nest count (docs/validation.md, "Energy
// counts against a loop-nest model"). Two ResNet-50 conv2_x layers on the default 32x32
// weight-stationary int8 array; every expected count below is computed here by walking the
// layer's loops over the tiling the compiler chose (checked first), with the scratchpad layouts
// written out in this file, never by calling the simulator's counting code. The literal numbers
// are the ones the Timeloop v3.0.3 + Accelergy cross-check reported for the same mapping.
// One simulation per test process.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>

#include "systole/run/run.h"

namespace systole {
namespace {

// One conv layer at batch 1, stride 1, square: C -> K channels, F x F kernel, pad P, H x H input.
struct Conv {
  int64_t c, k, f, p, h;
  int64_t out() const { return h + 2 * p - f + 1; }
  int64_t reduction() const { return c * f * f; }  // GEMM k: (kernel row, kernel column, channel)
};

// The default arch (arch/default.yaml): 32 x 32 array; every scratchpad has 4-byte bank words.
constexpr int64_t kArray = 32, kWord = 4, kAcc = 4;  // array edge; bank word; int32 partial sum
constexpr int64_t kTileRows = 8;                     // output rows per m tile (m = 8 * 56 = 448)

struct Counts {
  int64_t macs = 0, shift_bytes = 0;
  int64_t ifmap_reads = 0, ifmap_writes = 0, weight_reads = 0, weight_writes = 0;
  int64_t ofmap_reads = 0, ofmap_writes = 0, rmw = 0;
  int64_t dram_read = 0, dram_write = 0;
};

// Walks tile (output rows [oy0, oy0 + 8)) x column fold x row fold x streamed vector. `direct`:
// each operand vector costs the distinct 4-byte words its elements occupy in the layouts below;
// staged: ceil(bytes read / 4) per vector. Layouts (docs/compiler.md "Scratchpad layouts", WS):
//   ifmap tile:  [input row held][W][channel] int8, rows held = the input rows the tile's
//                output rows reach (padding rows are not held, padding elements are not read);
//                k = (kernel row, kernel column, channel): the tile holds all of k, so the
//                compiler's channel block is every channel;
//   weights:     pre-arranged [k][out channel] int8, i.e. element (k, n) at k * K + n;
//   ofmap:       [output pixel of the tile][out channel] int32.
Counts loop_nest(const Conv& L, bool direct) {
  Counts n;
  const int64_t ho = L.out(), red = L.reduction(), plane = ho * ho;
  for (int64_t oy0 = 0; oy0 < ho; oy0 += kTileRows) {
    const int64_t rows = std::min(kTileRows, ho - oy0), m = rows * ho;
    const int64_t row0 = std::max<int64_t>(0, oy0 - L.p);
    const int64_t row_end = std::min(L.h, oy0 + rows - 1 - L.p + L.f);  // one past the last row held
    const int64_t held = row_end - row0;
    n.ifmap_writes += L.c * held * L.h / kWord;  // the tile's LOAD (contiguous, word-aligned)
    n.dram_read += L.c * held * L.h;
    const int64_t folds_r = (red + kArray - 1) / kArray;
    for (int64_t n0 = 0; n0 < L.k; n0 += kArray) {
      const int64_t cols = std::min(kArray, L.k - n0);
      for (int64_t fr = 0; fr < folds_r; ++fr) {
        const int64_t k0 = fr * kArray, len = std::min(kArray, red - k0);
        // Weight preload: one vector w[k][n0 .. n0 + cols) per k of the fold.
        for (int64_t kk = k0; kk < k0 + len; ++kk) {
          if (direct) {
            std::set<int64_t> words;
            for (int64_t j = n0; j < n0 + cols; ++j) words.insert((kk * L.k + j) / kWord);
            n.weight_reads += static_cast<int64_t>(words.size());
          } else {
            n.weight_reads += (cols + kWord - 1) / kWord;
          }
        }
        n.shift_bytes += cols * len * (len - 1) / 2;  // preloaded weights: row i moves i hops
        // Streamed ifmap vectors a[pix][k0 .. k0 + len), one per output pixel of the tile.
        for (int64_t pix = 0; pix < m; ++pix) {
          const int64_t oy = oy0 + pix / ho, ox = pix % ho;
          std::set<int64_t> words;
          int64_t read = 0;
          for (int64_t kk = k0; kk < k0 + len; ++kk) {
            const int64_t c = kk % L.c, r = kk / L.c / L.f, s = kk / L.c % L.f;
            const int64_t y = oy - L.p + r, x = ox - L.p + s;
            if (y < 0 || y >= L.h || x < 0 || x >= L.h) continue;  // padding: generated, not read
            ++read;
            words.insert((((y - row0) * L.h + x) * L.c + c) / kWord);
          }
          n.ifmap_reads += direct ? static_cast<int64_t>(words.size()) : (read + kWord - 1) / kWord;
          n.macs += len * cols;
          n.shift_bytes += len * (cols - 1);         // int8 inputs hop along the row
          n.shift_bytes += cols * (len - 1) * kAcc;  // int32 partial sums hop down the column
          // Partial sums out[pix][n0 .. n0 + cols): one int32 word each, written every row fold,
          // read back (and added to) from the second fold on.
          n.ofmap_writes += cols;
          if (fr > 0) {
            n.ofmap_reads += cols;
            n.rmw += cols;
          }
        }
      }
    }
    n.ofmap_reads += m * L.k * kAcc / kWord;  // the STORE drains the int32 sums
  }
  n.weight_writes = L.k * red / kWord;  // loaded once, reused by every m tile
  n.dram_read += L.k * red;
  n.dram_write = L.k * plane;
  return n;
}

class EnergyCounts : public testing::TestWithParam<std::string> {};

TEST_P(EnergyCounts, MatchTheLoopNest) {
  const bool direct = GetParam() == "direct";
  const std::string root = SYSTOLE_SOURCE_DIR;
  RunRequest request;  // the run library, as `systole run` uses it
  request.arch = root + "/arch/default.yaml";
  request.workload = root + "/workloads/resnet50_conv2x.yaml";
  request.overrides = {"core.array.operand_feeder=" + GetParam(), "energy.table=45nm"};
  const RunResult run_result = run(request);
  const Program& program = run_result.prepared.program;
  const SimResult& result = run_result.sim;
  const Conv layers[] = {{64, 64, 3, 1, 56}, {256, 64, 1, 0, 56}};
  ASSERT_EQ(result.layers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const Conv& L = layers[i];
    const MappingRecord& map = program.mappings[i];
    SCOPED_TRACE(map.layer);
    // The loop nest assumes the compiler's tiling: 8 output rows x all channels x all of k.
    ASSERT_EQ(map.tile_m, kTileRows * L.out());
    ASSERT_EQ(map.tile_n, L.k);
    ASSERT_EQ(map.tile_k, L.reduction());
    ASSERT_EQ(map.loop_order, "m,n,k");
    const Counts want = loop_nest(L, direct);
    const LayerStats& got = result.layers[i];
    EXPECT_EQ(got.macs, want.macs);
    EXPECT_EQ(got.actions.register_shift_bytes, want.shift_bytes);
    EXPECT_EQ(got.actions.ifmap.read_accesses, want.ifmap_reads);
    EXPECT_EQ(got.actions.ifmap.write_accesses, want.ifmap_writes);
    EXPECT_EQ(got.actions.weight.read_accesses, want.weight_reads);
    EXPECT_EQ(got.actions.weight.write_accesses, want.weight_writes);
    EXPECT_EQ(got.actions.ofmap.read_accesses, want.ofmap_reads);
    EXPECT_EQ(got.actions.ofmap.write_accesses, want.ofmap_writes);
    EXPECT_EQ(got.actions.ofmap.accumulator_rmw, want.rmw);
    EXPECT_EQ(got.dram_reads_bytes, want.dram_read);
    EXPECT_EQ(got.dram_writes_bytes, want.dram_write);
  }
  // Where Timeloop describes the same event, the numbers it reported.
  const LayerStats &c3 = result.layers[0], &c1 = result.layers[1];
  EXPECT_EQ(c3.macs, 115605504);
  EXPECT_EQ(c1.macs, 51380224);
  EXPECT_EQ(c3.actions.register_shift_bytes, 563963904);
  EXPECT_EQ(c1.actions.register_shift_bytes, 250650624);
  if (!direct) {
    EXPECT_EQ(c1.actions.ifmap.read_accesses, 401408);  // 3x3: Timeloop 903,168 reads the padding
    EXPECT_EQ(c3.actions.weight.read_accesses, 64512);
    EXPECT_EQ(c1.actions.weight.read_accesses, 28672);
  } else {
    // The layouts put each vector's elements side by side: as many words as the staged feeder.
    EXPECT_EQ(c1.actions.ifmap.read_accesses, 401408);
    EXPECT_EQ(c3.actions.weight.read_accesses, 64512);
    EXPECT_EQ(c1.actions.weight.read_accesses, 28672);
  }
}

INSTANTIATE_TEST_SUITE_P(Feeders, EnergyCounts, testing::Values("staged", "direct"),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace systole
