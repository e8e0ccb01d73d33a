// What the compiler emits for the operators added for an ONNX importer (src/ops/): concat and
// split as LOAD / STORE pairs through the ifmap scratchpad, gather as index LOAD -> indexed LOAD
// -> STORE chunks that never cross the table's end, resize as vector-unit gathers.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "systole/common/error.h"
#include "systole/workload/loader.h"
#include "test_networks.h"

namespace systole {
namespace {

Network load(const std::string& text) {
  return load_yaml_network(text, "mem.yaml");
}

uint64_t placed(const Program& p, const std::string& name) {
  for (const TensorPlacement& t : p.tensors) {
    if (t.name == name) return t.dram_addr;
  }
  throw std::runtime_error("no tensor " + name);
}

std::vector<const Instruction*> of_layer(const Program& p, uint32_t layer) {
  std::vector<const Instruction*> out;
  for (const Instruction& in : p.instructions) {
    if (in.layer == layer) out.push_back(&in);
  }
  return out;
}

TEST(NewOperatorsLowering, ConcatIsLoadStorePairsIntoStridedRows) {
  // Batch 2: each input is 2 rows of (its channels x 16) bytes, landing at its channel offset of
  // the output's 2 rows of 6 x 16 bytes.
  const Network net = load(
      "name: n\ninputs:\n  - {name: x, shape: [2, 2, 4, 4]}\n  - {name: y, shape: [2, 4, 4, 4]}\nlayers:\n"
      "  - {name: cat, type: concat, inputs: [x, y], axis: 1}\n");
  const Program p = compile(testnet::arch(4, 4, Dataflow::kWeightStationary), net);
  const auto ins = of_layer(p, 0);
  ASSERT_EQ(ins.size(), 5u);  // (LOAD, STORE) x 2 + SYNC
  const uint64_t out = placed(p, "cat");
  const DmaDescriptor& ld0 = ins[0]->dma();
  const DmaDescriptor& st0 = ins[1]->dma();
  EXPECT_EQ(ins[0]->op, Opcode::kLoad);
  EXPECT_EQ(ins[1]->op, Opcode::kStore);
  EXPECT_EQ(ins[1]->deps, (std::vector<uint32_t>{ins[0]->id}));
  EXPECT_EQ(ld0.buffer, Buffer::kIfmap);
  EXPECT_EQ(st0.buffer, Buffer::kIfmap);  // stored straight out of the half it was loaded into
  EXPECT_EQ(st0.spm_addr, ld0.spm_addr);
  EXPECT_EQ(ld0.bytes(), 64u);  // contiguous: coalesced into one row
  EXPECT_EQ(st0.dram_addr, out);
  EXPECT_EQ(st0.rows, 2u);
  EXPECT_EQ(st0.row_bytes, 32u);
  EXPECT_EQ(st0.row_stride_bytes, 96u);
  const DmaDescriptor& st1 = ins[3]->dma();
  EXPECT_EQ(st1.dram_addr, out + 32);
  EXPECT_EQ(st1.row_bytes, 64u);
  EXPECT_NE(ins[2]->dma().slot, ld0.slot);  // the halves alternate
  EXPECT_EQ(p.mappings[0].dataflow, "dma");
  EXPECT_EQ(p.mappings[0].estimated_dram_bytes, 2 * 192);
}

TEST(NewOperatorsLowering, SplitPartsReadTheirStridedSlice) {
  const Network net = load(
      "name: n\ninputs:\n  - {name: x, shape: [3, 8]}\nlayers:\n"
      "  - {name: s, type: split, axis: 1, sizes: [2, 6]}\n");
  const Program p = compile(testnet::arch(4, 4, Dataflow::kWeightStationary), net);
  ASSERT_EQ(p.layers.size(), 2u);
  EXPECT_EQ(p.layers[1].name, "s:1");
  const auto part1 = of_layer(p, 1);
  const DmaDescriptor& ld = part1[0]->dma();
  EXPECT_EQ(ld.dram_addr, placed(p, "x") + 2);
  EXPECT_EQ(ld.rows, 3u);
  EXPECT_EQ(ld.row_bytes, 6u);
  EXPECT_EQ(ld.row_stride_bytes, 8u);
  EXPECT_EQ(part1[1]->dma().dram_addr, placed(p, "s:1"));
  EXPECT_EQ(part1[1]->dma().bytes(), 18u);
}

TEST(NewOperatorsLowering, GatherChunksAreIndexLoadIndexedLoadStore) {
  // 12 lookups into a 5-row table: chunks stop at multiples of 5 so that each chunk's assumed rows
  // (lookup j reads row j mod 5) are one run: [0, 5), [5, 10), [10, 12).
  const Network net = load(
      "name: n\ninputs:\n  - {name: ids, shape: [12], dtype: int32}\nlayers:\n"
      "  - {name: emb, type: gather, vocab: 5, dim: 8}\n");
  const Program p = compile(testnet::arch(4, 4, Dataflow::kWeightStationary), net);
  const auto ins = of_layer(p, 0);
  ASSERT_EQ(ins.size(), 10u);  // 3 x (LOAD, LOAD, STORE) + SYNC
  const uint64_t table = placed(p, "emb.weight"), ids = placed(p, "ids");
  EXPECT_EQ(p.tensors[0].bytes, 48u);  // the index input is int32
  const int64_t starts[] = {0, 5, 10}, counts[] = {5, 5, 2};
  for (int c = 0; c < 3; ++c) {
    const Instruction& idx = *ins[3 * c];
    const Instruction& rows = *ins[3 * c + 1];
    const Instruction& st = *ins[3 * c + 2];
    SCOPED_TRACE(c);
    EXPECT_EQ(idx.dma().buffer, Buffer::kIfmap);
    EXPECT_EQ(idx.dma().dram_addr, ids + 4 * static_cast<uint64_t>(starts[c]));
    EXPECT_EQ(idx.dma().bytes(), 4u * static_cast<uint64_t>(counts[c]));
    const DmaDescriptor& g = rows.dma();
    EXPECT_TRUE(g.indexed);
    EXPECT_EQ(g.buffer, Buffer::kOfmap);
    EXPECT_EQ(g.rows, static_cast<uint64_t>(counts[c]));  // one row per lookup: never coalesced
    EXPECT_EQ(g.row_bytes, 8u);
    EXPECT_EQ(g.dram_addr, table);  // every chunk starts at a multiple of 5: assumed row 0
    EXPECT_EQ(g.table_addr, table);
    EXPECT_EQ(g.table_rows, 5u);
    EXPECT_EQ(g.index_buffer, Buffer::kIfmap);
    EXPECT_EQ(g.index_spm_addr, idx.dma().spm_addr);
    EXPECT_NE(std::find(rows.deps.begin(), rows.deps.end(), idx.id), rows.deps.end());  // RAW on the indices
    EXPECT_EQ(st.op, Opcode::kStore);
    EXPECT_EQ(st.deps, (std::vector<uint32_t>{rows.id}));
    EXPECT_EQ(st.dma().dram_addr, placed(p, "emb") + 8 * static_cast<uint64_t>(starts[c]));
  }
  EXPECT_EQ(p.mappings[0].estimated_dram_bytes, 12 * (4 + 2 * 8));
}

TEST(NewOperatorsLowering, GatherNeedsTablesAndActivationsOfOneSize) {
  const Network net = load(
      "name: n\ninputs:\n  - {name: ids, shape: [4], dtype: int32}\nlayers:\n"
      "  - {name: emb, type: gather, vocab: 5, dim: 8}\n");
  ArchSpec a = testnet::arch(4, 4, Dataflow::kWeightStationary);
  a.core.array.weight_type = DataType::kInt16;
  try {
    compile(a, net);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].key, "core.array.weight_type");
    EXPECT_NE(e.diagnostics()[0].rule.find("must have one size"), std::string::npos) << e.what();
  }
}

