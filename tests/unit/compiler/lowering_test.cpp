// Conv -> GEMM and matmul -> GEMM dimensions, as reported in the MappingRecord, and the MACs the
// emitted MATMULs perform.
#include <gtest/gtest.h>

#include <map>

#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

const MappingRecord& mapping(const Program& p, const std::string& layer) {
  for (const MappingRecord& r : p.mappings) {
    if (r.layer == layer) return r;
  }
  throw std::runtime_error("no mapping for " + layer);
}

TEST(GemmLowering, ConvStridePadDilation) {
  // 1x8x17x17, 16 filters 3x3, stride 2, pad 1, dilation 2: Ho = (17 + 2 - 2*2 - 1)/2 + 1 = 8.
  // M = 1*8*8 = 64, K = 8*3*3 = 72, N = 16.
  const Network net = Builder("n").input("x", {1, 8, 17, 17}).conv("c", "x", 16, 3, 3, 2, 1, 2).build();
  ASSERT_EQ(net.layers[0].output_shape, (Shape{1, 16, 8, 8}));
  const Program p = compile(testnet::arch(8, 8, Dataflow::kWeightStationary), net);
  const MappingRecord& r = mapping(p, "c");
  EXPECT_EQ(r.gemm_m, 64);
  EXPECT_EQ(r.gemm_k, 72);
  EXPECT_EQ(r.gemm_n, 16);
  EXPECT_EQ(r.groups, 1);
  EXPECT_EQ(testnet::total_macs(p), net.layers[0].macs);
}

TEST(GemmLowering, ConvBatchFoldsIntoM) {
  const Network net = Builder("n").input("x", {3, 4, 6, 6}).conv("c", "x", 5, 3, 3).build();
  const Program p = compile(testnet::arch(4, 4, Dataflow::kOutputStationary), net);
  EXPECT_EQ(mapping(p, "c").gemm_m, 3 * 4 * 4);
  EXPECT_EQ(mapping(p, "c").gemm_k, 4 * 9);
  EXPECT_EQ(testnet::total_macs(p), net.layers[0].macs);
}

TEST(GemmLowering, GroupedConvIsOneGemmPerGroup) {
  // 12 channels, 4 groups, 8 filters: each group K = 3*3*3 = 27, N = 2; 4 GEMMs.
  const Network net = Builder("n").input("x", {1, 12, 10, 10}).conv("c", "x", 8, 3, 3, 1, 1, 1, 4).build();
  const Program p = compile(testnet::arch(8, 8, Dataflow::kWeightStationary), net);
  const MappingRecord& r = mapping(p, "c");
  EXPECT_EQ(r.groups, 4);
  EXPECT_EQ(r.gemm_k, 27);
  EXPECT_EQ(r.gemm_n, 2);
  EXPECT_EQ(r.gemm_m, 100);
  EXPECT_EQ(r.loop_order.substr(0, 2), "g,");
  EXPECT_EQ(testnet::total_macs(p), net.layers[0].macs);
}

TEST(GemmLowering, DepthwiseIsCGemmsOfWidthOne) {
  // With a one-lane vector unit (4,374 cycles for the 4,374 MACs) the array's GEMMs are cheaper
  // (docs/compiler.md "Depthwise convolution"; depthwise_lowering_test.cpp has the vector unit).
  const Network net = Builder("n").input("x", {1, 6, 9, 9}).conv("dw", "x", 6, 3, 3, 1, 1, 1, 6).build();
  ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary);
  arch.core.vector.lanes = 1;
  const Program p = compile(arch, net);
  const MappingRecord& r = mapping(p, "dw");
  EXPECT_EQ(r.dataflow, "ws");
  EXPECT_EQ(r.groups, 6);
  EXPECT_EQ(r.gemm_n, 1);
  EXPECT_EQ(r.gemm_k, 9);
  EXPECT_EQ(r.gemm_m, 81);
  EXPECT_EQ(testnet::total_macs(p), net.layers[0].macs);
  // Each group's weight LOAD reads its own 9 weights: 6 groups x 9 B in total when resident.
  EXPECT_EQ(testnet::load_bytes(p, Buffer::kWeight), 54);
}

TEST(GemmLowering, ConvIfmapLoadIsImplicitIm2col) {
  // A 1x1-tile-free check: loads of the ifmap never exceed the input rows (incl. halo) per plane,
  // i.e. no LOAD is larger than the input tensor, and the ifmap bytes stay far below M*K.
  const Network net = Builder("n").input("x", {1, 4, 16, 16}).conv("c", "x", 8, 3, 3, 1, 1).build();
  const Program p = compile(testnet::arch(8, 8, Dataflow::kWeightStationary), net);
  for (const Instruction& in : p.instructions) {
    if (in.op != Opcode::kLoad || in.dma().buffer != Buffer::kIfmap) continue;
    EXPECT_LE(in.dma().bytes(), 4u * 16 * 16);
    // Whole input rows of one plane (16 B each; coalesced() may merge consecutive ones), planes
    // 256 B apart.
    EXPECT_EQ(in.dma().row_bytes % 16, 0u);
    if (in.dma().planes > 1) {
      EXPECT_EQ(in.dma().plane_stride_bytes, 256u);
    }
  }
  EXPECT_LT(testnet::load_bytes(p, Buffer::kIfmap), 256 * 36);  // M * K bytes if materialised
}

