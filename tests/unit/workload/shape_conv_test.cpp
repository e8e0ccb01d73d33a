// Shape inference of conv2d: stride, per-side padding, "same", dilation, groups, depthwise, errors.
#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

TEST(ShapeConv, StridedPaddedConvShapeMacsAndWeights) {
  Network net = net_with_input({1, 3, 224, 224});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(64, 7, 2, 3));
  infer_shapes(net);
  const Layer& l = net.layers[0];
  // Ho = floor((224 + 3 + 3 - 7) / 2) + 1 = 112
  EXPECT_EQ(l.output_shape, (Shape{1, 64, 112, 112}));
  EXPECT_EQ(l.input_shapes[0], (Shape{1, 3, 224, 224}));
  EXPECT_EQ(l.macs, int64_t{112} * 112 * 64 * 3 * 7 * 7);
  EXPECT_EQ(l.weight_elements, 64 * 3 * 7 * 7);
  EXPECT_EQ(l.vector_ops, 0);
}

TEST(ShapeConv, ExplicitPerSidePadding) {
  Network net = net_with_input({1, 1, 5, 5});
  Conv2dAttrs a = conv(2, 3);
  a.pad_top = 1;
  a.pad_bottom = 0;
  a.pad_left = 0;
  a.pad_right = 2;
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, a);
  infer_shapes(net);
  // H: 5 + 1 + 0 - 3 + 1 = 4; W: 5 + 0 + 2 - 3 + 1 = 5
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 2, 4, 5}));
  EXPECT_EQ(net.layers[0].macs, 4 * 5 * 2 * 1 * 9);
}

TEST(ShapeConv, DilationWidensTheWindow) {
  Network net = net_with_input({1, 8, 32, 32});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(16, 3, 1, 0, 1, 2));
  infer_shapes(net);
  // effective kernel 2 * (3 - 1) + 1 = 5 -> 32 - 5 + 1 = 28
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 16, 28, 28}));
  EXPECT_EQ(net.layers[0].macs, 28 * 28 * 16 * 8 * 9);
}

TEST(ShapeConv, GroupedConvDividesInputChannels) {
  Network net = net_with_input({1, 32, 56, 56});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(64, 3, 1, 1, 4));
  infer_shapes(net);
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 64, 56, 56}));
  EXPECT_EQ(net.layers[0].macs, int64_t{56} * 56 * 64 * (32 / 4) * 9);
  EXPECT_EQ(net.layers[0].weight_elements, 64 * 8 * 9);
}

TEST(ShapeConv, DepthwiseConv) {
  Network net = net_with_input({1, 32, 112, 112});
  add_layer(net, "dw", LayerKind::kConv2d, {"x"}, conv(32, 3, 2, 1, 32));
  infer_shapes(net);
  // (112 + 2 - 3) / 2 + 1 = 56; one input channel per group
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 32, 56, 56}));
  EXPECT_EQ(net.layers[0].macs, 56 * 56 * 32 * 1 * 9);
  EXPECT_EQ(net.layers[0].weight_elements, 32 * 9);
}

TEST(ShapeConv, SamePaddingFollowsTensorFlowConvention) {
  Network net = net_with_input({1, 3, 224, 224});
  Conv2dAttrs a = conv(8, 7, 2);
  a.same_padding = true;
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, a);
  Conv2dAttrs b = conv(8, 3, 1);
  b.same_padding = true;
  add_layer(net, "d", LayerKind::kConv2d, {"c"}, b);
  infer_shapes(net);
  // out = ceil(224 / 2) = 112; total pad = (112 - 1) * 2 + 7 - 224 = 5 -> 2 before, 3 after
  const auto& ca = net.layers[0].as<Conv2dAttrs>();
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 8, 112, 112}));
  EXPECT_EQ(ca.pad_top, 2);
  EXPECT_EQ(ca.pad_bottom, 3);
  EXPECT_EQ(ca.pad_left, 2);
  EXPECT_EQ(ca.pad_right, 3);
  EXPECT_EQ(net.layers[1].output_shape, (Shape{1, 8, 112, 112}));
  EXPECT_EQ(net.layers[1].as<Conv2dAttrs>().pad_top, 1);
}

TEST(ShapeConv, GroupsMustDivideChannels) {
  Network net = net_with_input({1, 30, 8, 8});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(64, 3, 1, 1, 4));
  auto ds = workload_errors([&] { infer_shapes(net); });
  ASSERT_TRUE(has_diag(ds, "layers[0].groups", "input channels 30")) << all_text(ds);
  EXPECT_EQ(ds[0].file, "test.yaml");
  EXPECT_EQ(ds[0].line, 10);
  EXPECT_EQ(ds[0].value, "4");
}

TEST(ShapeConv, OutChannelsMustBeDivisibleByGroups) {
  Network net = net_with_input({1, 32, 8, 8});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(30, 3, 1, 1, 4));
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].groups", "out_channels 30")) << all_text(ds);
}

TEST(ShapeConv, KernelLargerThanPaddedInput) {
  Network net = net_with_input({1, 3, 4, 4});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(8, 5));
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].kernel", "larger than the padded input 4")) << all_text(ds);

  Network ok = net_with_input({1, 3, 4, 4});
  add_layer(ok, "c", LayerKind::kConv2d, {"x"}, conv(8, 5, 1, 1));  // 4 + 2 = 6 >= 5
  infer_shapes(ok);
  EXPECT_EQ(ok.layers[0].output_shape, (Shape{1, 8, 2, 2}));
}

TEST(ShapeConv, NonPositiveSizesAreRejected) {
  Network net = net_with_input({1, 3, 8, 8});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(0, 3, 0));
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].out_channels", ">= 1")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[0].stride", ">= 1")) << all_text(ds);
}

TEST(ShapeConv, NeedsRankFourInput) {
  Network net = net_with_input({1, 3, 8});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(8, 3));
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].input", "rank-4")) << all_text(ds);
}

}  // namespace
}  // namespace systole::test
