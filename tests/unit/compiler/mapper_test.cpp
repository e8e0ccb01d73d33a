// The mapper seam (compiler/mapper.h): the registered mappers, the exhaustive search's candidates
// and bound, the energy estimate against a hand calculation, and the objective deciding the
// ranking.
#include <gtest/gtest.h>

#include <set>

#include "systole/common/error.h"
#include "systole/compiler/mapper.h"
#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

TEST(Mapper, RegistersTheSearchMappersThenTheFileMapper) {
  EXPECT_EQ(mappers().names(), (std::vector<std::string>{"heuristic", "exhaustive", "file"}));
  EXPECT_EQ(mapper_kind_names(), (std::vector<std::string>{"heuristic", "exhaustive"}))
      << "compiler.mapper takes the search mappers only: `file` needs a file";
  try {
    mappers().get("annealing");
    FAIL() << "expected UnknownVariant";
  } catch (const UnknownVariant& e) {
    EXPECT_NE(std::string(e.what()).find("registered: heuristic, exhaustive, file"), std::string::npos)
        << e.what();
  }
}

// Legal sizes by the definition, one by one: an array dimension (extent a) takes multiples of a,
// the whole dimension, and divisors of it of at least a; a streaming dimension (a = 0) every size.
int64_t legal_sizes(int64_t d, int64_t a) {
  int64_t n = 0;
  for (int64_t t = 1; t <= d; ++t) {
    if (a == 0 || t % a == 0 || t == d || (d % t == 0 && t >= a)) ++n;
  }
  return n;
}

TEST(Mapper, ExhaustiveTriesEveryLegalSizeOfEachDimension) {
  // WS on 8 rows x 4 columns: k along the rows (extent 8), n along the columns (4), m streamed.
  const ArchSpec arch = testnet::arch(8, 4, Dataflow::kWeightStationary);
  lowering::GemmProblem p;
  p.name = "g";
  p.m = 10, p.n = 12, p.k = 20;
  const lowering::TileCandidates c = lowering::exhaustive_candidates(arch, p);
  // m: 1..10; n: 4, 8 (multiples), 6 (a divisor >= 4), 12; k: 8, 16, 10 (a divisor), 20.
  EXPECT_EQ(c.m.size(), 10u);
  EXPECT_EQ(c.n, (std::vector<int64_t>{4, 6, 8, 12}));
  EXPECT_EQ(c.k, (std::vector<int64_t>{8, 10, 16, 20}));
  EXPECT_EQ(static_cast<int64_t>(c.m.size()), legal_sizes(10, 0));
  EXPECT_EQ(static_cast<int64_t>(c.n.size()), legal_sizes(12, 4));
  EXPECT_EQ(static_cast<int64_t>(c.k.size()), legal_sizes(20, 8));
  EXPECT_EQ(c.tilings(), 10 * 4 * 4 * 2) << "sizes x 2 loop orders";
  // Every heuristic size is among them, so the exhaustive best is never worse.
  const lowering::TileCandidates h = lowering::heuristic_candidates(arch, p);
  for (int64_t t : h.m) EXPECT_TRUE(std::set<int64_t>(c.m.begin(), c.m.end()).count(t)) << "m " << t;
  for (int64_t t : h.n) EXPECT_TRUE(std::set<int64_t>(c.n.begin(), c.n.end()).count(t)) << "n " << t;
  for (int64_t t : h.k) EXPECT_TRUE(std::set<int64_t>(c.k.begin(), c.k.end()).count(t)) << "k " << t;
}

TEST(Mapper, ExhaustiveRefusesALayerOverItsBoundNamingTheKey) {
  ArchSpec arch = testnet::arch(8, 4, Dataflow::kWeightStationary);
  arch.compiler.mapper = MapperKind::kExhaustive;
  lowering::GemmProblem p;
  p.name = "long";
  p.n = 4, p.k = 8;
  // m is streamed: m sizes x 1 x 1 x 2 orders. 2^19 sizes are exactly the bound, one more is over.
  p.m = lowering::kMaxExhaustiveTilings / 2;
  EXPECT_EQ(lowering::exhaustive_candidates(arch, p).tilings(), lowering::kMaxExhaustiveTilings);
  p.m += 1;
  try {
    lowering::exhaustive_candidates(arch, p);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    const Diagnostic& d = e.diagnostics()[0];
    EXPECT_EQ(d.key, "compiler.mapper");
    EXPECT_EQ(d.value, "exhaustive");
    EXPECT_NE(d.rule.find("'long'"), std::string::npos) << d.rule;
    EXPECT_NE(d.rule.find("1048578"), std::string::npos) << d.rule;
    EXPECT_NE(d.rule.find("bound of 1048576"), std::string::npos) << d.rule;
  }
  // A streaming dimension of 2^40 is refused from its count, without building a list.
  p.m = int64_t{1} << 40;
  EXPECT_THROW(lowering::exhaustive_candidates(arch, p), ConfigError);
}

