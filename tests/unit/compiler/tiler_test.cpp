// Tile choice: chosen tiles fit double-buffered, Sr/Sc tiles are array multiples, the smallest
// legal tile that does not fit is a ConfigError naming the scratchpad key, and choices are
// deterministic.
#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

TEST(Tiler, ChosenTilesFitDoubleBufferedAndAlignToTheArray) {
  for (Dataflow df : {Dataflow::kWeightStationary, Dataflow::kOutputStationary, Dataflow::kInputStationary}) {
    const ArchSpec arch = testnet::arch(8, 4, df, 3, 3, 3);
    const Network net = Builder("n").input("x", {1, 24, 14, 14}).conv("c", "x", 40, 3, 3, 1, 1).build();
    const Program p = compile(arch, net);
    const MappingRecord& r = p.mappings[0];
    // The ofmap tile in accumulator bytes, the weight tile in weight bytes, both double-buffered.
    EXPECT_LE(2 * r.tile_m * r.tile_n * 4, 3 * 1024) << to_string(df);
    EXPECT_LE(2 * r.tile_k * r.tile_n, 3 * 1024) << to_string(df);
    int64_t per_half_ifmap = 0;
    for (const Instruction& in : p.instructions) {
      if (in.op == Opcode::kLoad && in.dma().buffer == Buffer::kIfmap) {
        per_half_ifmap = std::max<int64_t>(per_half_ifmap, in.dma().bytes());
      }
    }
    EXPECT_LE(2 * per_half_ifmap, 3 * 1024);
    // Sr and Sc tile sizes are multiples of R = 8 and C = 4, or the whole dimension.
    const auto aligned = [](int64_t t, int64_t full, int64_t a) { return t == full || t % a == 0; };
    switch (df) {
      case Dataflow::kWeightStationary:
        EXPECT_TRUE(aligned(r.tile_k, r.gemm_k, 8) && aligned(r.tile_n, r.gemm_n, 4)) << r.reason;
        break;
      case Dataflow::kOutputStationary:
        EXPECT_TRUE(aligned(r.tile_m, r.gemm_m, 8) && aligned(r.tile_n, r.gemm_n, 4)) << r.reason;
        break;
      case Dataflow::kInputStationary:
        EXPECT_TRUE(aligned(r.tile_k, r.gemm_k, 8) && aligned(r.tile_m, r.gemm_m, 4)) << r.reason;
        break;
    }
    EXPECT_GT(r.tiles, 1);
    EXPECT_GT(r.folds, 0);
  }
}

TEST(Tiler, WeightScratchpadTooSmallIsAConfigErrorNamingTheKey) {
  // WS on 32x32: the smallest tile holds one 32x32 fold of int8 weights = 1024 B, double-buffered
  // 2048 B > 1 KiB.
  const ArchSpec arch = testnet::arch(32, 32, Dataflow::kWeightStationary, 64, 1, 64);
  const Network net = Builder("n").input("x", {1, 64, 8, 8}).conv("big", "x", 64, 3, 3, 1, 1).build();
  try {
    compile(arch, net);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    const Diagnostic& d = e.diagnostics()[0];
    EXPECT_EQ(d.key, "core.scratchpads.weight.capacity_kib");
    EXPECT_EQ(d.value, "1");
    EXPECT_NE(d.rule.find("'big'"), std::string::npos) << d.rule;
    EXPECT_NE(d.rule.find("2048 bytes"), std::string::npos) << d.rule;
  }
}

TEST(Tiler, IfmapScratchpadTooSmallForOneRowHalo) {
  // WS streams m: the smallest tile is one output pixel, which still needs kh = 3 whole input
  // rows of 4096 B for each channel plane its 32 k values touch; the k tile [32, 64) touches
  // channels 3..7 (9 k values per channel): 5 * 3 * 4096 = 61440 B, x2 > 64 KiB.
  const ArchSpec arch = testnet::arch(32, 32, Dataflow::kWeightStationary, 64, 64, 64);
  const Network net = Builder("n").input("x", {1, 64, 8, 4096}).conv("wide", "x", 32, 3, 3).build();
  try {
    compile(arch, net);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].key, "core.scratchpads.ifmap.capacity_kib");
    EXPECT_EQ(e.diagnostics()[0].value, "64");
    EXPECT_NE(e.diagnostics()[0].rule.find("122880 bytes"), std::string::npos) << e.diagnostics()[0].rule;
  }
}

