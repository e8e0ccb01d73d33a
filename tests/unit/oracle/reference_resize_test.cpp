// The reference resize (src/ops/resize.cpp) on ONNX's own examples (onnx/backend/test/case/node/
// resize.py: half_pixel coordinates, round_prefer_floor nearest) and on integer rounding.
#include <gtest/gtest.h>

#include "numeric_test_util.h"
#include "systole/numeric/resample.h"
#include "systole/oracle/reference.h"
#include "systole/workload/loader.h"

namespace systole::test {
namespace {

Tensor resize(const std::string& attrs, const Tensor& x) {
  const Network net = load_yaml_network("name: n\ninputs:\n  - {name: x, shape: " + shape_str(x.shape) +
                                            "}\nlayers:\n  - {name: r, type: resize, " + attrs + "}\n",
                                        "mem.yaml");
  return reference_layer(net.layers[0], {&x}, nullptr, ReferenceOptions{});
}

const Tensor k2x2 = floats(DataType::kFp32, {1, 1, 2, 2}, {1, 2, 3, 4});
const Tensor k2x4 = floats(DataType::kFp32, {1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});

TEST(ReferenceResize, OnnxNearestExamples) {
  const Tensor up = resize("scales: [2, 3]", k2x2);  // resize_upsample_scales_nearest
  EXPECT_EQ(up.shape, (Shape{1, 1, 4, 6}));
  EXPECT_EQ(float_values(up), (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,  //
                                                  3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
  const Tensor down = resize("scales: [0.6, 0.6]", k2x4);  // resize_downsample_scales_nearest
  EXPECT_EQ(down.shape, (Shape{1, 1, 1, 2}));
  EXPECT_EQ(float_values(down), (std::vector<float>{1, 3}));
  const Tensor sized = resize("size: [7, 8]", k2x2);  // resize_upsample_sizes_nearest
  std::vector<float> want;
  for (int r = 0; r < 7; ++r) {
    for (int c = 0; c < 8; ++c) want.push_back(r < 4 ? (c < 4 ? 1 : 2) : (c < 4 ? 3 : 4));
  }
  EXPECT_EQ(float_values(sized), want);
}

TEST(ReferenceResize, OnnxLinearExamples) {
  const Tensor up = resize("mode: bilinear, scales: [2, 2]", k2x2);  // resize_upsample_scales_linear
  EXPECT_EQ(float_values(up), (std::vector<float>{1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f,  //
                                                  2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4}));
  const Tensor down = resize("mode: bilinear, scales: [0.6, 0.6]", k2x4);  // resize_downsample_scales_linear
  ASSERT_EQ(down.shape, (Shape{1, 1, 1, 2}));
  EXPECT_NEAR(down.get_float(0), 2.6666665f, 1e-6);
  EXPECT_NEAR(down.get_float(1), 4.3333331f, 1e-6);
}

TEST(ReferenceResize, IntegersRoundHalfToEven) {
  // x = [0, 1, 2, 3] upsampled 2x along W: sources -0.25, 0.25, 0.75, 1.25, ... give
  // 0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3 -> 0, 0, 1, 1, 2, 2, 3, 3.
  const Tensor x = ints(DataType::kInt8, {1, 1, 1, 4}, {0, 1, 2, 3});
  EXPECT_EQ(int_values(resize("mode: bilinear, scales: [1, 2]", x)),
            (std::vector<int64_t>{0, 0, 1, 1, 2, 2, 3, 3}));
  // Exact halves: [0, 2, 4, 6] gives 0.5, 1.5, 2.5, 3.5, 4.5, 5.5 between the edges -> even.
  const Tensor y = ints(DataType::kInt16, {1, 1, 1, 4}, {0, 2, 4, 6});
  EXPECT_EQ(int_values(resize("mode: bilinear, scales: [1, 2]", y)),
            (std::vector<int64_t>{0, 0, 2, 2, 4, 4, 6, 6}));
}

TEST(Resample, HalfPixelCoordinatesAndRoundPreferFloor) {
  EXPECT_DOUBLE_EQ(resize_source(0, 2.0), -0.25);
  EXPECT_DOUBLE_EQ(resize_source(3, 2.0), 1.25);
  EXPECT_EQ(resize_nearest(0.5, 4), 0);  // ties go down
  EXPECT_EQ(resize_nearest(1.5, 4), 1);
  EXPECT_EQ(resize_nearest(1.5000001, 4), 2);
  EXPECT_EQ(resize_nearest(-0.4, 4), 0);  // clamped into the input
  EXPECT_EQ(resize_nearest(7.9, 4), 3);
  const LinearTaps t = resize_linear(-0.25, 4);
  EXPECT_EQ(t.i0, 0);
  EXPECT_EQ(t.i1, 0);
  const LinearTaps u = resize_linear(2.25, 4);
  EXPECT_EQ(u.i0, 2);
  EXPECT_EQ(u.i1, 3);
  EXPECT_DOUBLE_EQ(u.w1, 0.25);
  EXPECT_DOUBLE_EQ(bilinear(1, 2, 3, 4, 0.5, 0.5), 2.5);
}

}  // namespace
}  // namespace systole::test