TEST(Mapper, ExhaustiveIsNeverWorseThanTheHeuristicByItsObjective) {
  const Network net = Builder("n")
                          .input("x", {1, 24, 14, 14})
                          .conv("c1", "x", 40, 3, 3, 1, 1)
                          .conv("c2", "c1", 36, 1, 1)
                          .build();
  for (Dataflow df : {Dataflow::kWeightStationary, Dataflow::kOutputStationary, Dataflow::kInputStationary}) {
    ArchSpec arch = testnet::arch(8, 4, df, 4, 3, 3);
    const Program h = compile(arch, net);
    arch.compiler.mapper = MapperKind::kExhaustive;
    const Program x = compile(arch, net);
    for (size_t i = 0; i < net.layers.size(); ++i) {
      EXPECT_EQ(h.mappings[i].mapper, "heuristic");
      EXPECT_EQ(x.mappings[i].mapper, "exhaustive");
      EXPECT_LE(x.mappings[i].ranked[0].estimated_cost, h.mappings[i].ranked[0].estimated_cost)
          << to_string(df) << " " << net.layers[i].name;
      EXPECT_NE(x.mappings[i].reason.find("exhaustive:"), std::string::npos) << x.mappings[i].reason;
    }
  }
}

TEST(Mapper, EnergyEstimateMatchesAHandCalculation) {
  // matmul [8 x 8] x W[8 x 4] on a 4 x 4 WS array, int8 in, int32 partial sums, tile m=8 n=4 k=4
  // in order m,n,k: two k tiles (Kt = 2), one m and one n tile. Per tile (Sr = k = 4, Sc = n = 4,
  // T = m = 8; array/array_timing.h tile_traffic): ifmap reads 1 fold x 8 x 4 = 32 elements,
  // weight reads 4 x 4 = 16, partial-sum writes 1 x 8 x 4 = 32. Two tiles, so
  //   ifmap reads      2 x 32 x 1 B          =  64 B
  //   weight reads     2 x 16 x 1 B          =  32 B
  //   ofmap writes     2 x 32 x 4 B          = 256 B
  //   ofmap reads      (Kt - 1 accumulate + 1 STORE) x 8 x 4 x 4 B = 256 B
  //   DMA fills        ifmap 8 x 8 = 64 B once (Kt <= 2), weights 8 x 4 = 32 B once (Nt x Kt <= 2)
  //   DRAM             64 + 32 + output 8 x 4 x 1 B = 128 B;  MACs 8 x 4 x 8 = 256
  // With prices mac 1, reads 2 / 3 / 5 and writes 7 / 11 / 13 pJ/B (ifmap / weight / ofmap),
  // DRAM 17 pJ/B and the on-chip factor 1.5:
  //   on chip = 256 + 64x2 + 32x3 + 256x5 + 256x13 + 64x7 + 32x11 = 5888 pJ
  //   energy  = 1.5 x 5888 + 128 x 17 = 8832 + 2176 = 11008 pJ
  const ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary);
  const Network net = Builder("n").input("x", {8, 8}).matmul("mm", {"x"}, 4).build();
  EnergyPrices prices;
  prices.mac_pj = 1;
  prices.read_pj_per_byte = {2, 3, 5};
  prices.write_pj_per_byte = {7, 11, 13};
  prices.dram_pj_per_byte = 17;
  prices.on_chip_factor = 1.5;
  UserMapping m;
  m.path = "m.yaml";
  m.layers["mm"] = UserTiling{8, 4, 4, true, 2};
  const MappingRecord r = compile(arch, net, &m, &prices).mappings.at(0);
  ASSERT_EQ(r.mapper, "file");
  ASSERT_EQ(r.ranked.at(0).tile_k, 4);
  EXPECT_EQ(r.ranked[0].estimated_dram_bytes, 128);
  EXPECT_DOUBLE_EQ(r.ranked[0].estimated_energy_pj, 11008.0);
  EXPECT_DOUBLE_EQ(r.ranked[0].score, static_cast<double>(r.ranked[0].estimated_cost))
      << "the objective is cycles: the score is the cost";
}

