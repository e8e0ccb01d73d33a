// Shape inference of pool, add / sub / mul / div (broadcasting), activation, softmax, layernorm, reshape and
// transpose.
#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

PoolAttrs pool(PoolMode mode, int64_t k, int64_t s, int64_t p) {
  PoolAttrs a;
  a.mode = mode;
  a.kernel_h = a.kernel_w = k;
  a.stride_h = a.stride_w = s;
  a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = p;
  return a;
}

TEST(ShapeElementwise, MaxPoolWindowCost) {
  Network net = net_with_input({1, 64, 112, 112});
  add_layer(net, "p", LayerKind::kPool, {"x"}, pool(PoolMode::kMax, 3, 2, 1));
  infer_shapes(net);
  // (112 + 2 - 3) / 2 + 1 = 56; one op per output per window element
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 64, 56, 56}));
  EXPECT_EQ(net.layers[0].vector_ops, 64 * 56 * 56 * 9);
  EXPECT_EQ(net.layers[0].macs, 0);
}

TEST(ShapeElementwise, GlobalAvgPool) {
  Network net = net_with_input({1, 2048, 7, 7});
  PoolAttrs a;
  a.mode = PoolMode::kAvg;
  a.global = true;
  add_layer(net, "gap", LayerKind::kPool, {"x"}, a);
  infer_shapes(net);
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 2048, 1, 1}));
  EXPECT_EQ(net.layers[0].vector_ops, 2048 * 49);
  EXPECT_EQ(net.layers[0].as<PoolAttrs>().kernel_h, 7);
}

TEST(ShapeElementwise, PoolKernelTooLarge) {
  Network net = net_with_input({1, 4, 2, 2});
  add_layer(net, "p", LayerKind::kPool, {"x"}, pool(PoolMode::kMax, 3, 1, 0));
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].kernel", "larger than the padded input")) << all_text(ds);
}

TEST(ShapeElementwise, AddNeedsShapesThatBroadcast) {
  Network net = net_with_input({1, 64, 56, 56});
  add_layer(net, "a", LayerKind::kConv2d, {"x"}, conv(64, 3, 1, 1));
  add_layer(net, "b", LayerKind::kConv2d, {"x"}, conv(128, 3, 2, 1));
  add_layer(net, "sum", LayerKind::kAdd, {"a", "b"});
  auto ds = workload_errors([&] { infer_shapes(net); });
  ASSERT_TRUE(has_diag(ds, "layers[2].inputs", "shapes that broadcast")) << all_text(ds);
  EXPECT_EQ(ds[0].value, "[1, 64, 56, 56] + [1, 128, 28, 28]");
  EXPECT_EQ(ds[0].line, 12);

  Network ok = net_with_input({1, 8, 4, 4});
  add_layer(ok, "sum", LayerKind::kAdd, {"x", "x"});
  infer_shapes(ok);
  EXPECT_EQ(ok.layers[0].vector_ops, 8 * 4 * 4);
}

TEST(ShapeElementwise, ArithmeticBroadcastsAsNumPy) {
  // An attention mask [B, 1, 1, S] onto scores [B, H, S, S]; a row scale [S, 1]; a bias [S].
  Network net = net_with_input({2, 4, 8, 8}, "scores");
  net.inputs.push_back({"mask", {2, 1, 1, 8}, DataType::kInt8, ""});
  net.inputs.push_back({"scale", {8, 1}, DataType::kInt8, ""});
  net.inputs.push_back({"bias", {8}, DataType::kInt8, ""});
  add_layer(net, "masked", LayerKind("sub"), {"scores", "mask"});
  add_layer(net, "scaled", LayerKind("div"), {"masked", "scale"});
  add_layer(net, "sum", LayerKind::kAdd, {"scale", "bias", "bias"});
  infer_shapes(net);
  EXPECT_EQ(net.layers[0].output_shape, (Shape{2, 4, 8, 8}));
  EXPECT_EQ(net.layers[0].vector_ops, 2 * 4 * 8 * 8);
  EXPECT_EQ(net.layers[1].output_shape, (Shape{2, 4, 8, 8}));
  // Both operands broadcast: [8, 1] with [8] is [8, 8]; three operands, two adds per element.
  EXPECT_EQ(net.layers[2].output_shape, (Shape{8, 8}));
  EXPECT_EQ(net.layers[2].vector_ops, 64 * 2);

  Network bad = net_with_input({2, 4, 8, 8}, "scores");
  bad.inputs.push_back({"mask", {2, 1, 3, 8}, DataType::kInt8, ""});
  add_layer(bad, "masked", LayerKind("sub"), {"scores", "mask"});
  auto ds = workload_errors([&] { infer_shapes(bad); });
  ASSERT_TRUE(has_diag(ds, "layers[0].inputs", "sub needs shapes that broadcast ('scores', 'mask')"))
      << all_text(ds);
  EXPECT_EQ(ds[0].value, "[2, 4, 8, 8] - [2, 1, 3, 8]");
}

