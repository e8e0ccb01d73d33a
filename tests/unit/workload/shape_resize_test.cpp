// resize (src/ops/resize.cpp): its YAML, output sizes (floor(extent x scale), or the size given),
// vector-op counts and errors.
#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

Network load(const std::string& layers) {
  return load_yaml_network("name: n\ninputs:\n  - {name: x, shape: [2, 3, 10, 12]}\nlayers:\n" + layers,
                           "mem.yaml");
}

TEST(ShapeResize, ScalesFloorTheExtentsAndSizesAreTaken) {
  const Network net = load(
      "  - {name: up, type: resize, mode: bilinear, scales: [2, 1.5]}\n"
      "  - {name: down, type: resize, input: x, scales: [0.6, 0.45]}\n"
      "  - {name: sized, type: resize, input: x, mode: nearest, size: [7, 25]}\n");
  const Layer& up = *net.find_layer("up");
  EXPECT_EQ(up.kind, LayerKind("resize"));
  EXPECT_EQ(up.output_shape, (Shape{2, 3, 20, 18}));
  EXPECT_EQ(up.vector_ops, 2 * 3 * 20 * 18 * 4);  // bilinear: four taps per output
  EXPECT_EQ(up.macs, 0);
  const Layer& down = *net.find_layer("down");
  EXPECT_EQ(down.output_shape, (Shape{2, 3, 6, 5}));  // floor(10 x 0.6), floor(12 x 0.45)
  EXPECT_EQ(down.vector_ops, 2 * 3 * 6 * 5);          // nearest (the default): one move per output
  EXPECT_EQ(net.find_layer("sized")->output_shape, (Shape{2, 3, 7, 25}));
}

TEST(ShapeResize, RefusesBadModesScalesAndSizes) {
  auto ds = workload_errors([] {
    load(
        "  - {name: a, type: resize, mode: bilinaer, scales: [2, 2]}\n"
        "  - {name: b, type: resize, input: x}\n"
        "  - {name: c, type: resize, input: x, scales: [2, 2], size: [4, 4]}\n"
        "  - {name: d, type: resize, input: x, scales: [1, 2, 2]}\n"
        "  - {name: e, type: resize, input: x, scales: [two, 2]}\n");
  });
  EXPECT_TRUE(has_diag(ds, "layers[0].mode", "must be one of: nearest, bilinear (did you mean 'bilinear'?)"))
      << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[1].scales", "required for resize")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[2].size", "not both")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[3].scales", "[scale_h, scale_w]")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[4].scales[0]", "plain decimal number")) << all_text(ds);
  EXPECT_EQ(ds.size(), 5u) << all_text(ds);
}

TEST(ShapeResize, RefusesEmptyOutputsAndOtherRanks) {
  auto ds = workload_errors([] {
    load(
        "  - {name: a, type: resize, scales: [0.05, 1]}\n"
        "  - {name: b, type: resize, input: x, scales: [0, -1]}\n"
        "  - {name: c, type: resize, input: x, size: [0, 4]}\n"
        "  - {name: flat, type: reshape, input: x, shape: [6, 120]}\n"
        "  - {name: d, type: resize, input: flat, scales: [2, 2]}\n");
  });
  EXPECT_TRUE(has_diag(ds, "layers[0].scales", "floor(10 x 0.05) = 0")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[1].scales", "must be > 0")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[2].size", ">= 1")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[4].input", "rank-4 input [N, C, H, W]")) << all_text(ds);
}

}  // namespace
}  // namespace systole::test
