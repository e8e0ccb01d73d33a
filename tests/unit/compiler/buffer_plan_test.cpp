// Operand roles sharing a scratchpad (core.operands): the compiler's BufferPlan gives each role a
// region of it per layer, the regions a layer's instructions touch never overlap, and a layer
// starts only after the previous layer's SYNC.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "systole/common/error.h"
#include "systole/compiler/buffer_plan.h"
#include "test_networks.h"

namespace systole {
namespace {

using lowering::BufferPlan;
using lowering::RoleRegions;
using testnet::Builder;

// All three roles in one scratchpad of `kib` KiB (16 banks x 4 B: a 64-byte bank row).
ArchSpec unified_arch(int64_t kib, int64_t rows = 8, int64_t cols = 8) {
  ArchSpec a = testnet::arch(rows, cols, Dataflow::kWeightStationary);
  a.core.scratchpads.declare("unified") = {kib, 64, 64, 16, 4};
  a.core.scratchpads.placement = {"unified", "unified", "unified"};
  return a;
}

TEST(BufferPlan, ARoleAloneHasItsWholeScratchpad) {
  const ArchSpec a = testnet::arch(8, 8, Dataflow::kWeightStationary, 4, 8, 16);
  const BufferPlan plan(a);
  EXPECT_FALSE(plan.any_shared());
  const RoleRegions r = plan.for_tiles({100, 100, 100});
  EXPECT_EQ(r[0].base, 0);
  EXPECT_EQ(r[0].half, 2048);
  EXPECT_EQ(r[1].half, 4096);
  EXPECT_EQ(r[2].half, 8192);
  EXPECT_EQ(r[2].addr(1), 8192u);
  EXPECT_TRUE(plan.fits({2048, 4096, 8192}));
  EXPECT_FALSE(plan.fits({2049, 0, 0}));
  EXPECT_EQ(plan.capacity_key(Buffer::kWeight), "core.scratchpads.weight.capacity_kib");
}

TEST(BufferPlan, SharedRolesGetDisjointBankAlignedRegionsInRoleOrder) {
  const BufferPlan plan(unified_arch(4));  // 4096 B, 64 B bank rows
  EXPECT_TRUE(plan.any_shared());
  // Halves round up to the bank row: 100 -> 128, 64 -> 64, 1 -> 64; regions are two halves.
  EXPECT_EQ(plan.double_buffer_bytes(Buffer::kIfmap, 100), 256);
  const RoleRegions r = plan.for_tiles({100, 64, 1});
  EXPECT_EQ(r[0].base, 0);
  EXPECT_EQ(r[0].half, 128);
  EXPECT_EQ(r[1].base, 256);
  EXPECT_EQ(r[1].half, 64);
  EXPECT_EQ(r[2].base, 384);
  EXPECT_EQ(r[2].half, 64);
  // The three regions together fill the scratchpad exactly at the limit.
  EXPECT_TRUE(plan.fits({1024, 512, 512}));
  EXPECT_FALSE(plan.fits({1024, 512, 513}));
  EXPECT_EQ(plan.shortfall(Buffer::kWeight, {1024, 512, 513}), 128);
  EXPECT_THROW(plan.for_tiles({1024, 512, 513}), InternalError);
}

TEST(BufferPlan, ChunkedLayersSplitASharedScratchpadEqually) {
  const BufferPlan plan(unified_arch(4));
  const RoleRegions two = plan.for_chunks({Buffer::kIfmap, Buffer::kOfmap});
  EXPECT_EQ(two[index_of(Buffer::kIfmap)].base, 0);
  EXPECT_EQ(two[index_of(Buffer::kIfmap)].half, 1024);
  EXPECT_EQ(two[index_of(Buffer::kOfmap)].base, 2048);
  EXPECT_EQ(two[index_of(Buffer::kOfmap)].half, 1024);
  const RoleRegions one = plan.for_chunks({Buffer::kIfmap});
  EXPECT_EQ(one[index_of(Buffer::kIfmap)].half, 2048) << "a role used alone has all of it";
  // Three roles: 4096 / 3 rounded down to a multiple of two bank rows (128 B) = 1280 B each.
  const BufferPlan three(unified_arch(4));
  const RoleRegions r3 = three.for_chunks({Buffer::kIfmap, Buffer::kWeight, Buffer::kOfmap});
  EXPECT_EQ(r3[1].base, 1280);
  EXPECT_EQ(r3[2].base, 2560);
  EXPECT_EQ(r3[2].half, 640);
}

// A network that exercises every lowering: conv (tiled), fused relu, a branch whose consumer is not
// the layer before it, an elementwise add, pooling, a matmul and softmax.
Network mixed_network() {
  return Builder("mixed")
      .input("x", {1, 16, 12, 12})
      .conv("c1", "x", 32, 3, 3, 1, 1)
      .activation("r1", "c1")
      .conv("c2", "r1", 32, 3, 3, 1, 1)
      .conv("side", "r1", 32, 1, 1)
      .add_layer("sum", "c2", "side")
      .pool("p", "sum", 2, 2)
      .reshape("flat", "p", {1, 32 * 6 * 6})
      .matmul("fc", {"flat"}, 40)
      .softmax("sm", "fc")
      .build();
}

struct Extent {
  uint64_t lo = UINT64_MAX, hi = 0;
  void add(uint64_t a, uint64_t bytes) {
    if (bytes == 0) return;
    lo = std::min(lo, a);
    hi = std::max(hi, a + bytes);
  }
  bool empty() const { return hi == 0; }
};

TEST(BufferPlan, RegionsOfOneLayerNeverOverlapInAUnifiedScratchpad) {
  const ArchSpec arch = unified_arch(24);
  const Program p = compile(arch, mixed_network());
  const uint64_t capacity = 24 * 1024;
  const uint64_t acc = 4, act = 1;
  std::map<uint32_t, std::array<Extent, 3>> per_layer;
  int64_t matmuls = 0, vectors = 0;
  for (const Instruction& in : p.instructions) {
    auto& e = per_layer[in.layer];
    if (in.op == Opcode::kLoad || in.op == Opcode::kStore) {
      const DmaDescriptor& d = in.dma();
      const uint64_t bytes = d.from_accumulator ? d.bytes() / act * acc : d.bytes();
      e[index_of(d.buffer)].add(d.spm_addr, bytes);
    } else if (in.op == Opcode::kMatmul) {
      const MatmulOp& m = in.matmul();
      e[index_of(Buffer::kOfmap)].add(m.ofmap_spm_addr, m.m * m.n * acc);
      ++matmuls;
    } else if (in.op == Opcode::kVector) {
      const VectorOp& v = in.vector();
      if (v.on_accumulators) {
        e[index_of(Buffer::kOfmap)].add(v.dst_spm_addr, v.spm_write_bytes);
      } else {
        e[index_of(Buffer::kIfmap)].add(v.src_spm_addr, v.spm_read_bytes);
        e[index_of(Buffer::kOfmap)].add(v.dst_spm_addr, v.spm_write_bytes);
      }
      ++vectors;
    }
  }
  ASSERT_GT(matmuls, 10) << "the layers must be tiled for the test to mean something";
  ASSERT_GT(vectors, 3);
  for (const auto& [layer, e] : per_layer) {
    for (int a = 0; a < 3; ++a) {
      if (e[a].empty()) continue;
      EXPECT_LE(e[a].hi, capacity) << "layer " << layer << " role " << a;
      for (int b = a + 1; b < 3; ++b) {
        if (e[b].empty()) continue;
        EXPECT_TRUE(e[a].hi <= e[b].lo || e[b].hi <= e[a].lo)
            << "layer " << layer << ": roles " << a << " [" << e[a].lo << ", " << e[a].hi << ") and " << b
            << " [" << e[b].lo << ", " << e[b].hi << ") overlap";
      }
    }
  }
}

TEST(BufferPlan, ALayerUsingASharedScratchpadStartsAfterThePreviousSync) {
  for (const bool shared : {true, false}) {
    const ArchSpec arch =
        shared ? unified_arch(24) : testnet::arch(8, 8, Dataflow::kWeightStationary, 8, 8, 8);
    const Program p = compile(arch, mixed_network());
    int64_t last_sync = -1, fenced = 0, unfenced = 0;
    std::map<int, int64_t> unit_layer;  // unit -> layer of its last instruction
    for (const Instruction& in : p.instructions) {
      if (in.op == Opcode::kSync) {
        last_sync = in.id;
        continue;
      }
      const int unit = in.op == Opcode::kMatmul ? 1 : in.op == Opcode::kVector ? 2 : 0;
      const bool first = unit_layer.count(unit) == 0 || unit_layer[unit] != in.layer;
      unit_layer[unit] = in.layer;
      if (!first || last_sync < 0) continue;
      const bool waits =
          std::find(in.deps.begin(), in.deps.end(), static_cast<uint32_t>(last_sync)) != in.deps.end();
      (waits ? fenced : unfenced) += 1;
      if (shared) {
        EXPECT_TRUE(waits) << "instruction " << in.id << " (layer " << in.layer << ")";
      }
    }
    if (shared) {
      EXPECT_GT(fenced, 8);
    } else {
      EXPECT_GT(unfenced, 0) << "without sharing, a branch's first LOAD waits only for its own producer";
    }
  }
}

TEST(BufferPlan, TilesShrinkToFitTheSharedCapacity) {
  // A 256 x 256 x 256 int8 GEMM: alone in 64 KiB scratchpads its tiles need not share; in one
  // unified 64 KiB scratchpad the ifmap, weight and partial-sum tiles (double-buffered, rounded up
  // to 64 B bank rows) must fit together.
  const Network net = Builder("g").input("x", {256, 256}).matmul("fc", {"x"}, 256).build();
  auto need = [](const MappingRecord& r) {
    auto rows = [](int64_t b) { return (b + 63) / 64 * 64; };
    return 2 * rows(r.tile_m * r.tile_k) + 2 * rows(r.tile_k * r.tile_n) + 2 * rows(r.tile_m * r.tile_n * 4);
  };
  const MappingRecord alone = compile(testnet::arch(8, 8, Dataflow::kWeightStationary), net).mappings.at(0);
  const MappingRecord shared = compile(unified_arch(64), net).mappings.at(0);
  EXPECT_GT(need(alone), 64 * 1024) << alone.reason;
  EXPECT_LE(need(shared), 64 * 1024) << shared.reason;
}

TEST(BufferPlan, TooSmallASharedScratchpadNamesItsKeyAndTheSum) {
  try {
    compile(unified_arch(1, 32, 32), Builder("g").input("x", {64, 64}).matmul("fc", {"x"}, 64).build());
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << "one scratchpad, one diagnostic";
    const Diagnostic& d = e.diagnostics()[0];
    EXPECT_EQ(d.key, "core.scratchpads.unified.capacity_kib");
    EXPECT_EQ(d.value, "1");
    EXPECT_NE(d.rule.find("'unified' scratchpad (shared by ifmap with weight, ofmap)"), std::string::npos)
        << d.rule;
    EXPECT_NE(d.rule.find("ifmap 128 B + weight 2048 B + ofmap 256 B"), std::string::npos) << d.rule;
  }
}

}  // namespace
}  // namespace systole