TEST(GemmLowering, MatmulWithWeightsFoldsBatchIntoM) {
  // [2, 5, 7] x W[7, 3]: the batch shares the weights, so M = 10, one GEMM.
  const Network net = Builder("n").input("x", {2, 5, 7}).matmul("fc", {"x"}, 3).build();
  const Program p = compile(testnet::arch(4, 4, Dataflow::kWeightStationary), net);
  const MappingRecord& r = mapping(p, "fc");
  EXPECT_EQ(r.gemm_m, 10);
  EXPECT_EQ(r.gemm_k, 7);
  EXPECT_EQ(r.gemm_n, 3);
  EXPECT_EQ(r.loop_order.find("g,"), std::string::npos);
  EXPECT_EQ(testnet::total_macs(p), net.layers[0].macs);
  EXPECT_EQ(testnet::load_bytes(p, Buffer::kWeight), 21);
}

TEST(GemmLowering, TwoInputBatchedMatmulIsOneGemmPerBatch) {
  // Attention-like: [2, 3, 8, 16] x [2, 3, 16, 8] -> 6 GEMMs of 8x8x16; B is an activation.
  const Network net =
      Builder("n").input("q", {2, 3, 8, 16}).input("k", {2, 3, 16, 8}).matmul("qk", {"q", "k"}).build();
  const Program p = compile(testnet::arch(4, 4, Dataflow::kOutputStationary), net);
  const MappingRecord& r = mapping(p, "qk");
  EXPECT_EQ(r.gemm_m, 8);
  EXPECT_EQ(r.gemm_n, 8);
  EXPECT_EQ(r.gemm_k, 16);
  EXPECT_EQ(r.loop_order.substr(0, 2), "g,");
  EXPECT_EQ(testnet::total_macs(p), net.layers[0].macs);
  // No ".weight" tensor is placed for an activation x activation matmul.
  for (const TensorPlacement& t : p.tensors) EXPECT_NE(t.name, "qk.weight");
  // The B operand of batch (1, 2) = index 5 starts at 5 * 16 * 8 bytes into "k".
  uint64_t k_addr = 0;
  for (const TensorPlacement& t : p.tensors) {
    if (t.name == "k") k_addr = t.dram_addr;
  }
  bool found = false;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kLoad && in.dma().buffer == Buffer::kWeight &&
        in.dma().dram_addr == k_addr + 5 * 128) {
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(GemmLowering, TransposeIsAbsorbedIntoTheConsumersStrides) {
  // k^T via a transpose layer: no instructions for it, and the matmul reads "k" [8, 16] column-wise.
  const Network net = Builder("n")
                          .input("q", {8, 16})
                          .input("k", {8, 16})
                          .transpose("kt", "k", {1, 0})
                          .matmul("qk", {"q", "kt"})
                          .build();
  const Program p = compile(testnet::arch(4, 4, Dataflow::kWeightStationary), net);
  EXPECT_EQ(p.mappings[0].dataflow, "none");
  for (const Instruction& in : p.instructions) EXPECT_NE(in.layer, 0u);
  const MappingRecord& r = mapping(p, "qk");
  EXPECT_EQ(r.gemm_k, 16);
  EXPECT_EQ(r.gemm_n, 8);
  EXPECT_EQ(testnet::total_macs(p), net.layers[1].macs);
  // kt(k, n) = k(n, k): a tile's columns n are rows of "k", contiguous along k (16 B apart, or
  // merged into one run by coalesced()), and all of it is read from k's own bytes.
  const TensorPlacement* k = nullptr;
  for (const auto& t : p.tensors) {
    if (t.name == "k") k = &t;
  }
  ASSERT_NE(k, nullptr);
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kLoad && in.dma().buffer == Buffer::kWeight) {
      const DmaDescriptor& d = in.dma();
      if (d.rows > 1) {
        EXPECT_EQ(d.row_stride_bytes, 16u);
      }
      EXPECT_GE(d.dram_addr, k->dram_addr);
      EXPECT_LE(d.dram_addr + (d.planes - 1) * d.plane_stride_bytes + (d.rows - 1) * d.row_stride_bytes +
                    d.row_bytes,
                k->dram_addr + k->bytes);
    }
  }
}

