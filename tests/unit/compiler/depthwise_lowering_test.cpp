// Depthwise convolutions (compiler/depthwise_lowering.cpp, docs/compiler.md "Depthwise
// convolution"): the vector unit's chunks against the LOADs and STOREs around them in both
// chunkings (whole channel planes, output rows with their input halo), their instruction counts,
// the cost model's choice both ways, the fused activation in the epilogue, and the errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "systole/common/error.h"
#include "systole/compiler/lowering.h"
#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

uint64_t tensor_addr(const Program& p, const std::string& name) {
  for (const TensorPlacement& t : p.tensors) {
    if (t.name == name) return t.dram_addr;
  }
  throw std::runtime_error("no tensor " + name);
}

int count(const Program& p, Opcode op) {
  return static_cast<int>(std::count_if(p.instructions.begin(), p.instructions.end(),
                                        [op](const Instruction& i) { return i.op == op; }));
}

struct DwCase {
  const char* name;
  Shape in;
  int64_t mult, k, stride, pad, dilation;
  int64_t kib;  // every scratchpad
  bool expect_row_chunks;
};

class DepthwiseLayout : public ::testing::TestWithParam<DwCase> {};

// Every (output plane, output row) is computed exactly once; each chunk's ifmap LOAD brings the
// input rows its windows read to the VECTOR's source, its weight LOAD the kernels of its output
// planes to the VECTOR's weight address, and its STORE drains the rows it names.
TEST_P(DepthwiseLayout, ChunksCarryTheirWindowsKernelsAndHalo) {
  const DwCase& c = GetParam();
  const int64_t ch = c.in[1], oc = ch * c.mult, h = c.in[2], w = c.in[3];
  const Network net =
      Builder("dw").input("x", c.in).conv("d", "x", oc, c.k, c.k, c.stride, c.pad, c.dilation, ch).build();
  ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary, c.kib, c.kib, c.kib);
  arch.core.vector.lanes = 64;
  const Program p = compile(arch, net);
  ASSERT_EQ(p.mappings.at(0).dataflow, "vector") << p.mappings[0].reason;
  const int64_t ho = net.layers[0].output_shape[2], wo = net.layers[0].output_shape[3];
  const uint64_t in_addr = tensor_addr(p, "x"), out_addr = tensor_addr(p, "d"),
                 w_addr = tensor_addr(p, "d.weight");
  const int64_t window = c.k * c.k;

  std::map<std::pair<int64_t, int64_t>, int> computed;  // (output plane, output row) -> times
  bool row_chunks = false;
  int vectors = 0;
  for (const Instruction& in : p.instructions) {
    if (in.op != Opcode::kVector) continue;
    ++vectors;
    const VectorOp& op = in.vector();
    const DepthwiseGeometry& dg = op.depthwise;
    const PoolGeometry& g = dg.window;
    ASSERT_EQ(op.func, VectorFunc::kDepthwiseConv);
    EXPECT_EQ(g.kernel_h, c.k);
    EXPECT_EQ(g.stride_h, c.stride);
    EXPECT_EQ(g.pad_top, c.pad);
    EXPECT_EQ(dg.dilation_h, c.dilation);
    EXPECT_EQ(op.ops_per_element, static_cast<uint64_t>(window));
    EXPECT_EQ(op.requant_shift, requant_shift(arch, window));
    EXPECT_EQ(static_cast<int64_t>(op.elements), g.planes * g.out_rows * wo);
    EXPECT_EQ(op.spm_write_bytes, op.elements);
    row_chunks |= g.out_rows < ho;

    const Instruction* store = nullptr;
    for (const Instruction& s : p.instructions) {
      if (s.op == Opcode::kStore && std::count(s.deps.begin(), s.deps.end(), in.id) > 0) store = &s;
    }
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->dma().bytes(), op.elements);
    const auto out_off = static_cast<int64_t>(store->dma().dram_addr - out_addr) - g.out_row0 * wo;
    ASSERT_EQ(out_off % (ho * wo), 0);
    const int64_t plane0 = out_off / (ho * wo);  // first output plane (n * oc + o)
    const int64_t o0 = plane0 % oc, image = plane0 / oc;

    // The input rows the windows read (padding excluded) are held.
    int64_t lo = h, hi = -1;
    for (int64_t oh = g.out_row0; oh < g.out_row0 + g.out_rows; ++oh) {
      for (int64_t r = 0; r < c.k; ++r) {
        const int64_t ih = oh * c.stride - c.pad + r * c.dilation;
        if (ih >= 0 && ih < h) lo = std::min(lo, ih), hi = std::max(hi, ih);
      }
    }
    if (hi >= lo) {
      EXPECT_LE(g.in_row0, lo);
      EXPECT_GE(g.in_row0 + g.in_rows - 1, hi);
    }
    uint64_t in_bytes = 0, w_bytes = 0;
    for (uint32_t d : in.deps) {
      const Instruction& ld = p.instructions.at(d);
      if (ld.op != Opcode::kLoad || ld.layer != in.layer) continue;
      if (ld.dma().buffer == Buffer::kIfmap) {
        EXPECT_EQ(ld.dma().spm_addr, op.src_spm_addr + in_bytes);
        const int64_t ic0 = o0 / c.mult;
        EXPECT_EQ(ld.dma().dram_addr,
                  in_addr + static_cast<uint64_t>(((image * ch + ic0) * h + g.in_row0) * w));
        in_bytes += ld.dma().bytes();
      } else {
        ASSERT_EQ(ld.dma().buffer, Buffer::kWeight);
        EXPECT_EQ(ld.dma().spm_addr, op.weight_spm_addr + w_bytes);
        EXPECT_EQ(ld.dma().slot, op.weight_slot);
        EXPECT_EQ(ld.dma().dram_addr, w_addr + static_cast<uint64_t>(o0 * window));
        w_bytes += ld.dma().bytes();
      }
    }
    const int64_t in_planes = (g.planes + dg.multiplier - 1) / dg.multiplier;
    EXPECT_EQ(in_bytes, static_cast<uint64_t>(in_planes * g.in_rows * w));
    EXPECT_EQ(in_bytes, op.spm_read_bytes);
    EXPECT_EQ(w_bytes, static_cast<uint64_t>(g.planes * window));
    EXPECT_EQ(w_bytes, op.spm_weight_read_bytes);
    for (int64_t q = plane0; q < plane0 + g.planes; ++q) {
      for (int64_t oh = g.out_row0; oh < g.out_row0 + g.out_rows; ++oh) ++computed[{q, oh}];
    }
  }
  EXPECT_EQ(row_chunks, c.expect_row_chunks);
  EXPECT_EQ(static_cast<int64_t>(computed.size()), c.in[0] * oc * ho);
  for (const auto& [at, times] : computed)
    EXPECT_EQ(times, 1) << "plane " << at.first << " row " << at.second;
  // Per chunk an ifmap LOAD (none for rows that see only padding), a weight LOAD, a VECTOR and a
  // STORE; one SYNC.
  EXPECT_EQ(vectors, p.mappings[0].tiles);
  EXPECT_EQ(count(p, Opcode::kStore), vectors);
  EXPECT_EQ(count(p, Opcode::kSync), 1);
}

