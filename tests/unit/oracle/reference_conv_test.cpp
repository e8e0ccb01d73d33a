// Reference conv2d and matmul: hand-worked cases (padding, stride, dilation, groups), the k order
// (channel, kernel row, kernel column) shown through saturation, conv == im2col GEMM with that k
// order for random shapes, and matmul batch / transpose_b.
#include <gtest/gtest.h>

#include "numeric_test_util.h"
#include "systole/common/error.h"
#include "systole/numeric/random.h"
#include "systole/oracle/reference.h"

namespace systole {
namespace {

using test::float_values;
using test::floats;
using test::int_values;
using test::ints;
using test::layer;

ReferenceOptions int_opts(int width = 32, Overflow o = Overflow::kSaturate, int64_t k_group = 0,
                          int shift = 0) {
  ReferenceOptions opt;
  opt.acc.type = DataType::kInt32;
  opt.acc.width_bits = width;
  opt.acc.overflow = o;
  opt.k_group = k_group;
  opt.requant_shift = shift;
  return opt;
}

ReferenceOptions fp_opts(int64_t k_group = 0) {
  ReferenceOptions opt;
  opt.acc.type = DataType::kFp32;
  opt.k_group = k_group;
  return opt;
}

Conv2dAttrs conv(int64_t oc, int64_t kh, int64_t kw) {
  Conv2dAttrs a;
  a.out_channels = oc;
  a.kernel_h = kh;
  a.kernel_w = kw;
  return a;
}

TEST(ReferenceConv, GroupsStrideDilationPaddingByHand) {
  // x[c][h][w] = 16c + 4h + w + 1 (C = 2, 4 x 4); groups 2 (one channel each), kernel 2 x 2,
  // stride 2, dilation 2, padding 1: Ho = Wo = (4 + 2 - 3) / 2 + 1 = 2.
  // Tap (r, s) of output (oh, ow) reads x[2oh - 1 + 2r][2ow - 1 + 2s].
  // oc 0, w = [[1, 2], [3, 4]], reading channel 0 (x(1,1) = 6, x(1,3) = 8, x(3,1) = 14, x(3,3) = 16):
  //   (0,0): only (1,1) via r=1,s=1: 4*6 = 24
  //   (0,1): (1,1) r=1,s=0: 3*6 = 18; (1,3) r=1,s=1: 4*8 = 32 -> 50
  //   (1,0): (1,1) r=0,s=1: 2*6 = 12; (3,1) r=1,s=1: 4*14 = 56 -> 68
  //   (1,1): 1*6 + 2*8 + 3*14 + 4*16 = 6 + 16 + 42 + 64 = 128
  // oc 1, w = [[-1, 0], [0, 1]], channel 1 (x(1,1) = 22, x(1,3) = 24, x(3,1) = 30, x(3,3) = 32):
  //   (0,0): 22; (0,1): 24; (1,0): 30; (1,1): -22 + 32 = 10
  std::vector<int64_t> xv;
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t h = 0; h < 4; ++h)
      for (int64_t w = 0; w < 4; ++w) xv.push_back(16 * c + 4 * h + w + 1);
  Conv2dAttrs a = conv(2, 2, 2);
  a.groups = 2;
  a.stride_h = a.stride_w = 2;
  a.dilation_h = a.dilation_w = 2;
  a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = 1;
  const Layer l = layer("c", LayerKind::kConv2d, a);
  const Tensor x = ints(DataType::kInt16, {1, 2, 4, 4}, xv);
  const Tensor w = ints(DataType::kInt8, {2, 1, 2, 2}, {1, 2, 3, 4, -1, 0, 0, 1});
  const Tensor out = reference_layer(l, {&x}, &w, int_opts());
  EXPECT_EQ(out.dtype, DataType::kInt16);
  EXPECT_EQ(out.shape, (Shape{1, 2, 2, 2}));
  EXPECT_EQ(int_values(out), (std::vector<int64_t>{24, 50, 68, 128, 22, 24, 30, 10}));
  // Requantised by 2^1 into int8 inputs: 12, 25, 34, 64, 11, 12, 15, 5.
  const Tensor x8 = ints(DataType::kInt8, {1, 2, 4, 4}, xv);
  EXPECT_EQ(int_values(reference_layer(l, {&x8}, &w, int_opts(32, Overflow::kSaturate, 0, 1))),
            (std::vector<int64_t>{12, 25, 34, 64, 11, 12, 15, 5}));
  // The same in fp32 (all values exact).
  const Tensor xf = floats(DataType::kFp32, {1, 2, 4, 4}, std::vector<float>(xv.begin(), xv.end()));
  const Tensor wf = floats(DataType::kFp32, {2, 1, 2, 2}, {1, 2, 3, 4, -1, 0, 0, 1});
  EXPECT_EQ(float_values(reference_layer(l, {&xf}, &wf, fp_opts())),
            (std::vector<float>{24, 50, 68, 128, 22, 24, 30, 10}));
}

TEST(ReferenceConv, AsymmetricPaddingByHand) {
  // x = [[1, 2, 3], [4, 5, 6]], w = [[1, 10], [100, 1000]], stride 1, pad top 1, bottom 0, left 0,
  // right 1: Ho = (2 + 1 - 2) + 1 = 2, Wo = (3 + 1 - 2) + 1 = 3; out(oh, ow) = sum x[oh-1+r][ow+s] w[r][s]
  //   (0,0): row -1 is padding; 1*100 + 2*1000 = 2100     (0,1): 200 + 3000 = 3200
  //   (0,2): 300 + padding = 300                           (1,0): 1 + 20 + 400 + 5000 = 5421
  //   (1,1): 2 + 30 + 500 + 6000 = 6532                    (1,2): 3 + 600 = 603
  Conv2dAttrs a = conv(1, 2, 2);
  a.pad_top = 1;
  a.pad_right = 1;
  const Layer l = layer("c", LayerKind::kConv2d, a);
  const Tensor x = ints(DataType::kInt32, {1, 1, 2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor w = ints(DataType::kInt16, {1, 1, 2, 2}, {1, 10, 100, 1000});
  const Tensor out = reference_layer(l, {&x}, &w, int_opts());
  EXPECT_EQ(out.shape, (Shape{1, 1, 2, 3}));
  EXPECT_EQ(int_values(out), (std::vector<int64_t>{2100, 3200, 300, 5421, 6532, 603}));
}

TEST(ReferenceConv, ChannelMajorKOrderVisibleThroughSaturation) {
  // C = 2, kernel 1 x 2, one output pixel; channel 0 holds 100, 100 and channel 1 holds -100, -100,
  // weights all 1, accumulator 8 bits saturating.
  //   k = (c * kh + r) * kw + s: products 100, 100, -100, -100 -> 127 (saturated), 27, -73
  //   (a kernel-position-major order would give 100, -100, 100, -100 -> 0)
  //   k_group 2: groups sat(200) = 127 and sat(-200) = -128 -> -1
  const Layer l = layer("c", LayerKind::kConv2d, conv(1, 1, 2));
  const Tensor x = ints(DataType::kInt8, {1, 2, 1, 2}, {100, 100, -100, -100});
  const Tensor w = ints(DataType::kInt8, {1, 2, 1, 2}, {1, 1, 1, 1});
  EXPECT_EQ(int_values(reference_layer(l, {&x}, &w, int_opts(8))), (std::vector<int64_t>{-73}));
  EXPECT_EQ(int_values(reference_layer(l, {&x}, &w, int_opts(8, Overflow::kSaturate, 2))),
            (std::vector<int64_t>{-1}));
  EXPECT_EQ(int_values(reference_layer(l, {&x}, &w, int_opts(8, Overflow::kWrap, 2))),
            (std::vector<int64_t>{0}));
}

// conv by a different route: explicit im2col with k = (c * kh + r) * kw + s, then
// reference_gemm_int per group, then requantisation.
std::vector<int64_t> conv_via_im2col(const Conv2dAttrs& a, const Tensor& x, const Tensor& w,
                                     const ReferenceOptions& opt, const Shape& out_shape) {
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const int64_t oc = out_shape[1], ho = out_shape[2], wo = out_shape[3];
  const int64_t cpg = c / a.groups, ocpg = oc / a.groups, k = cpg * a.kernel_h * a.kernel_w, m = n * ho * wo;
  std::vector<int64_t> out(static_cast<size_t>(n * oc * ho * wo));
  for (int64_t g = 0; g < a.groups; ++g) {
    std::vector<int32_t> A(static_cast<size_t>(m * k), 0), B(static_cast<size_t>(k * ocpg));
    for (int64_t row = 0; row < m; ++row) {
      const int64_t img = row / (ho * wo), oh = row / wo % ho, ow = row % wo;
      for (int64_t kk = 0; kk < k; ++kk) {
        const int64_t ci = kk / (a.kernel_h * a.kernel_w), r = kk / a.kernel_w % a.kernel_h,
                      s = kk % a.kernel_w;
        const int64_t ih = oh * a.stride_h - a.pad_top + r * a.dilation_h;
        const int64_t iw = ow * a.stride_w - a.pad_left + s * a.dilation_w;
        if (ih >= 0 && ih < h && iw >= 0 && iw < wd) {
          A[static_cast<size_t>(row * k + kk)] =
              static_cast<int32_t>(x.get_int(((img * c + g * cpg + ci) * h + ih) * wd + iw));
        }
      }
    }
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t j = 0; j < ocpg; ++j)
        B[static_cast<size_t>(kk * ocpg + j)] = static_cast<int32_t>(w.get_int((g * ocpg + j) * k + kk));
    std::vector<int64_t> C(static_cast<size_t>(m * ocpg));
    reference_gemm_int(m, ocpg, k, A.data(), B.data(), C.data(), false, opt.acc, opt.k_group);
    for (int64_t row = 0; row < m; ++row) {
      const int64_t img = row / (ho * wo), pix = row % (ho * wo);
      for (int64_t j = 0; j < ocpg; ++j) {
        out[static_cast<size_t>((img * oc + g * ocpg + j) * ho * wo + pix)] =
            requantize(C[static_cast<size_t>(row * ocpg + j)], opt.requant_shift, x.dtype);
      }
    }
  }
  return out;
}

TEST(ReferenceConv, EqualsIm2colGemmOnRandomShapes) {
  // Narrow saturating accumulators make any difference in k order or grouping visible.
  uint64_t state = 2024;
  auto pick = [&](int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(splitmix64_next(&state) % static_cast<uint64_t>(hi - lo + 1));
  };
  for (int trial = 0; trial < 150; ++trial) {
    Conv2dAttrs a;
    const int64_t groups = pick(1, 3);
    const bool depthwise = pick(0, 3) == 0;
    const int64_t c = depthwise ? groups : groups * pick(1, 3);
    a.groups = groups;
    a.out_channels = depthwise ? groups : groups * pick(1, 3);
    a.kernel_h = pick(1, 3);
    a.kernel_w = pick(1, 3);
    a.stride_h = pick(1, 2);
    a.stride_w = pick(1, 3);
    a.dilation_h = pick(1, 2);
    a.dilation_w = pick(1, 2);
    a.pad_top = pick(0, 2);
    a.pad_bottom = pick(0, 2);
    a.pad_left = pick(0, 2);
    a.pad_right = pick(0, 1);
    const int64_t h = pick(a.dilation_h * (a.kernel_h - 1) + 1, 7),
                  w = pick(a.dilation_w * (a.kernel_w - 1) + 1, 7);
    const DataType dt = pick(0, 1) ? DataType::kInt8 : DataType::kInt16;
    const Tensor x = random_tensor(dt, {pick(1, 2), c, h, w}, static_cast<uint64_t>(trial), "x");
    const Tensor wt = random_tensor(DataType::kInt8, {a.out_channels, c / groups, a.kernel_h, a.kernel_w},
                                    static_cast<uint64_t>(trial), "w");
    const ReferenceOptions opt =
        int_opts(static_cast<int>(pick(16, 24)), pick(0, 1) ? Overflow::kSaturate : Overflow::kWrap,
                 pick(0, 5), static_cast<int>(pick(0, 8)));
    const Layer l = layer("c", LayerKind::kConv2d, a);
    const Tensor out = reference_layer(l, {&x}, &wt, opt);
    ASSERT_EQ(int_values(out), conv_via_im2col(a, x, wt, opt, out.shape)) << "trial " << trial;
  }
}

TEST(ReferenceConv, FloatOutputRoundsToInputDtype) {
  // fp16: 1 x 1 conv of 1 + 2^-10 by 1 + 2^-10 = 1 + 2^-9 + 2^-20 in fp32, rounded to fp16 1 + 2^-9.
  const Layer l = layer("c", LayerKind::kConv2d, conv(1, 1, 1));
  const float v = 1.0f + 0x1p-10f;
  const Tensor x = floats(DataType::kFp16, {1, 1, 1, 1}, {v});
  const Tensor w = floats(DataType::kFp16, {1, 1, 1, 1}, {v});
  const Tensor out = reference_layer(l, {&x}, &w, fp_opts());
  EXPECT_EQ(out.dtype, DataType::kFp16);
  EXPECT_EQ(out.get_float(0), 1.0f + 0x1p-9f);
}

TEST(ReferenceConv, RejectsBadOperands) {
  const Layer l = layer("conv1", LayerKind::kConv2d, conv(2, 3, 3));
  const Tensor x = random_tensor(DataType::kInt8, {1, 1, 4, 4}, 1, "x");
  const Tensor w = random_tensor(DataType::kInt8, {2, 1, 3, 3}, 1, "w");
  const Tensor wbad = random_tensor(DataType::kInt8, {2, 1, 2, 3}, 1, "w");
  const Tensor wf = random_tensor(DataType::kFp32, {2, 1, 3, 3}, 1, "w");
  EXPECT_THROW(reference_layer(l, {&x}, &wbad, int_opts()), UserError);
  EXPECT_THROW(reference_layer(l, {&x}, &wf, int_opts()), UserError);
  EXPECT_THROW(reference_layer(l, {&x}, &w, fp_opts()), UserError);  // int operands, fp32 accumulator
  EXPECT_THROW(reference_layer(l, {&x}, nullptr, int_opts()), UserError);
  try {
    reference_layer(l, {&x}, &wbad, int_opts());
  } catch (const UserError& e) {
    EXPECT_NE(
        std::string(e.what()).find("layer 'conv1' (conv2d, line 7): weight tensor has shape [2, 1, 2, 3], "
                                   "expected [2, 1, 3, 3]"),
        std::string::npos)
        << e.what();
  }
}

MatmulAttrs mm(int64_t out_features = 0, bool transpose_b = false) {
  MatmulAttrs a;
  a.out_features = out_features;
  a.transpose_b = transpose_b;
  return a;
}

TEST(ReferenceMatmul, WeightsAndTransposeByHand) {
  // [[1, 2], [3, 4]] x [[5, 6], [7, 8]] = [[19, 22], [43, 50]]
  const Tensor a = ints(DataType::kInt16, {2, 2}, {1, 2, 3, 4});
  const Tensor b = ints(DataType::kInt16, {2, 2}, {5, 6, 7, 8});
  const Tensor bt = ints(DataType::kInt16, {2, 2}, {5, 7, 6, 8});  // [N, K]
  const std::vector<int64_t> want = {19, 22, 43, 50};
  EXPECT_EQ(int_values(reference_layer(layer("fc", LayerKind::kMatmul, mm(2)), {&a}, &b, int_opts())), want);
  EXPECT_EQ(int_values(reference_layer(layer("mm", LayerKind::kMatmul, mm()), {&a, &b}, nullptr, int_opts())),
            want);
  EXPECT_EQ(int_values(reference_layer(layer("mt", LayerKind::kMatmul, mm(0, true)), {&a, &bt}, nullptr,
                                       int_opts())),
            want);
  // Weights shared over batch dims: [2, 1, 2] x [2, 2] -> [2, 1, 2].
  const Tensor ab = ints(DataType::kInt16, {2, 1, 2}, {1, 2, 3, 4});
  const Tensor out = reference_layer(layer("fc", LayerKind::kMatmul, mm(2)), {&ab}, &b, int_opts());
  EXPECT_EQ(out.shape, (Shape{2, 1, 2}));
  EXPECT_EQ(int_values(out), want);
}

TEST(ReferenceMatmul, BroadcastBatchDims) {
  // a [2, 1, 2, 3], b [3, 3, 2] -> out [2, 3, 2, 2]; out[i][j] = a[i][0] x b[j].
  const Tensor a = random_tensor(DataType::kInt8, {2, 1, 2, 3}, 3, "a");
  const Tensor b = random_tensor(DataType::kInt8, {3, 3, 2}, 3, "b");
  const Tensor out = reference_layer(layer("mm", LayerKind::kMatmul, mm()), {&a, &b}, nullptr, int_opts());
  ASSERT_EQ(out.shape, (Shape{2, 3, 2, 2}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t m = 0; m < 2; ++m)
        for (int64_t n = 0; n < 2; ++n) {
          int64_t s = 0;
          for (int64_t k = 0; k < 3; ++k) s += a.get_int(i * 6 + m * 3 + k) * b.get_int(j * 6 + k * 2 + n);
          EXPECT_EQ(out.get_int(((i * 3 + j) * 2 + m) * 2 + n), saturate_to(DataType::kInt8, s));
        }
}

TEST(ReferenceMatmul, FloatKGroupOrder) {
  // One row [1, 2^-24, 2^-24, 2^-24] x ones: 1 with k_group 0, 1 + 2^-23 with k_group 2.
  const Tensor a = floats(DataType::kFp32, {1, 4}, {1.0f, 0x1p-24f, 0x1p-24f, 0x1p-24f});
  const Tensor w = floats(DataType::kFp32, {4, 1}, {1, 1, 1, 1});
  const Layer l = layer("fc", LayerKind::kMatmul, mm(1));
  EXPECT_EQ(reference_layer(l, {&a}, &w, fp_opts(0)).get_float(0), 1.0f);
  EXPECT_EQ(reference_layer(l, {&a}, &w, fp_opts(2)).get_float(0), 1.0f + 0x1p-23f);
}

TEST(ReferenceMatmul, RejectsMismatchedK) {
  const Tensor a = random_tensor(DataType::kInt8, {2, 3}, 1, "a");
  const Tensor b = random_tensor(DataType::kInt8, {4, 2}, 1, "b");
  EXPECT_THROW(reference_layer(layer("mm", LayerKind::kMatmul, mm()), {&a, &b}, nullptr, int_opts()),
               UserError);
  EXPECT_THROW(reference_layer(layer("fc", LayerKind::kMatmul, mm(2)), {&a}, &b, int_opts()), UserError);
}

}  // namespace
}  // namespace systole