TEST(NewOperatorsLowering, ResizeGathersOnTheVectorUnit) {
  const Network net = load(
      "name: n\ninputs:\n  - {name: x, shape: [1, 2, 4, 4]}\nlayers:\n"
      "  - {name: up, type: resize, mode: bilinear, scales: [2, 2]}\n"
      "  - {name: near, type: resize, input: x, size: [3, 5]}\n");
  const Program p = compile(testnet::arch(4, 4, Dataflow::kWeightStationary), net);
  std::map<uint32_t, const VectorOp*> vec;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kVector) vec[in.layer] = &in.vector();
  }
  ASSERT_EQ(vec.size(), 2u);
  EXPECT_EQ(vec[0]->func, VectorFunc::kResizeBilinear);
  EXPECT_EQ(vec[0]->elements, 2u * 8 * 8);
  EXPECT_EQ(vec[0]->ops_per_element, 4u);
  EXPECT_EQ(vec[0]->spm_read_bytes, 4u * 2 * 8 * 8);  // one element per tap per output
  EXPECT_EQ(vec[0]->resize.planes, 2);
  EXPECT_DOUBLE_EQ(vec[0]->resize.scale_h, 2.0);
  EXPECT_EQ(vec[1]->func, VectorFunc::kResizeNearest);
  EXPECT_EQ(vec[1]->ops_per_element, 1u);
  EXPECT_DOUBLE_EQ(vec[1]->resize.scale_w, 5.0 / 4.0);
}

}  // namespace
}  // namespace systole