TEST(ShapeElementwise, SubAndDivTakeTwoOperands) {
  Network net = net_with_input({1, 8});
  add_layer(net, "d", LayerKind("div"), {"x", "x", "x"});
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_FALSE(ds.empty());
  EXPECT_NE(all_text(ds).find("div"), std::string::npos) << all_text(ds);
}

TEST(ShapeElementwise, ActivationSoftmaxLayerNormCosts) {
  Network net = net_with_input({1, 128, 768}, "x");
  net.inputs[0].dtype = DataType::kFp16;
  ActivationAttrs gelu;
  gelu.func = ActivationFunc::kGelu;
  add_layer(net, "act", LayerKind::kActivation, {"x"}, gelu);
  add_layer(net, "sm", LayerKind::kSoftmax, {"act"});
  add_layer(net, "ln", LayerKind::kLayerNorm, {"sm"});
  infer_shapes(net);
  const int64_t n = 128 * 768;
  EXPECT_EQ(net.layers[0].vector_ops, n);
  EXPECT_EQ(net.layers[1].vector_ops, n * kSoftmaxOpsPerElement);
  EXPECT_EQ(net.layers[2].vector_ops, n * kLayerNormOpsPerElement);
  EXPECT_EQ(net.layers[2].weight_elements, 2 * 768);
  EXPECT_EQ(net.layers[2].output_shape, (Shape{1, 128, 768}));
  EXPECT_EQ(net.layers[2].dtype, DataType::kFp16);  // propagated from the input
}

TEST(ShapeElementwise, ReshapeInfersOneDimension) {
  Network net = net_with_input({1, 512, 1, 1});
  add_layer(net, "flat", LayerKind::kReshape, {"x"}, ReshapeAttrs{{1, -1}});
  add_layer(net, "split", LayerKind::kReshape, {"flat"}, ReshapeAttrs{{1, 8, 64}});
  infer_shapes(net);
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 512}));
  EXPECT_EQ(net.layers[1].output_shape, (Shape{1, 8, 64}));
  EXPECT_EQ(net.layers[1].vector_ops + net.layers[1].macs, 0);  // layout only
}

TEST(ShapeElementwise, ReshapeElementCountMustMatch) {
  Network net = net_with_input({1, 10});
  add_layer(net, "bad", LayerKind::kReshape, {"x"}, ReshapeAttrs{{3, 3}});
  add_layer(net, "bad2", LayerKind::kReshape, {"x"}, ReshapeAttrs{{-1, -1}});
  add_layer(net, "bad3", LayerKind::kReshape, {"x"}, ReshapeAttrs{{3, -1}});
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].shape", "element count 10")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[1].shape", "at most one -1")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[2].shape", "element count 10")) << all_text(ds);
}

TEST(ShapeElementwise, TransposePermutes) {
  Network net = net_with_input({1, 128, 12, 64});
  add_layer(net, "t", LayerKind::kTranspose, {"x"}, TransposeAttrs{{0, 2, 1, 3}});
  infer_shapes(net);
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 12, 128, 64}));
}

TEST(ShapeElementwise, TransposeRejectsBadPermutations) {
  Network net = net_with_input({1, 2, 3, 4});
  add_layer(net, "dup", LayerKind::kTranspose, {"x"}, TransposeAttrs{{0, 0, 1, 2}});
  add_layer(net, "short", LayerKind::kTranspose, {"x"}, TransposeAttrs{{1, 0}});
  add_layer(net, "range", LayerKind::kTranspose, {"x"}, TransposeAttrs{{0, 1, 2, 4}});
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].perm", "permutation of 0..3")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[1].perm", "permutation")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[2].perm", "permutation")) << all_text(ds);
}

}  // namespace
}  // namespace systole::test
