// Activation fusion: relu/relu6 after a conv/matmul with no other consumer becomes a VECTOR on
// each output tile before its STORE; otherwise the activation is a vector layer of its own.
#include <gtest/gtest.h>

#include "stream_checks.h"
#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

TEST(Fusion, ReluAfterConvIsAppliedPerOutputTile) {
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 2, 2, 2);
  const Network net = Builder("n")
                          .input("x", {1, 8, 12, 12})
                          .conv("c", "x", 16, 3, 3, 1, 1)
                          .activation("r", "c", ActivationFunc::kRelu6)
                          .conv("c2", "r", 8, 1, 1)
                          .build();
  const Program p = compile(arch, net);
  testnet::check_stream(arch, p);
  EXPECT_EQ(p.mappings[1].dataflow, "fused");
  EXPECT_EQ(p.mappings[1].fused_into, "c");
  EXPECT_EQ(p.layers[1].macs, 0);
  EXPECT_EQ(p.layers[1].vector_ops, 0);
  EXPECT_EQ(p.layers[0].vector_ops, net.layers[1].vector_ops);
  int64_t stores = 0, vectors = 0, elements = 0;
  for (const Instruction& in : p.instructions) {
    EXPECT_NE(in.layer, 1u) << "the fused layer has no instructions";
    if (in.layer != 0) continue;
    if (in.op == Opcode::kVector) {
      ++vectors;
      EXPECT_EQ(in.vector().func, VectorFunc::kRelu6);
      elements += static_cast<int64_t>(in.vector().elements);
    }
    if (in.op == Opcode::kStore) {
      ++stores;
      ASSERT_EQ(in.deps.size(), 1u);
      EXPECT_EQ(p.instructions[in.deps[0]].op, Opcode::kVector);
    }
  }
  EXPECT_EQ(vectors, stores);  // one image: one STORE per output tile
  EXPECT_EQ(elements, 16 * 12 * 12);
  // The consumer reads the activation's tensor, which aliases the conv's output.
  uint64_t c_addr = 0, r_addr = 1;
  for (const TensorPlacement& t : p.tensors) {
    if (t.name == "c") c_addr = t.dram_addr;
    if (t.name == "r") r_addr = t.dram_addr;
  }
  EXPECT_EQ(c_addr, r_addr);
}

TEST(Fusion, NotFusedWhenTheProducerHasAnotherConsumerOrTheFunctionIsNotRelu) {
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 16, 16, 16);
  const Network net = Builder("n")
                          .input("x", {1, 8, 8, 8})
                          .conv("c", "x", 8, 1, 1)
                          .activation("r", "c")
                          .add_layer("a", "r", "c")
                          .matmul("fc", {"a"}, 4)
                          .activation("g", "fc", ActivationFunc::kGelu)
                          .build();
  const Program p = compile(arch, net);
  testnet::check_stream(arch, p);
  EXPECT_EQ(p.mappings[1].dataflow, "vector");
  EXPECT_TRUE(p.mappings[1].fused_into.empty());
  EXPECT_EQ(p.mappings[4].dataflow, "vector");
  int64_t r_vectors = 0;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kVector && in.layer == 0) ADD_FAILURE() << "conv 'c' must not carry a fused VECTOR";
    if (in.op == Opcode::kVector && in.layer == 1) r_vectors += static_cast<int64_t>(in.vector().elements);
  }
  EXPECT_EQ(r_vectors, 8 * 8 * 8);
  EXPECT_EQ(p.layers[1].vector_ops, net.layers[1].vector_ops);
}

}  // namespace
}  // namespace systole