TEST(Tiler, VectorLayerTooBigIsAConfigError) {
  // A softmax row of 4096 int8 elements cannot be split; a 4 KiB scratchpad has 2 KiB halves.
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 4, 4, 4);
  const Network net = Builder("n").input("x", {2, 4096}).softmax("sm", "x").build();
  EXPECT_THROW(compile(arch, net), ConfigError);
}

TEST(Tiler, WholeLayerFitsInOneTileWhenCapacityIsAmple) {
  const ArchSpec arch = testnet::arch(16, 16, Dataflow::kWeightStationary, 1024, 1024, 1024);
  const Network net = Builder("n").input("x", {1, 8, 6, 6}).conv("c", "x", 16, 3, 3).build();
  const Program p = compile(arch, net);
  EXPECT_EQ(p.mappings[0].tiles, 1);
  EXPECT_EQ(p.mappings[0].tile_m, 16);
  EXPECT_EQ(p.mappings[0].tile_k, 72);
  EXPECT_EQ(p.mappings[0].tile_n, 16);
  // One fold grid: ceil(72/16) * ceil(16/16) = 5 folds.
  EXPECT_EQ(p.mappings[0].folds, 5);
  EXPECT_NE(p.mappings[0].reason.find("each operand fetched once"), std::string::npos)
      << p.mappings[0].reason;
}

TEST(Tiler, DeterministicChoice) {
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kOutputStationary, 4, 4, 4);
  const Network net = Builder("n").input("x", {1, 32, 28, 28}).conv("c", "x", 64, 3, 3, 1, 1).build();
  const Program a = compile(arch, net), b = compile(arch, net);
  EXPECT_EQ(a.mappings[0].tile_m, b.mappings[0].tile_m);
  EXPECT_EQ(a.mappings[0].reason, b.mappings[0].reason);
  EXPECT_EQ(a.instructions.size(), b.instructions.size());
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

TEST(Tiler, RanksTheBestTilingsBestFirstWithTheChosenOneFirst) {
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 16, 16, 16);
  const Network net =
      testnet::Builder("n").input("x", {1, 32, 28, 28}).conv("c", "x", 64, 3, 3, 1, 1).build();
  const MappingRecord r = compile(arch, net).mappings.at(0);
  ASSERT_EQ(r.ranked.size(), kRankedTilings) << "a conv this size has more legal tilings than are kept";
  EXPECT_EQ(r.ranked[0].tile_m, r.tile_m);
  EXPECT_EQ(r.ranked[0].tile_n, r.tile_n);
  EXPECT_EQ(r.ranked[0].tile_k, r.tile_k);
  EXPECT_EQ(r.ranked[0].loop_order, r.loop_order);
  EXPECT_EQ(r.ranked[0].estimated_dram_bytes, r.estimated_dram_bytes);
  for (size_t i = 1; i < r.ranked.size(); ++i) {
    const auto& a = r.ranked[i - 1];
    const auto& b = r.ranked[i];
    // The search's order: cost, then DRAM bytes.
    EXPECT_TRUE(a.estimated_cost < b.estimated_cost ||
                (a.estimated_cost == b.estimated_cost && a.estimated_dram_bytes <= b.estimated_dram_bytes))
        << "rank " << i;
    EXPECT_GE(b.estimated_cost, b.estimated_cycles) << "cost = max(array cycles, DRAM cycles)";
    EXPECT_FALSE(a.tile_m == b.tile_m && a.tile_n == b.tile_n && a.tile_k == b.tile_k &&
                 a.loop_order == b.loop_order)
        << "each tiling once";
  }
  // The runner-up is a different, legal tiling: the double-buffered weight and partial-sum tiles fit.
  EXPECT_LE(2 * r.ranked[1].tile_k * r.ranked[1].tile_n, 16 * 1024);
  EXPECT_LE(2 * r.ranked[1].tile_m * r.ranked[1].tile_n * 4, 16 * 1024);
}

TEST(Tiler, VectorLayersRankNothing) {
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary);
  const Network net = testnet::Builder("n").input("x", {1, 8, 8, 8}).activation("r", "x").build();
  EXPECT_TRUE(compile(arch, net).mappings.at(0).ranked.empty());
}

}  // namespace
}  // namespace systole
