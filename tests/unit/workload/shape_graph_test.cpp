// Graph checks of shape inference: input names, ordering, duplicates, arity, error collection.
#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

TEST(ShapeGraph, UnknownInputSuggestsAName) {
  Network net = net_with_input({1, 3, 8, 8}, "image");
  add_layer(net, "c", LayerKind::kConv2d, {"imgae"}, conv(4, 3));
  auto ds = workload_errors([&] { infer_shapes(net); });
  ASSERT_TRUE(has_diag(ds, "layers[0].input", "unknown input")) << all_text(ds);
  EXPECT_EQ(ds[0].value, "imgae");
  EXPECT_NE(ds[0].rule.find("did you mean 'image'"), std::string::npos) << ds[0].rule;
}

TEST(ShapeGraph, InputDefinedLaterIsACycleOrOrderError) {
  Network net = net_with_input({1, 4});
  add_layer(net, "a", LayerKind::kAdd, {"x", "b"});
  add_layer(net, "b", LayerKind::kActivation, {"a"}, ActivationAttrs{});
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].input", "defined later (layers[1])")) << all_text(ds);

  Network self = net_with_input({1, 4});
  add_layer(self, "loop", LayerKind::kActivation, {"loop"}, ActivationAttrs{});
  auto ds2 = workload_errors([&] { infer_shapes(self); });
  EXPECT_TRUE(has_diag(ds2, "layers[0].input", "cycle")) << all_text(ds2);
}

TEST(ShapeGraph, DuplicateNames) {
  Network net = net_with_input({1, 4});
  add_layer(net, "r", LayerKind::kActivation, {"x"}, ActivationAttrs{});
  add_layer(net, "r", LayerKind::kActivation, {"x"}, ActivationAttrs{});
  add_layer(net, "x", LayerKind::kActivation, {"r"}, ActivationAttrs{});
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[1].name", "duplicate")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[2].name", "duplicate")) << all_text(ds);
}

TEST(ShapeGraph, ArityIsChecked) {
  Network net = net_with_input({1, 4});
  add_layer(net, "a", LayerKind::kAdd, {"x"});
  add_layer(net, "r", LayerKind::kActivation, {"x", "x"}, ActivationAttrs{});
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0].inputs", "takes 2 to")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[1].inputs", "exactly 1")) << all_text(ds);
}

TEST(ShapeGraph, CollectsIndependentErrorsAndSkipsDependants) {
  Network net = net_with_input({1, 3, 8, 8});
  add_layer(net, "bad1", LayerKind::kConv2d, {"x"}, conv(4, 9));                 // kernel too large
  add_layer(net, "after", LayerKind::kActivation, {"bad1"}, ActivationAttrs{});  // skipped, not reported
  add_layer(net, "bad2", LayerKind::kConv2d, {"x"}, conv(4, 3, 1, 0, 2));        // 3 % 2 != 0
  auto ds = workload_errors([&] { infer_shapes(net); });
  ASSERT_EQ(ds.size(), 2u) << all_text(ds);
  EXPECT_EQ(ds[0].key, "layers[0].kernel");
  EXPECT_EQ(ds[1].key, "layers[2].groups");
  EXPECT_EQ(ds[1].line, 12);
  EXPECT_NE(ds[1].rule.find("bad2"), std::string::npos);  // the layer is named too
}

TEST(ShapeGraph, TotalMacsSumsLayers) {
  Network net = net_with_input({1, 3, 8, 8});
  add_layer(net, "c1", LayerKind::kConv2d, {"x"}, conv(4, 3, 1, 1));
  add_layer(net, "c2", LayerKind::kConv2d, {"c1"}, conv(2, 1));
  infer_shapes(net);
  EXPECT_EQ(net.total_macs(), 8 * 8 * 4 * 3 * 9 + 8 * 8 * 2 * 4);
  EXPECT_EQ(net.find_layer("c2")->output_shape, (Shape{1, 2, 8, 8}));
  EXPECT_EQ(net.find_layer("nope"), nullptr);
}

}  // namespace
}  // namespace systole::test

namespace systole::test {
namespace {

TEST(ShapeGraph, CountsThatOverflowAreErrorsNotUndefinedBehaviour) {
  Network net = net_with_input({1, 1024, 1024, 1024});
  MatmulAttrs huge;
  huge.out_features = int64_t{1} << 40;
  add_layer(net, "fc", LayerKind::kMatmul, {"x"}, huge);
  auto ds = workload_errors([&] { infer_shapes(net); });
  EXPECT_TRUE(has_diag(ds, "layers[0]", "overflow")) << all_text(ds);

  Network big = net_with_input({int64_t{1} << 40, int64_t{1} << 40});
  auto ds2 = workload_errors([&] { infer_shapes(big); });
  EXPECT_TRUE(has_diag(ds2, "inputs.x.shape", "overflows")) << all_text(ds2);
}

}  // namespace
}  // namespace systole::test
