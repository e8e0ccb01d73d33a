// The emitted stream: backward deps, operands loaded before use, double-buffer WAR deps, prefetch
// order, SYNCs, MAC conservation, weight residency, and the DRAM estimate against the emitted bytes.
#include <gtest/gtest.h>

#include "stream_checks.h"
#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

Network small_cnn() {
  return Builder("cnn")
      .input("x", {1, 8, 20, 20})
      .conv("c1", "x", 32, 3, 3, 1, 1)
      .activation("r1", "c1")
      .pool("p1", "r1", 2, 2)
      .conv("c2", "p1", 48, 3, 3, 1, 1)
      .conv("c3", "p1", 48, 1, 1)
      .add_layer("a", "c2", "c3")
      .reshape("flat", "a", {1, 48 * 10 * 10})
      .matmul("fc", {"flat"}, 20)
      .softmax("sm", "fc")
      .build();
}

int64_t network_macs(const Network& n) {
  int64_t s = 0;
  for (const Layer& l : n.layers) s += l.macs;
  return s;
}

class StreamSweep : public ::testing::TestWithParam<std::tuple<Dataflow, int64_t>> {};

TEST_P(StreamSweep, StructureHoldsAndMacsAreConserved) {
  const auto [df, kib] = GetParam();
  const ArchSpec arch = testnet::arch(8, 8, df, kib, kib, kib);
  const Network net = small_cnn();
  const Program p = compile(arch, net);
  ASSERT_EQ(p.layers.size(), net.layers.size());
  ASSERT_EQ(p.mappings.size(), net.layers.size());
  testnet::check_stream(arch, p);
  EXPECT_EQ(testnet::total_macs(p), network_macs(net));
  // GEMM layers: the estimate of DRAM traffic is exactly what the emitted LOADs and STOREs move.
  for (size_t li = 0; li < net.layers.size(); ++li) {
    int64_t bytes = 0;
    for (const Instruction& in : p.instructions) {
      if (in.layer == li && (in.op == Opcode::kLoad || in.op == Opcode::kStore)) bytes += in.dma().bytes();
    }
    if (p.mappings[li].gemm_m > 0 || p.mappings[li].dataflow == "vector") {
      EXPECT_EQ(bytes, p.mappings[li].estimated_dram_bytes) << net.layers[li].name;
    } else {
      EXPECT_EQ(bytes, 0) << net.layers[li].name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DataflowsAndCapacities, StreamSweep,
                         ::testing::Combine(::testing::Values(Dataflow::kWeightStationary,
                                                              Dataflow::kOutputStationary,
                                                              Dataflow::kInputStationary),
                                            ::testing::Values(int64_t{2}, int64_t{8}, int64_t{256})));

TEST(Stream, ConsumersFirstLoadWaitsForProducersSync) {
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 4, 4, 4);
  const Program p = compile(arch, small_cnn());
  // Layer 3 (c2) reads p1 (layer 2): its first ifmap LOAD depends on p1's SYNC.
  int64_t sync_p1 = -1;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kSync && in.layer == 2) sync_p1 = in.id;
    if (in.op == Opcode::kLoad && in.layer == 3 && in.dma().buffer == Buffer::kIfmap) {
      ASSERT_GE(sync_p1, 0);
      EXPECT_TRUE(testnet::has_dep(in, static_cast<uint32_t>(sync_p1)));
      break;
    }
  }
  // "a" (layer 5) waits for both c2's and c3's SYNCs.
  std::vector<uint32_t> syncs;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kSync && (in.layer == 3 || in.layer == 4)) syncs.push_back(in.id);
  }
  ASSERT_EQ(syncs.size(), 2u);
  std::set<uint32_t> first_deps;
  for (const Instruction& in : p.instructions) {
    if (in.layer == 5 && in.op == Opcode::kLoad) {
      first_deps.insert(in.deps.begin(), in.deps.end());
      if (first_deps.size() >= 2) break;
    }
  }
  for (uint32_t s : syncs) EXPECT_TRUE(first_deps.count(s)) << s;
}

TEST(Stream, DoubleBufferingPrefetchesBeforeTheStore) {
  // 64x64 output of a 1x1 conv on a 8x8 WS array with 2 KiB scratchpads: many tiles.
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 2, 2, 2);
  const Network net = Builder("n").input("x", {1, 16, 16, 16}).conv("c", "x", 64, 1, 1).build();
  const Program p = compile(arch, net);
  testnet::check_stream(arch, p);
  ASSERT_GT(p.mappings[0].tiles, 4);
  // The first STORE appears after the second tile's MATMUL loads were issued, and the second
  // tile's ifmap LOAD goes to the other half and does not wait for the first MATMUL.
  std::vector<uint32_t> matmuls, loads;
  int64_t first_store = -1;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kMatmul) matmuls.push_back(in.id);
    if (in.op == Opcode::kLoad) loads.push_back(in.id);
    if (in.op == Opcode::kStore && first_store < 0) first_store = in.id;
  }
  ASSERT_GE(matmuls.size(), 3u);
  ASSERT_GT(first_store, static_cast<int64_t>(matmuls[0]));
  bool load_between = false;
  for (uint32_t l : loads) load_between = load_between || (l > matmuls[0] && l < first_store);
  EXPECT_TRUE(load_between);
  for (uint32_t l : loads) {
    if (l > matmuls[0] && l < matmuls[1]) {
      EXPECT_FALSE(testnet::has_dep(p.instructions[l], matmuls[0]));
    }
  }
  // Tile 0 and tile 1 write different ofmap halves; tile 2 waits for tile 0's STORE.
  const auto& m0 = p.instructions[matmuls[0]].matmul();
  const auto& m1 = p.instructions[matmuls[1]].matmul();
  EXPECT_NE(m0.ofmap_spm_addr, m1.ofmap_spm_addr);
}

TEST(Stream, ResidentWeightsAreLoadedOnce) {
  // Ample weight scratchpad: every layer's weights are fetched exactly once.
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 16, 256, 16);
  const Network net = small_cnn();
  const Program p = compile(arch, net);
  for (size_t li = 0; li < net.layers.size(); ++li) {
    if (net.layers[li].weight_elements == 0) continue;
    EXPECT_EQ(testnet::load_bytes(p, Buffer::kWeight, static_cast<int>(li)), net.layers[li].weight_elements)
        << net.layers[li].name << ": " << p.mappings[li].reason;
  }
}

TEST(Stream, KSplitAccumulates) {
  // K = 512*9 = 4608 does not fit a 4 KiB weight scratchpad with n >= 8: k is split, and every
  // MATMUL after the first k tile of an output tile accumulates.
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 16, 4, 16);
  const Network net = Builder("n").input("x", {1, 512, 4, 4}).conv("c", "x", 16, 3, 3, 1, 1).build();
  const Program p = compile(arch, net);
  testnet::check_stream(arch, p);
  const MappingRecord& r = p.mappings[0];
  EXPECT_LT(r.tile_k, r.gemm_k);
  EXPECT_NE(r.reason.find("k split"), std::string::npos) << r.reason;
  int64_t acc = 0, fresh = 0;
  for (const Instruction& in : p.instructions) {
    if (in.op != Opcode::kMatmul) continue;
    (in.matmul().accumulate ? acc : fresh) += 1;
  }
  const int64_t kt = (r.gemm_k + r.tile_k - 1) / r.tile_k;
  EXPECT_EQ(acc, fresh * (kt - 1));
  EXPECT_EQ(testnet::total_macs(p), net.layers[0].macs);
}

}  // namespace
}  // namespace systole
