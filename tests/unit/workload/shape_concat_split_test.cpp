// concat and split (src/ops/concat.cpp, split.cpp): their YAML, shape inference and errors, and
// how a split's parts are named.
#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

Network load(const std::string& layers, const std::string& inputs = "  - {name: x, shape: [2, 4, 6, 6]}\n") {
  return load_yaml_network("name: n\ninputs:\n" + inputs + "layers:\n" + layers, "mem.yaml");
}

TEST(ShapeConcat, JoinsAlongTheAxisAndCountsNoCompute) {
  const Network net = load(
      "  - {name: a, type: conv2d, out_channels: 3, kernel: 1}\n"
      "  - {name: cat, type: concat, inputs: [x, a, x], axis: 1}\n"
      "  - {name: last, type: concat, inputs: [cat, cat], axis: -1}\n");
  const Layer& cat = *net.find_layer("cat");
  EXPECT_EQ(cat.kind, LayerKind("concat"));
  EXPECT_EQ(cat.output_shape, (Shape{2, 11, 6, 6}));
  EXPECT_EQ(cat.macs, 0);
  EXPECT_EQ(cat.vector_ops, 0);
  EXPECT_EQ(cat.weight_elements, 0);
  EXPECT_EQ(net.find_layer("last")->output_shape, (Shape{2, 11, 6, 12}));  // -1: the last axis
}

TEST(ShapeConcat, RefusesOtherExtentsRanksAndAxes) {
  auto ds = workload_errors([] {
    load(
        "  - {name: a, type: conv2d, input: x, out_channels: 3, kernel: 3}\n"  // [2, 3, 4, 4]
        "  - {name: c1, type: concat, inputs: [x, a], axis: 1}\n"
        "  - {name: flat, type: reshape, input: x, shape: [2, -1]}\n"
        "  - {name: c2, type: concat, inputs: [x, flat], axis: 0}\n"
        "  - {name: c3, type: concat, inputs: [x, x], axis: 4}\n");
  });
  EXPECT_TRUE(has_diag(ds, "layers[1].inputs", "equal extents on every axis but 1")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[3].inputs", "one rank")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[4].axis", "-4..3")) << all_text(ds);
  EXPECT_EQ(ds.size(), 3u) << all_text(ds);
}

TEST(ShapeConcat, AxisIsRequired) {
  auto ds = workload_errors([] { load("  - {name: c, type: concat, inputs: [x, x]}\n"); });
  ASSERT_EQ(ds.size(), 1u) << all_text(ds);
  EXPECT_EQ(ds[0].key, "layers[0].axis");
  EXPECT_EQ(ds[0].line, 5);
  EXPECT_NE(ds[0].rule.find("required for concat"), std::string::npos) << ds[0].rule;
}

TEST(ShapeSplit, ExpandsIntoOneLayerPerPartNamedByIndex) {
  const Network net = load(
      "  - {name: s, type: split, axis: 1, sizes: [1, 3]}\n"
      "  - {name: q, type: split, input: x, axis: -1, parts: 3}\n"
      "  - {name: r, type: relu, input: 's:1'}\n"
      "  - {name: after, type: add, inputs: ['q:0', 'q:2']}\n");
  ASSERT_EQ(net.layers.size(), 7u);
  EXPECT_EQ(net.layers[0].name, "s:0");
  EXPECT_EQ(net.layers[1].name, "s:1");
  EXPECT_EQ(net.layers[0].kind, LayerKind("split"));
  EXPECT_EQ(net.layers[0].output_shape, (Shape{2, 1, 6, 6}));
  EXPECT_EQ(net.layers[1].output_shape, (Shape{2, 3, 6, 6}));
  EXPECT_EQ(net.find_layer("q:2")->output_shape, (Shape{2, 4, 6, 2}));
  EXPECT_EQ(net.find_layer("r")->output_shape, (Shape{2, 3, 6, 6}));
  // Every part keeps the file's line and key path; the layers after a split keep theirs.
  EXPECT_EQ(net.layers[1].source_line, 5);
  EXPECT_EQ(net.layers[1].source_index, 0);
  EXPECT_EQ(net.find_layer("after")->source_index, 3);
  EXPECT_EQ(net.find_layer("q:1")->macs + net.find_layer("q:1")->vector_ops, 0);
}

TEST(ShapeSplit, SizesMustAddUpAndAreReportedOnce) {
  auto ds = workload_errors([] {
    load(
        "  - {name: s, type: split, axis: 1, sizes: [1, 2, 2]}\n"
        "  - {name: t, type: split, input: x, axis: 2, parts: 4}\n"
        "  - {name: u, type: conv2d, input: x, out_channels: 2, kernel: 9}\n");
  });
  EXPECT_TRUE(has_diag(ds, "layers[0].sizes", "add up to 5, not the axis extent 4")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[1].parts", "must divide the axis extent 6")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[2].kernel", "larger than the padded input")) << all_text(ds);
  EXPECT_EQ(ds.size(), 3u) << all_text(ds);  // one per split, not one per part
}

TEST(ShapeSplit, NeedsSizesOrPartsAndPartsAreTheOnlyNames) {
  auto missing = workload_errors([] { load("  - {name: s, type: split, axis: 1}\n"); });
  EXPECT_TRUE(has_diag(missing, "layers[0].sizes", "sizes (the extent of every part) or parts"))
      << all_text(missing);
  auto both = workload_errors([] { load("  - {name: s, type: split, sizes: [1, 1], parts: 2}\n"); });
  EXPECT_TRUE(has_diag(both, "layers[0].parts", "not both")) << all_text(both);
  auto bare = workload_errors([] {
    load(
        "  - {name: s, type: split, axis: 1, parts: 2}\n"
        "  - {name: r, type: relu, input: s}\n");
  });
  EXPECT_TRUE(has_diag(bare, "layers[1].input",
                       "'s' has 2 outputs, each a tensor of its own: name one of 's:0' .. 's:1'"))
      << all_text(bare);
}

TEST(ShapeSplit, PartsAreBoundedSinceEachIsALayer) {
  auto ds = workload_errors([] {
    load(
        "  - {name: s, type: split, axis: 1, parts: 1000000000}\n"
        "  - {name: t, type: split, input: x, axis: 1, sizes: []}\n");
  });
  EXPECT_TRUE(has_diag(ds, "layers[0].parts", "must be 1 to 4096 (each part is a layer)")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[1].sizes", "needs 1 to 4096 parts")) << all_text(ds);
  const Network net = load("  - {name: s, type: split, axis: 2, parts: 6}\n");
  EXPECT_EQ(net.layers.size(), 6u);
}

TEST(LayerKinds, NamesComeFromTheRegistryInItsOrder) {
  const std::vector<std::string> names = layer_kind_names();
  ASSERT_GE(names.size(), 11u);
  EXPECT_EQ(names[0], "conv2d");
  EXPECT_EQ(names[8], "transpose");
  EXPECT_EQ(names[9], "concat");
  EXPECT_EQ(names[10], "split");
  LayerKind k;
  EXPECT_TRUE(parse_layer_kind("split", &k));
  EXPECT_EQ(k, LayerKind("split"));
  EXPECT_FALSE(parse_layer_kind("gemm", &k));  // a spelling of matmul, not a kind
}

}  // namespace
}  // namespace systole::test
