// A user's mapping file (compiler/user_mapping.h): its tilings replace the search's for the layers
// it names, and every mistake in it is a diagnostic naming the file, line and key.
#include <gtest/gtest.h>

#include "support/process.h"
#include "systole/common/error.h"
#include "systole/compiler/user_mapping.h"
#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

Network net() {
  return Builder("n")
      .input("x", {1, 16, 14, 14})
      .conv("c1", "x", 32, 3, 3, 1, 1)
      .activation("r1", "c1")
      .reshape("flat", "r1", {1, 32 * 14 * 14})
      .matmul("fc", {"flat"}, 10)
      .build();
}

UserMapping mapping_of(const std::string& text) {
  const auto dir = testing::fresh_dir("user_mapping");
  testing::write_file(dir / "m.yaml", text);
  return load_user_mapping((dir / "m.yaml").string(), net());
}

std::vector<Diagnostic> errors_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return {};
}

TEST(UserMapping, ItsTilingReplacesTheSearchsAndRanksFirst) {
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 32, 32, 32);
  const Program free = compile(arch, net());
  const UserMapping m = mapping_of("layers:\n  c1: {tile: [64, 16, 72], loop_order: \"n,m,k\"}\n");
  const Program p = compile(arch, net(), &m);
  const MappingRecord& r = p.mappings.at(0);
  EXPECT_EQ(r.tile_m, 64);
  EXPECT_EQ(r.tile_n, 16);
  EXPECT_EQ(r.tile_k, 72);
  EXPECT_EQ(r.loop_order, "n,m,k");
  EXPECT_NE(r.reason.find("tiling from the mapping file"), std::string::npos) << r.reason;
  ASSERT_GE(r.ranked.size(), 2u);
  EXPECT_EQ(r.ranked[0].tile_m, 64);
  // The search's best comes next, so the user sees what it would have chosen.
  EXPECT_EQ(r.ranked[1].tile_m, free.mappings.at(0).tile_m);
  EXPECT_EQ(r.ranked[1].tile_k, free.mappings.at(0).tile_k);
  // Every MATMUL of the layer uses the user's tiles (at most).
  for (const Instruction& in : p.instructions) {
    if (in.op != Opcode::kMatmul || in.layer != 0) continue;
    EXPECT_LE(in.matmul().n, 16u);
    EXPECT_LE(in.matmul().k, 72u);
  }
  // Layers the file does not name keep the search's mapping.
  EXPECT_EQ(p.mappings.at(3).tile_n, free.mappings.at(3).tile_n);
}

TEST(UserMapping, FileMistakesNameLineAndKey) {
  const auto ds = errors_of([] {
    mapping_of(
        "layers:\n  c1: {tile: [64, 16]}\n  nope: {tile: [1, 1, 1]}\n  fc: {tile: [1, 2, 0.5], order: x}\n"
        "  r1: {tile: [1, 1, 1], loop_order: \"k,m,n\"}\n");
  });
  ASSERT_EQ(ds.size(), 5u);
  EXPECT_EQ(ds[0].key, "layers.c1.tile");
  EXPECT_EQ(ds[0].line, 2);
  EXPECT_NE(ds[0].rule.find("three positive integers"), std::string::npos);
  EXPECT_EQ(ds[1].key, "layers.nope");
  EXPECT_EQ(ds[1].line, 3);
  EXPECT_EQ(ds[2].key, "layers.fc.order");
  EXPECT_EQ(ds[3].key, "layers.fc.tile");
  EXPECT_EQ(ds[4].key, "layers.r1.loop_order");
  EXPECT_EQ(errors_of([] { mapping_of("tiles: {}\n"); }).at(0).key, "tiles");
  // A layer name that is a list (a fuzzer finding: yaml-cpp threw its own exception).
  const auto list_key = errors_of([] { mapping_of("layers:\n  [2rs: 8]: {tile: [1, 1, 1]}\n"); });
  ASSERT_EQ(list_key.size(), 1u);
  EXPECT_EQ(list_key[0].key, "layers");
  EXPECT_NE(list_key[0].rule.find("a layer name must be a plain string"), std::string::npos);
}

// A stage (layer pipelining) is a whole number from 0; it may stand alone or beside a tile.
TEST(UserMapping, StagesAreWholeNumbersFromZero) {
  const UserMapping m = mapping_of("layers:\n  c1: {stage: 0}\n  fc: {stage: 2, tile: [1, 10, 64]}\n");
  ASSERT_EQ(m.stages.size(), 2u);
  EXPECT_EQ(m.stages.at("c1").stage, 0);
  EXPECT_EQ(m.stages.at("fc").stage, 2);
  EXPECT_EQ(m.stages.at("fc").line, 3);
  EXPECT_EQ(m.layers.count("c1"), 0u) << "a stage alone sets no tile";
  EXPECT_EQ(m.layers.at("fc").tn, 10);
  const auto ds =
      errors_of([] { mapping_of("layers:\n  c1: {stage: -1}\n  fc: {stage: 1.5}\n  r1: {stage: x}\n"); });
  ASSERT_EQ(ds.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ds[i].line, static_cast<int>(i) + 2);
    EXPECT_NE(ds[i].rule.find("a whole number from 0"), std::string::npos) << ds[i].rule;
  }
  EXPECT_EQ(ds[0].key, "layers.c1.stage");
}

TEST(UserMapping, HardwareMistakesNameLineAndKey) {
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 4, 4, 4);
  // Too big for 4 KiB scratchpads.
  const UserMapping big = mapping_of("layers:\n  fc: {tile: [1, 10, 6272]}\n");
  auto ds = errors_of([&] { compile(arch, net(), &big); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "layers.fc.tile");
  EXPECT_EQ(ds[0].line, 2);
  EXPECT_NE(ds[0].rule.find("does not fit"), std::string::npos) << ds[0].rule;
  EXPECT_NE(ds[0].rule.find("core.scratchpads.ifmap.capacity_kib"), std::string::npos) << ds[0].rule;
  // Larger than the GEMM.
  const UserMapping wide = mapping_of("layers:\n  fc: {tile: [1, 11, 8]}\n");
  ds = errors_of([&] { compile(arch, net(), &wide); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_NE(ds[0].rule.find("GEMM of m=1 n=10 k=6272"), std::string::npos) << ds[0].rule;
  // Not a GEMM layer.
  const UserMapping relu = mapping_of("layers:\n  r1: {tile: [1, 1, 1]}\n");
  ds = errors_of([&] { compile(arch, net(), &relu); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "layers.r1");
  EXPECT_NE(ds[0].rule.find("only GEMM layers"), std::string::npos) << ds[0].rule;
}

}  // namespace
}  // namespace systole
