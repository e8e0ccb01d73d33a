// Double buffering in the instruction stream: every LOAD, MATMUL, fused VECTOR and STORE of a GEMM
// layer names the scratchpad half (slot) it uses; the slots come from the compiler's placement,
// agree with the addresses, alternate between output tiles, and a tile's LOAD, MATMUL and STORE
// name the same slot.
#include <gtest/gtest.h>

#include <map>

#include "systole/compiler/program.h"
#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

// Small scratchpads (4 KiB: 2 KiB halves) force several tiles per layer.
Program tiled_program(Dataflow df) {
  const ArchSpec arch = testnet::arch(8, 8, df, 4, 4, 4);
  const Network net = Builder("db")
                          .input("x", {1, 16, 14, 14})
                          .conv("c1", "x", 24, 3, 3, 1, 1)
                          .activation("r", "c1")
                          .conv("c2", "r", 32, 1, 1)
                          .build();
  return compile(arch, net);
}

int slot_of_address(uint64_t addr, int64_t capacity_kib) {
  return addr >= static_cast<uint64_t>(capacity_kib * 1024 / 2) ? 1 : 0;
}

const Instruction& producer_matmul(const Program& p, const Instruction& in) {
  const Instruction* at = &in;
  while (at->op != Opcode::kMatmul) {
    EXPECT_EQ(at->deps.size(), 1u) << at->id;
    at = &p.instructions.at(at->deps.at(0));
  }
  return *at;
}

void check_slots(const Program& p) {
  std::map<uint32_t, std::vector<int>> output_tile_slots;  // per layer: ofmap slot of each output tile
  int tiles = 0;
  for (const Instruction& in : p.instructions) {
    switch (in.op) {
      case Opcode::kLoad:
      case Opcode::kStore: {
        const DmaDescriptor& d = in.dma();
        ASSERT_NE(d.slot, kNoSlot) << in.id;
        EXPECT_EQ(d.slot, slot_of_address(d.spm_addr, 4)) << in.id;
        if (in.op == Opcode::kStore) {
          // The STORE drains the half its MATMUL (through a fused VECTOR, if any) wrote.
          EXPECT_EQ(d.slot, producer_matmul(p, in).matmul().ofmap_slot) << in.id;
        }
        break;
      }
      case Opcode::kMatmul: {
        const MatmulOp& op = in.matmul();
        ++tiles;
        EXPECT_EQ(op.ifmap_slot, slot_of_address(op.ifmap_spm_addr, 4)) << in.id;
        EXPECT_EQ(op.weight_slot, slot_of_address(op.weight_spm_addr, 4)) << in.id;
        EXPECT_EQ(op.ofmap_slot, slot_of_address(op.ofmap_spm_addr, 4)) << in.id;
        // Its operands' LOADs filled the halves it reads.
        for (uint32_t dep : in.deps) {
          const Instruction& d = p.instructions.at(dep);
          if (d.op != Opcode::kLoad) continue;
          const int want = d.dma().buffer == Buffer::kIfmap ? op.ifmap_slot : op.weight_slot;
          EXPECT_EQ(d.dma().slot, want) << "LOAD " << dep << " for MATMUL " << in.id;
        }
        if (!op.accumulate) output_tile_slots[in.layer].push_back(op.ofmap_slot);
        break;
      }
      case Opcode::kVector:
        if (in.vector().on_accumulators) {
          EXPECT_EQ(in.vector().dst_slot, producer_matmul(p, in).matmul().ofmap_slot) << in.id;
        }
        break;
      case Opcode::kSync:
        break;
    }
  }
  EXPECT_GT(tiles, 4);
  for (const auto& [layer, slots] : output_tile_slots) {
    ASSERT_GT(slots.size(), 1u) << "layer " << layer << " has one output tile: nothing alternates";
    for (size_t i = 1; i < slots.size(); ++i)
      EXPECT_NE(slots[i], slots[i - 1]) << "layer " << layer << " tile " << i;
  }
}

TEST(DoubleBuffer, SlotsAlternateAndMatchWeightStationary) {
  check_slots(tiled_program(Dataflow::kWeightStationary));
}

TEST(DoubleBuffer, SlotsAlternateAndMatchOutputStationary) {
  check_slots(tiled_program(Dataflow::kOutputStationary));
}

TEST(DoubleBuffer, VectorLayersNameTheirSlotsToo) {
  // A residual add of two 16x28x28 int8 tensors (12.5 KiB each) needs several chunks of the 2 KiB
  // halves: every chunk's LOADs, VECTOR and STORE name the halves they use, and chunks alternate.
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 4, 4, 4);
  const Network net = Builder("vec")
                          .input("x", {1, 16, 28, 28})
                          .input("y", {1, 16, 28, 28})
                          .add_layer("sum", "x", "y")
                          .build();
  const Program p = compile(arch, net);
  std::vector<int> dst_slots;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kLoad || in.op == Opcode::kStore) {
      ASSERT_NE(in.dma().slot, kNoSlot) << in.id;
      EXPECT_EQ(in.dma().slot, slot_of_address(in.dma().spm_addr, 4)) << in.id;
    } else if (in.op == Opcode::kVector) {
      const VectorOp& v = in.vector();
      EXPECT_EQ(v.src_slot, slot_of_address(v.src_spm_addr, 4)) << in.id;
      EXPECT_EQ(v.dst_slot, slot_of_address(v.dst_spm_addr, 4)) << in.id;
      for (uint32_t dep : in.deps) {
        const Instruction& d = p.instructions.at(dep);
        if (d.op == Opcode::kLoad) {
          EXPECT_EQ(d.dma().slot, v.src_slot) << "LOAD " << dep;
        }
      }
      dst_slots.push_back(v.dst_slot);
    }
  }
  ASSERT_GT(dst_slots.size(), 2u);
  for (size_t i = 1; i < dst_slots.size(); ++i) EXPECT_NE(dst_slots[i], dst_slots[i - 1]) << i;
}

TEST(DoubleBuffer, SlotsAreInTheText) {
  const std::string text = to_text(tiled_program(Dataflow::kWeightStationary));
  EXPECT_NE(text.find(" ifmap[A] dram="), std::string::npos);
  EXPECT_NE(text.find(" ifmap[B] dram="), std::string::npos);
  EXPECT_NE(text.find(" ofmap[B] dram="), std::string::npos);
  EXPECT_NE(text.find(" ifmap[A] weight[A] ofmap[A] deps="), std::string::npos) << text;
}

}  // namespace
}  // namespace systole
