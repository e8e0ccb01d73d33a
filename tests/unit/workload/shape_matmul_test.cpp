// Shape inference of matmul/gemm/fc: weights, activation x activation, transpose_b, broadcasting.
#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

MatmulAttrs fc(int64_t n) {
  MatmulAttrs a;
  a.out_features = n;
  return a;
}
MatmulAttrs two(bool transpose_b) {
  MatmulAttrs a;
  a.transpose_b = transpose_b;
  return a;
}

TEST(ShapeMatmul, FullyConnected) {
  Network net = net_with_input({1, 512});
  add_layer(net, "fc", LayerKind::kMatmul, {"x"}, fc(1000));
  infer_shapes(net);
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 1000}));
  EXPECT_EQ(net.layers[0].macs, 512 * 1000);
  EXPECT_EQ(net.layers[0].weight_elements, 512 * 1000);
}

TEST(ShapeMatmul, LeadingDimsAreBatch) {
  Network net = net_with_input({2, 128, 768});
  add_layer(net, "ffn", LayerKind::kMatmul, {"x"}, fc(3072));
  infer_shapes(net);
  EXPECT_EQ(net.layers[0].output_shape, (Shape{2, 128, 3072}));
  EXPECT_EQ(net.layers[0].macs, int64_t{2} * 128 * 3072 * 768);  // batch * M * N * K
  EXPECT_EQ(net.layers[0].weight_elements, 768 * 3072);
}

TEST(ShapeMatmul, TwoInputsWithTransposeB) {
  Network net = net_with_input({1, 12, 128, 64}, "q");
  net.inputs.push_back(TensorInput{"k", {1, 12, 128, 64}, DataType::kInt8, ""});
  add_layer(net, "scores", LayerKind::kMatmul, {"q", "k"}, two(true));
  infer_shapes(net);
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 12, 128, 128}));
  EXPECT_EQ(net.layers[0].macs, int64_t{12} * 128 * 128 * 64);
  EXPECT_EQ(net.layers[0].weight_elements, 0);
}

TEST(ShapeMatmul, TwoInputsPlain) {
  Network net = net_with_input({2, 3, 4}, "a");
  net.inputs.push_back(TensorInput{"b", {2, 4, 5}, DataType::kInt8, ""});
  add_layer(net, "mm", LayerKind::kMatmul, {"a", "b"}, two(false));
  infer_shapes(net);
  EXPECT_EQ(net.layers[0].output_shape, (Shape{2, 3, 5}));
  EXPECT_EQ(net.layers[0].macs, 2 * 3 * 5 * 4);
}

TEST(ShapeMatmul, BatchDimsBroadcast) {
  Network net = net_with_input({4, 1, 3, 8}, "a");
  net.inputs.push_back(TensorInput{"b", {5, 8, 6}, DataType::kInt8, ""});
  add_layer(net, "mm", LayerKind::kMatmul, {"a", "b"}, two(false));
  infer_shapes(net);
  EXPECT_EQ(net.layers[0].output_shape, (Shape{4, 5, 3, 6}));
  EXPECT_EQ(net.layers[0].macs, 4 * 5 * 3 * 6 * 8);
}

TEST(ShapeMatmul, InnerDimensionMismatch) {
  Network net = net_with_input({3, 4}, "a");
  net.inputs.push_back(TensorInput{"b", {5, 6}, DataType::kInt8, ""});
  add_layer(net, "mm", LayerKind::kMatmul, {"a", "b"}, two(false));
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].inputs", "K = 4 vs 5")) << all_text(ds);
  EXPECT_EQ(ds[0].value, "[3, 4] x [5, 6]");
}

TEST(ShapeMatmul, BatchNotBroadcastable) {
  Network net = net_with_input({2, 3, 4}, "a");
  net.inputs.push_back(TensorInput{"b", {3, 4, 5}, DataType::kInt8, ""});
  add_layer(net, "mm", LayerKind::kMatmul, {"a", "b"}, two(false));
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].inputs", "not broadcastable")) << all_text(ds);
}

TEST(ShapeMatmul, OutFeaturesRulesDependOnInputCount) {
  Network net = net_with_input({3, 4}, "a");
  net.inputs.push_back(TensorInput{"b", {4, 6}, DataType::kInt8, ""});
  add_layer(net, "mm", LayerKind::kMatmul, {"a", "b"}, fc(6));
  add_layer(net, "fc0", LayerKind::kMatmul, {"a"}, fc(0));
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].out_features", "only for one input")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[1].out_features", ">= 1")) << all_text(ds);
}

TEST(ShapeMatmul, RankOneInputIsRejected) {
  Network net = net_with_input({512});
  add_layer(net, "fc", LayerKind::kMatmul, {"x"}, fc(10));
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].input", "rank >= 2")) << all_text(ds);
}

}  // namespace
}  // namespace systole::test
