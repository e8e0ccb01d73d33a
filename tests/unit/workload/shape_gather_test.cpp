// gather (src/ops/gather.cpp): its YAML, shapes and weights, and the rules for index inputs
// (network inputs of dtype int32, read by nothing else).
#include <gtest/gtest.h>

#include "systole/workload/operator.h"
#include "workload_test_util.h"

namespace systole::test {
namespace {

Network load(const std::string& inputs, const std::string& layers) {
  return load_yaml_network("name: n\ndtype: fp16\ninputs:\n" + inputs + "layers:\n" + layers, "mem.yaml");
}

TEST(ShapeGather, RowsOfTheTablePerIndex) {
  const Network net = load("  - {name: ids, shape: [2, 9], dtype: int32}\n",
                           "  - {name: emb, type: gather, vocab: 1000, dim: 64}\n"
                           "  - {name: fc, type: fc, out_features: 8}\n");
  const Layer& emb = *net.find_layer("emb");
  EXPECT_EQ(emb.kind, LayerKind("gather"));
  EXPECT_EQ(emb.output_shape, (Shape{2, 9, 64}));
  EXPECT_EQ(emb.weight_elements, 64000);
  EXPECT_EQ(emb.macs + emb.vector_ops, 0);
  EXPECT_EQ(emb.dtype, DataType::kFp16);  // the workload's dtype: the table's values, not the indices'
  EXPECT_EQ(net.find_layer("fc")->output_shape, (Shape{2, 9, 8}));
  EXPECT_EQ(index_inputs(net), (std::map<std::string, int64_t>{{"ids", 1000}}));
}

TEST(ShapeGather, NeedsVocabAndDimInRange) {
  auto ds = workload_errors([] {
    load("  - {name: ids, shape: [4], dtype: int32}\n",
         "  - {name: a, type: gather}\n"
         "  - {name: b, type: gather, input: ids, vocab: 0, dim: 8}\n"
         "  - {name: c, type: gather, input: ids, vocab: 4294967296, dim: 8}\n");
  });
  EXPECT_TRUE(has_diag(ds, "layers[0].vocab", "required for gather")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[0].dim", "required for gather")) << all_text(ds);
  EXPECT_EQ(ds.size(), 2u) << all_text(ds);  // reading stops before shapes
  auto sizes = workload_errors([] {
    load("  - {name: ids, shape: [4], dtype: int32}\n",
         "  - {name: b, type: gather, input: ids, vocab: 0, dim: 8}\n"
         "  - {name: c, type: gather, input: ids, vocab: 4294967296, dim: 8}\n");
  });
  EXPECT_TRUE(has_diag(sizes, "layers[0].vocab", ">= 1")) << all_text(sizes);
  EXPECT_TRUE(has_diag(sizes, "layers[1].vocab", "at most 2^31")) << all_text(sizes);
}

TEST(ShapeGather, IndicesAreInt32NetworkInputsReadByNothingElse) {
  auto ds = workload_errors([] {
    load(
        "  - {name: ids, shape: [1, 4], dtype: int32}\n"
        "  - {name: small, shape: [1, 4], dtype: int8}\n"
        "  - {name: x, shape: [1, 4]}\n",
        "  - {name: a, type: gather, input: small, vocab: 10, dim: 4}\n"
        "  - {name: r, type: relu, input: x}\n"
        "  - {name: b, type: gather, input: r, vocab: 10, dim: 4}\n"
        "  - {name: c, type: gather, input: ids, vocab: 10, dim: 4}\n"
        "  - {name: d, type: relu, input: ids}\n");
  });
  EXPECT_TRUE(has_diag(ds, "layers[0].input", "index input 'small' must have dtype int32 (it has int8)"))
      << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[2].input", "not from a layer's output")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[4].input", "holds indices")) << all_text(ds);
  EXPECT_EQ(ds.size(), 3u) << all_text(ds);
}

}  // namespace
}  // namespace systole::test