// Int8 throughout; 1 KiB scratchpads have 512 B halves, 64 KiB ones 32 KiB.
INSTANTIATE_TEST_SUITE_P(
    Shapes, DepthwiseLayout,
    ::testing::Values(DwCase{"planes_k3s1p1", {1, 8, 10, 12}, 1, 3, 1, 1, 1, 64, false},
                      DwCase{"planes_batch2_s2", {2, 6, 9, 11}, 1, 3, 2, 1, 1, 64, false},
                      DwCase{"planes_multiplier2", {1, 4, 8, 8}, 2, 3, 1, 1, 1, 64, false},
                      DwCase{"planes_small_halves", {1, 16, 12, 12}, 1, 3, 1, 1, 1, 1, false},
                      DwCase{"rows_k3s1p1", {1, 3, 40, 30}, 1, 3, 1, 1, 1, 1, true},
                      DwCase{"rows_k3s2p1", {2, 2, 41, 30}, 1, 3, 2, 1, 1, 1, true},
                      DwCase{"rows_dilated", {1, 2, 40, 30}, 1, 3, 1, 2, 2, 1, true},
                      DwCase{"rows_multiplier3", {1, 2, 40, 30}, 3, 5, 1, 2, 1, 1, true}),
    [](const ::testing::TestParamInfo<DwCase>& i) { return std::string(i.param.name); });

TEST(DepthwiseLowering, WholePlanesInstructionCountByHand) {
  // 16 channels of 12 x 12 int8, 3x3 pad 1: a plane is 144 B in, 144 B out, 9 B of kernel. With
  // 1 KiB scratchpads (512 B halves) a chunk holds min(512 / 144, 512 / 144, 512 / 9) = 3 planes:
  // ceil(16 / 3) = 6 chunks x (ifmap LOAD, weight LOAD, VECTOR, STORE) + SYNC = 25 instructions.
  const Network net = Builder("dw").input("x", {1, 16, 12, 12}).conv("d", "x", 16, 3, 3, 1, 1, 1, 16).build();
  const ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary, 1, 1, 1);
  const Program p = compile(arch, net);
  ASSERT_EQ(p.mappings[0].dataflow, "vector") << p.mappings[0].reason;
  EXPECT_EQ(p.mappings[0].tiles, 6);
  EXPECT_EQ(p.instructions.size(), 25u);
  EXPECT_EQ(count(p, Opcode::kLoad), 12);
  EXPECT_EQ(p.layers[0].macs, 0);  // done by the vector unit, as lane operations
  EXPECT_EQ(p.layers[0].vector_ops, 16 * 144 * 9);
}