TEST(Mapper, AScratchpadTooSmallForWholeChannelBlocksFallsBackToAnyKTile) {
  // WS with the direct feeder: the heuristic offers a conv k tiles of whole channel blocks (here
  // 529 or 1058 of the 23 x 23 kernel's k = 1058). With 2 output channels those take 1058 B or
  // more of weights, and the 1 KiB weight scratchpad's half is 512 B: none fits, so the search
  // takes any k tile that does, and the layer keeps its ifmap in planes.
  const Network net = Builder("big").input("x", {1, 2, 30, 30}).conv("c", "x", 2, 23, 23).build();
  ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary, 64, 1, 64);
  arch.core.array.operand_feeder = OperandFeeder::kDirect;
  const Program p = compile(arch, net);
  const MappingRecord& r = p.mappings.at(0);
  EXPECT_LE(r.tile_k * r.tile_n, 512);
  EXPECT_NE(r.tile_k % 529, 0);
  EXPECT_EQ(r.layouts.find("[input row][W][channel]"), std::string::npos) << r.layouts;
}

TEST(Mapper, TheObjectiveDecidesTheWinner) {
  // A 3x3 conv of 64 channels on an 8 x 8 WS array with 4 KiB scratchpads: the fastest tiling
  // (found by the search: 64 x 8 x 256) is not the one with the least estimated energy (64 x 8 x
  // 144, a few cycles slower), with DRAM priced high. Ignoring the objective fails the first check.
  // The staged feeder: with direct, the heuristic offers this conv only k tiles of whole channel
  // blocks (tiler.cpp heuristic_candidates), and both objectives pick among fewer.
  ArchSpec base = testnet::arch(8, 8, Dataflow::kWeightStationary, 4, 4, 4);
  base.core.array.operand_feeder = OperandFeeder::kStaged;
  const Network net = Builder("n").input("x", {1, 64, 8, 8}).conv("c", "x", 64, 3, 3, 1, 1).build();
  EnergyPrices prices;
  prices.mac_pj = 0.1;
  prices.read_pj_per_byte = {1, 1, 1};
  prices.write_pj_per_byte = {1, 1, 1};
  prices.dram_pj_per_byte = 60;
  prices.on_chip_factor = 1.5;
  auto best = [&](MappingObjective o) {
    ArchSpec arch = base;
    arch.compiler.objective = o;
    const MappingRecord r = compile(arch, net, nullptr, &prices).mappings.at(0);
    EXPECT_EQ(r.objective, to_string(o));
    for (const auto& t : r.ranked) EXPECT_LE(r.ranked[0].score, t.score) << "best first by the score";
    return r.ranked.at(0);
  };
  const auto fast = best(MappingObjective::kCycles);
  const auto frugal = best(MappingObjective::kEnergy);
  const auto edp = best(MappingObjective::kEdp);
  EXPECT_FALSE(fast.tile_m == frugal.tile_m && fast.tile_n == frugal.tile_n && fast.tile_k == frugal.tile_k)
      << "cycles and energy choose different tilings here";
  EXPECT_LT(fast.estimated_cost, frugal.estimated_cost);
  EXPECT_LT(frugal.estimated_energy_pj, fast.estimated_energy_pj);
  EXPECT_DOUBLE_EQ(frugal.score, frugal.estimated_energy_pj);
  EXPECT_DOUBLE_EQ(edp.score, edp.estimated_energy_pj * static_cast<double>(edp.estimated_cost));
  EXPECT_LE(edp.score, fast.estimated_energy_pj * static_cast<double>(fast.estimated_cost));
  EXPECT_LE(edp.score, frugal.estimated_energy_pj * static_cast<double>(frugal.estimated_cost));
}

TEST(Mapper, AnObjectiveOtherThanCyclesNeedsPrices) {
  ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary);
  arch.compiler.objective = MappingObjective::kEnergy;
  const Network net = Builder("n").input("x", {8, 8}).matmul("mm", {"x"}, 4).build();
  EXPECT_THROW(compile(arch, net), InternalError);
}

}  // namespace
}  // namespace systole