// A transpose that a reshape reads is materialised (workload/layout.h): it gets a tensor of its
// own and copies its input into it, each byte read once through the permuted strides and written
// once in the output's order; the reshape aliases the copy.
TEST(GemmLowering, ATransposeAReshapeReadsIsCopiedIntoATensorOfItsOwn) {
  for (const bool runs : {true, false}) {
    SCOPED_TRACE(runs ? "innermost axis kept: rows of 16 elements" : "innermost axis moved: single elements");
    const Network net =
        Builder("n")
            .input("x", {1, 3, 5, 16})
            .transpose("t", "x", runs ? std::vector<int64_t>{0, 2, 1, 3} : std::vector<int64_t>{0, 1, 3, 2})
            .reshape("r", "t", {1, 240})
            .matmul("fc", {"r"}, 8)
            .build();
    const Program p = compile(testnet::arch(4, 4, Dataflow::kWeightStationary), net);
    const TensorPlacement *x = nullptr, *t = nullptr, *r = nullptr;
    for (const TensorPlacement& tp : p.tensors) {
      if (tp.name == "x") x = &tp;
      if (tp.name == "t") t = &tp;
      if (tp.name == "r") r = &tp;
    }
    ASSERT_TRUE(x && t && r);
    EXPECT_NE(t->dram_addr, x->dram_addr) << "a tensor of its own";
    EXPECT_EQ(r->dram_addr, t->dram_addr) << "the reshape aliases the copy";
    EXPECT_EQ(p.mappings[0].dataflow, "dma");
    EXPECT_NE(p.mappings[0].reason.find("materialised"), std::string::npos) << p.mappings[0].reason;
    // Every input byte read once, every output byte written once, in the permuted order: output
    // element (a, b, c, d) of t at t + its contiguous index holds input element at the permuted one.
    std::vector<int> read(x->bytes, 0), written(t->bytes, 0);
    std::vector<uint64_t> loaded, stored;
    for (const Instruction& in : p.instructions) {
      if (in.layer != 0 || (in.op != Opcode::kLoad && in.op != Opcode::kStore)) continue;
      const DmaDescriptor& d = in.dma();
      std::vector<uint64_t>& walk = in.op == Opcode::kLoad ? loaded : stored;
      for (uint64_t pl = 0; pl < d.planes; ++pl) {
        for (uint64_t row = 0; row < d.rows; ++row) {
          for (uint64_t b = 0; b < d.row_bytes; ++b)
            walk.push_back(d.dram_addr + pl * d.plane_stride_bytes + row * d.row_stride_bytes + b);
        }
      }
    }
    ASSERT_EQ(loaded.size(), x->bytes);
    ASSERT_EQ(stored.size(), t->bytes);
    for (size_t i = 0; i < loaded.size(); ++i) {
      ++read.at(loaded[i] - x->dram_addr);
      ++written.at(stored[i] - t->dram_addr);
      // Output element o = (a, b, c, d) over shape net.layers[0].output_shape comes from input
      // element perm^-1 of it.
      const Shape& os = net.layers[0].output_shape;
      uint64_t o = stored[i] - t->dram_addr, rem = o;
      std::vector<int64_t> idx(4);
      for (size_t dim = 4; dim-- > 0;)
        idx[dim] = static_cast<int64_t>(rem % static_cast<uint64_t>(os[dim])), rem /= os[dim];
      const std::vector<int64_t> perm =
          runs ? std::vector<int64_t>{0, 2, 1, 3} : std::vector<int64_t>{0, 1, 3, 2};
      std::vector<int64_t> in_idx(4);
      for (size_t dim = 0; dim < 4; ++dim) in_idx[static_cast<size_t>(perm[dim])] = idx[dim];
      const Shape xs = {1, 3, 5, 16};
      const int64_t want = ((in_idx[0] * xs[1] + in_idx[1]) * xs[2] + in_idx[2]) * xs[3] + in_idx[3];
      EXPECT_EQ(loaded[i] - x->dram_addr, static_cast<uint64_t>(want)) << "output byte " << o;
    }
    for (const int n : read) EXPECT_EQ(n, 1);
    for (const int n : written) EXPECT_EQ(n, 1);
  }
}

TEST(GemmLowering, ReshapeAliasesItsProducer) {
  const Network net = Builder("n")
                          .input("x", {1, 4, 4, 4})
                          .conv("c", "x", 8, 1, 1)
                          .reshape("r", "c", {1, 128})
                          .matmul("fc", {"r"}, 10)
                          .build();
  const Program p = compile(testnet::arch(4, 4, Dataflow::kWeightStationary), net);
  uint64_t c_addr = 1, r_addr = 0;
  for (const TensorPlacement& t : p.tensors) {
    if (t.name == "c") c_addr = t.dram_addr;
    if (t.name == "r") r_addr = t.dram_addr;
  }
  EXPECT_EQ(c_addr, r_addr);
  EXPECT_EQ(p.mappings[1].dataflow, "none");
  EXPECT_NE(p.mappings[1].reason.find("alias"), std::string::npos);
}

}  // namespace
}  // namespace systole