TEST(DepthwiseLowering, CostModelPicksTheVectorUnitOrTheArray) {
  // 16 channels of 16 x 16, 3x3 pad 1 on a 4x4 WS array: 36,864 MACs. With 32 lanes the vector
  // unit needs 36,864 / 32 = 1,152 cycles; the array runs 16 GEMMs of m = 256, n = 1, k = 9, each
  // ceil(9 / 4) = 3 row folds streaming 256 rows: well over 16 x 3 x 256 = 12,288 cycles.
  const Network net = Builder("dw").input("x", {1, 16, 16, 16}).conv("d", "x", 16, 3, 3, 1, 1, 1, 16).build();
  ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary);
  arch.dram.kind = DramKind::kIdeal;
  arch.core.vector.lanes = 32;
  const Program vec = compile(arch, net);
  EXPECT_EQ(vec.mappings[0].dataflow, "vector");
  EXPECT_NE(vec.mappings[0].reason.find("depthwise on the vector unit: vector unit est 1152 cycles"),
            std::string::npos)
      << vec.mappings[0].reason;
  EXPECT_EQ(count(vec, Opcode::kMatmul), 0);
  // One lane: 36,864 cycles, more than the GEMMs: the array wins.
  arch.core.vector.lanes = 1;
  const Program gemm = compile(arch, net);
  EXPECT_EQ(gemm.mappings[0].dataflow, "ws");
  EXPECT_NE(gemm.mappings[0].reason.find("depthwise as one GEMM per channel"), std::string::npos)
      << gemm.mappings[0].reason;
  EXPECT_NE(gemm.mappings[0].reason.find("vector unit est 36864 cycles"), std::string::npos)
      << gemm.mappings[0].reason;
  EXPECT_EQ(gemm.mappings[0].groups, 16);
  EXPECT_EQ(count(gemm, Opcode::kVector), 0);
  EXPECT_GE(count(gemm, Opcode::kMatmul), 16);
  EXPECT_EQ(gemm.layers[0].macs, 16 * 256 * 9);
}

TEST(DepthwiseLowering, EstimateIsTheVectorUnitsClosedForm) {
  // 4 lanes: 36,864 / 4 = 9,216 lane cycles for the whole layer (still under the 4x4 array's
  // 12,288 and more), and vector_op_cycles of each chunk adds up to the estimate (the ports never
  // bind at 9 MACs per output byte).
  const Network net = Builder("dw").input("x", {1, 16, 16, 16}).conv("d", "x", 16, 3, 3, 1, 1, 1, 16).build();
  ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary);
  arch.dram.kind = DramKind::kIdeal;
  arch.core.vector.lanes = 4;
  const Program p = compile(arch, net);
  ASSERT_EQ(p.mappings[0].dataflow, "vector");
  int64_t cycles = 0;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kVector) cycles += lowering::vector_op_cycles(arch, in.vector());
  }
  EXPECT_EQ(cycles, 9216);
  EXPECT_NE(p.mappings[0].reason.find("est 9216 cycles"), std::string::npos) << p.mappings[0].reason;
}

TEST(DepthwiseLowering, PortsBoundTheVectorUnitWhenLanesAreMany) {
  // 1x1 depthwise kernel: one MAC per output byte. 4096 lanes take 1 cycle for 1024 outputs, but
  // 1024 input bytes over a 32 B/cycle ifmap read port take 32 cycles.
  VectorOp op;
  op.func = VectorFunc::kDepthwiseConv;
  op.elements = 1024;
  op.ops_per_element = 1;
  op.spm_read_bytes = 1024;
  op.spm_weight_read_bytes = 4;
  op.spm_write_bytes = 1024;
  VectorPorts ports;
  for (int r = 0; r < kOperandRoleCount; ++r)
    ports.read_bytes_per_cycle[r] = ports.write_bytes_per_cycle[r] = 32;
  EXPECT_EQ(vector_cycles(op, 4096, ports), 32);
  ports.write_bytes_per_cycle[index_of(Buffer::kOfmap)] = 16;
  EXPECT_EQ(vector_cycles(op, 4096, ports), 64);
  // ifmap and weights in one scratchpad: their reads add up on its port (1028 / 32 -> 33).
  ports.write_bytes_per_cycle[index_of(Buffer::kOfmap)] = 64;
  ports.spm[index_of(Buffer::kWeight)] = ports.spm[index_of(Buffer::kIfmap)];
  EXPECT_EQ(vector_cycles(op, 4096, ports), 33);
  // Other functions are not port-bound in this fidelity.
  op.func = VectorFunc::kAvgPool;
  EXPECT_EQ(vector_cycles(op, 4096, ports), 1);
}

TEST(DepthwiseLowering, FusedRelu6RunsInTheEpilogue) {
  const Network net = Builder("dw")
                          .input("x", {1, 8, 10, 10})
                          .conv("d", "x", 8, 3, 3, 1, 1, 1, 8)
                          .activation("r", "d", ActivationFunc::kRelu6)
                          .build();
  const ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary);
  const Program p = compile(arch, net);
  ASSERT_EQ(p.mappings[0].dataflow, "vector");
  EXPECT_EQ(p.mappings[1].dataflow, "fused");
  EXPECT_EQ(p.mappings[1].fused_into, "d");
  int vectors = 0;
  for (const Instruction& in : p.instructions) {
    if (in.op != Opcode::kVector) continue;
    ++vectors;
    EXPECT_EQ(in.layer, 0u);
    EXPECT_TRUE(in.vector().depthwise.has_activation);
    EXPECT_EQ(in.vector().depthwise.activation, VectorFunc::kRelu6);
    EXPECT_EQ(in.vector().ops_per_element, 10u);  // 9 MACs + the clamp
  }
  EXPECT_EQ(vectors, 1);
  // The program's vector ops: the MACs and the activation's one op per element.
  EXPECT_EQ(p.layers[0].vector_ops, 8 * 100 * 9 + 8 * 100);
}

TEST(DepthwiseLowering, AUserTilingKeepsTheLayerOnTheArray) {
  const Network net = Builder("dw").input("x", {1, 16, 16, 16}).conv("d", "x", 16, 3, 3, 1, 1, 1, 16).build();
  const ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary);
  UserMapping m;
  m.path = "m.yaml";
  UserTiling t;
  t.tm = 64, t.tn = 1, t.tk = 9, t.line = 2;
  m.layers["d"] = t;
  const Program p = compile(arch, net, &m);
  EXPECT_EQ(p.mappings[0].dataflow, "ws");
  EXPECT_EQ(p.mappings[0].tile_m, 64);
}

TEST(DepthwiseLowering, GroupedConvWithSeveralChannelsPerGroupStaysOnTheArray) {
  const Network net = Builder("g").input("x", {1, 16, 16, 16}).conv("c", "x", 16, 3, 3, 1, 1, 1, 8).build();
  const Program p = compile(testnet::arch(4, 4, Dataflow::kWeightStationary), net);
  EXPECT_EQ(p.mappings[0].dataflow, "ws");
  EXPECT_EQ(p.mappings[0].gemm_k, 2 * 9);
}

TEST(DepthwiseLowering, OneOutputRowThatDoesNotFitNamesTheCapacityKey) {
  // A 3x3 depthwise conv over 2048-wide rows: one output row reads 3 x 2048 B, more than a 1 KiB
  // ifmap's 512 B half, and the array's smallest tile needs those rows too.
  const Network net = Builder("dw").input("x", {1, 2, 8, 2048}).conv("d", "x", 2, 3, 3, 1, 1, 1, 2).build();
  const ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary, 1, 64, 64);
  try {
    compile(arch, net);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].key, "core.scratchpads.ifmap.capacity_kib");
    EXPECT_NE(e.diagnostics()[0].rule.find("the input rows of one output row"), std::string::npos)
        << e.diagnostics()[0].rule;
  }
}

TEST(DepthwiseLowering, ATinyWeightScratchpadLeavesTheArrayTheLayer) {
  // A 23x23 kernel is 529 B, more than a 1 KiB weight scratchpad's 512 B half: the vector unit
  // cannot hold one kernel, while the array splits k into tiles that fit.
  const Network net = Builder("dw").input("x", {1, 2, 30, 30}).conv("d", "x", 2, 23, 23, 1, 0, 1, 2).build();
  const ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary, 64, 1, 64);
  const Program p = compile(arch, net);
  EXPECT_EQ(p.mappings[0].dataflow, "ws");
  EXPECT_NE(p.mappings[0].reason.find("the vector unit's chunks do not compile"), std::string::npos)
      << p.mappings[0].reason;
}

}  // namespace
}  // namespace systole
