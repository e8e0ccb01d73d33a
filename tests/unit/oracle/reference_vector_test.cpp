// Vector functions and the reference vector / layout layers: activations on ints and floats,
// relu6 commuting with requantisation, add / sub / mul / div with broadcasting, max / avg pool with padding,
// softmax, layernorm, reshape, transpose, and the unsupported dtype errors.
#include <cmath>

#include <gtest/gtest.h>

#include "numeric_test_util.h"
#include "systole/common/error.h"
#include "systole/numeric/random.h"
#include "systole/numeric/vector_math.h"
#include "systole/oracle/reference.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

using test::float_values;
using test::floats;
using test::int_values;
using test::ints;
using test::layer;

const ReferenceOptions kNoOpts;

Layer act(ActivationFunc f) {
  ActivationAttrs a;
  a.func = f;
  return layer("act", LayerKind::kActivation, a);
}

TEST(VectorMath, IntegerRelu6IsSixInTheUnitsOfItsInput) {
  EXPECT_EQ(relu_int(-5), 0);
  EXPECT_EQ(relu_int(9), 9);
  EXPECT_EQ(relu6_int(-1, 0), 0);
  EXPECT_EQ(relu6_int(4, 0), 4);
  EXPECT_EQ(relu6_int(7, 0), 6);
  EXPECT_EQ(relu6_int(100, 4), 96);  // 6 * 2^4
  EXPECT_EQ(relu6_int(95, 4), 95);
  EXPECT_THROW(relu6_int(1, -1), InternalError);
  // Fused before requantisation == after it, for every accumulator value and shift.
  for (int s = 0; s <= 6; ++s) {
    for (int64_t acc = -2000; acc <= 2000; ++acc) {
      for (DataType t : {DataType::kInt8, DataType::kInt16}) {
        ASSERT_EQ(requantize(relu6_int(acc, s), s, t), relu6_int(requantize(acc, s, t), 0))
            << acc << " " << s;
      }
    }
  }
}

TEST(VectorMath, FloatFunctions) {
  EXPECT_EQ(relu_fp(-2.0f), 0.0f);
  EXPECT_FALSE(std::signbit(relu_fp(-0.0f)));
  EXPECT_EQ(relu6_fp(7.5f), 6.0f);
  EXPECT_EQ(relu6_fp(2.5f), 2.5f);
  EXPECT_TRUE(std::isnan(relu_fp(std::nanf(""))));
  // Values from Python's math module (double), rounded to fp32.
  EXPECT_EQ(gelu_fp(1.0f), static_cast<float>(0.8411919906082768));
  EXPECT_EQ(gelu_fp(-1.0f), static_cast<float>(-0.15880800939172324));
  EXPECT_EQ(gelu_fp(3.0f), static_cast<float>(2.996362607918227));
  EXPECT_EQ(sigmoid_fp(1.0f), static_cast<float>(0.7310585786300049));
  EXPECT_EQ(sigmoid_fp(0.0f), 0.5f);
  EXPECT_EQ(tanh_fp(0.5f), static_cast<float>(0.46211715726000974));
}

TEST(VectorMath, DivRoundHalfEven) {
  EXPECT_EQ(div_round_half_even(10, 4), 2);    // 2.5
  EXPECT_EQ(div_round_half_even(14, 4), 4);    // 3.5
  EXPECT_EQ(div_round_half_even(-10, 4), -2);  // -2.5
  EXPECT_EQ(div_round_half_even(-14, 4), -4);  // -3.5
  EXPECT_EQ(div_round_half_even(7, 3), 2);     // 2.33
  EXPECT_EQ(div_round_half_even(-8, 3), -3);   // -2.67
  EXPECT_EQ(div_round_half_even(5, 9), 1);     // 0.56
  EXPECT_THROW(div_round_half_even(1, 0), InternalError);
}

TEST(ReferenceVector, Activations) {
  const Tensor xi = ints(DataType::kInt8, {5}, {-128, -1, 0, 5, 127});
  EXPECT_EQ(int_values(reference_layer(act(ActivationFunc::kRelu), {&xi}, nullptr, kNoOpts)),
            (std::vector<int64_t>{0, 0, 0, 5, 127}));
  EXPECT_EQ(int_values(reference_layer(act(ActivationFunc::kRelu6), {&xi}, nullptr, kNoOpts)),
            (std::vector<int64_t>{0, 0, 0, 5, 6}));
  const Tensor xf = floats(DataType::kBf16, {3}, {-1.0f, 1.0f, 8.0f});
  EXPECT_EQ(float_values(reference_layer(act(ActivationFunc::kRelu6), {&xf}, nullptr, kNoOpts)),
            (std::vector<float>{0.0f, 1.0f, 6.0f}));
  const Tensor g = reference_layer(act(ActivationFunc::kGelu), {&xf}, nullptr, kNoOpts);
  EXPECT_EQ(g.dtype, DataType::kBf16);
  EXPECT_EQ(g.get_float(1), round_to(DataType::kBf16, gelu_fp(1.0f)));
  EXPECT_EQ(g.get_float(1), 0.83984375f);  // 0.84119 to 8 significant bits: 215 / 256
}

// Integer data through the quantised path (numeric/quantized.h): int8 q is 16 q-ths in, outputs in
// the function's range. Expected values from Python's math module: softmax of (0, 1, 2) is
// (0.0900, 0.2447, 0.6652), x 256 - 128 rounded; layernorm of (1, 2, 3) is (-1.2247, 0, 1.2247),
// x 16; sigmoid(1) = 0.7311 (x 256 - 128), tanh(1) = 0.7616 (x 128), gelu(1) = 0.8412 (x 16).
TEST(ReferenceVector, IntegerSoftmaxNormsAndActivationsAreQuantised) {
  const Tensor row = ints(DataType::kInt8, {1, 3}, {0, 16, 32});
  const Tensor sm = reference_layer(layer("attn_softmax", LayerKind::kSoftmax), {&row}, nullptr, kNoOpts);
  EXPECT_EQ(sm.get_int(0), -105);
  EXPECT_EQ(sm.get_int(1), -65);
  EXPECT_EQ(sm.get_int(2), 42);
  const Tensor xs = ints(DataType::kInt8, {1, 3}, {16, 32, 48});
  const Tensor ln = reference_layer(layer("ln", LayerKind::kLayerNorm), {&xs}, nullptr, kNoOpts);
  EXPECT_EQ(ln.get_int(0), -20);
  EXPECT_EQ(ln.get_int(1), 0);
  EXPECT_EQ(ln.get_int(2), 20);
  const Tensor one = ints(DataType::kInt8, {1}, {16});
  EXPECT_EQ(reference_layer(act(ActivationFunc::kSigmoid), {&one}, nullptr, kNoOpts).get_int(0), 59);
  EXPECT_EQ(reference_layer(act(ActivationFunc::kTanh), {&one}, nullptr, kNoOpts).get_int(0), 97);
  EXPECT_EQ(reference_layer(act(ActivationFunc::kGelu), {&one}, nullptr, kNoOpts).get_int(0), 13);
  // relu stays an integer function: no quantisation.
  const Tensor big = ints(DataType::kInt8, {2}, {100, -5});
  const Tensor r = reference_layer(act(ActivationFunc::kRelu), {&big}, nullptr, kNoOpts);
  EXPECT_EQ(r.get_int(0), 100);
  EXPECT_EQ(r.get_int(1), 0);
}

TEST(ReferenceVector, AddSaturatesIntsAndRoundsFloats) {
  const Layer l = layer("add", LayerKind::kAdd);
  const Tensor a = ints(DataType::kInt8, {4}, {100, -100, 5, 127});
  const Tensor b = ints(DataType::kInt8, {4}, {100, -100, -7, -127});
  EXPECT_EQ(int_values(reference_layer(l, {&a, &b}, nullptr, kNoOpts)),
            (std::vector<int64_t>{127, -128, -2, 0}));
  // Three inputs: exact sum then one saturation: 100 + 100 - 100 = 100 (not 127 - 100 = 27).
  const Tensor c = ints(DataType::kInt8, {4}, {-100, 0, 0, 0});
  EXPECT_EQ(reference_layer(l, {&a, &b, &c}, nullptr, kNoOpts).get_int(0), 100);
  // fp16: 2048 + 1 = 2049 in fp32, rounded to fp16 (spacing 2, tie) -> 2048.
  const Tensor f = floats(DataType::kFp16, {1}, {2048.0f});
  const Tensor one = floats(DataType::kFp16, {1}, {1.0f});
  EXPECT_EQ(reference_layer(l, {&f, &one}, nullptr, kNoOpts).get_float(0), 2048.0f);
  const Tensor three = floats(DataType::kFp16, {1}, {3.0f});
  EXPECT_EQ(reference_layer(l, {&f, &three}, nullptr, kNoOpts).get_float(0), 2052.0f);  // 2051 -> even 2052
  EXPECT_THROW(reference_layer(l, {&a, &f}, nullptr, kNoOpts), UserError);
}

TEST(VectorMath, ArithmeticStepsAreExactAndNeverTrap) {
  EXPECT_EQ(arith_int(ArithOp::kSub, -100, 100), -200);
  EXPECT_EQ(arith_int(ArithOp::kDiv, 7, 2), 3);
  EXPECT_EQ(arith_int(ArithOp::kDiv, -7, 2), -3);  // truncated toward zero, as ONNX's integer Div
  EXPECT_EQ(arith_int(ArithOp::kDiv, 7, -2), -3);
  EXPECT_EQ(arith_int(ArithOp::kDiv, 5, 0), INT64_MAX);
  EXPECT_EQ(arith_int(ArithOp::kDiv, -5, 0), INT64_MIN);
  EXPECT_EQ(arith_int(ArithOp::kDiv, 0, 0), 0);
  EXPECT_EQ(arith_int(ArithOp::kDiv, INT64_MIN, -1), INT64_MAX);
  EXPECT_EQ(arith_int(ArithOp::kMul, INT64_MAX, 2), INT64_MAX);
  EXPECT_EQ(arith_int(ArithOp::kMul, INT64_MIN, 2), INT64_MIN);
  EXPECT_EQ(arith_fp(ArithOp::kDiv, 1.0f, 3.0f), 1.0f / 3.0f);
  EXPECT_TRUE(std::isinf(arith_fp(ArithOp::kDiv, 1.0f, 0.0f)));
  EXPECT_TRUE(std::isnan(arith_fp(ArithOp::kDiv, 0.0f, 0.0f)));
  EXPECT_STREQ(to_string(ArithOp::kDiv), "div");
}

TEST(ReferenceVector, SubAndDivSaturateAndTruncateIntsAndRoundFloats) {
  const Layer sub = layer("sub", LayerKind{"sub"});
  const Layer div = layer("div", LayerKind{"div"});
  const Tensor a = ints(DataType::kInt8, {5}, {100, -100, 7, -7, 9});
  const Tensor b = ints(DataType::kInt8, {5}, {-100, 100, 2, 2, 0});
  EXPECT_EQ(int_values(reference_layer(sub, {&a, &b}, nullptr, kNoOpts)),
            (std::vector<int64_t>{127, -128, 5, -9, 9}));
  EXPECT_EQ(int_values(reference_layer(div, {&a, &b}, nullptr, kNoOpts)),
            (std::vector<int64_t>{-1, -1, 3, -3, 127}));  // 9 / 0: the largest int8
  // fp16: 1 / 3 in fp32 is 0.333333343, rounded to fp16 0.333251953 (0x3555).
  const Tensor one = floats(DataType::kFp16, {1}, {1.0f});
  const Tensor three = floats(DataType::kFp16, {1}, {3.0f});
  EXPECT_EQ(reference_layer(div, {&one, &three}, nullptr, kNoOpts).get_float(0), 0.333251953125f);
  EXPECT_EQ(reference_layer(sub, {&one, &three}, nullptr, kNoOpts).get_float(0), -2.0f);
  EXPECT_THROW(reference_layer(sub, {&a, &one}, nullptr, kNoOpts), UserError);
  EXPECT_THROW(reference_layer(div, {&a, &b, &b}, nullptr, kNoOpts), UserError);
}

TEST(ReferenceVector, OperandsBroadcastAlongTheirUnitAxes) {
  // scores [2, 3] - a row [3], and divided by a column [2, 1].
  const Tensor scores = ints(DataType::kInt32, {2, 3}, {10, 20, 30, 40, 50, 60});
  const Tensor row = ints(DataType::kInt32, {3}, {1, 2, 3});
  const Tensor col = ints(DataType::kInt32, {2, 1}, {2, -4});
  const Tensor diff = reference_layer(layer("s", LayerKind{"sub"}), {&scores, &row}, nullptr, kNoOpts);
  EXPECT_EQ(diff.shape, (Shape{2, 3}));
  EXPECT_EQ(int_values(diff), (std::vector<int64_t>{9, 18, 27, 39, 48, 57}));
  const Tensor q = reference_layer(layer("d", LayerKind{"div"}), {&scores, &col}, nullptr, kNoOpts);
  EXPECT_EQ(int_values(q), (std::vector<int64_t>{5, 10, 15, -10, -12, -15}));
  // Both operands stretched: [2, 1] + [3] is [2, 3]; three operands fold left to right.
  const Tensor sum = reference_layer(layer("a", LayerKind::kAdd), {&col, &row, &row}, nullptr, kNoOpts);
  EXPECT_EQ(sum.shape, (Shape{2, 3}));
  EXPECT_EQ(int_values(sum), (std::vector<int64_t>{4, 6, 8, -2, 0, 2}));
  const Tensor prod = reference_layer(layer("m", LayerKind{"mul"}), {&row, &col}, nullptr, kNoOpts);
  EXPECT_EQ(int_values(prod), (std::vector<int64_t>{2, 4, 6, -4, -8, -12}));
  const Tensor bad = ints(DataType::kInt32, {2}, {1, 2});
  EXPECT_THROW(reference_layer(layer("s", LayerKind{"sub"}), {&scores, &bad}, nullptr, kNoOpts), UserError);
}

// A tensor's own quantisation (workload `quant`) replaces the fixed ranges: inputs dequantised with
// the producer's, outputs quantised with the layer's. Values worked by hand (docs/numerics.md).
TEST(ReferenceVector, QuantisedFunctionsUseTheTensorsOwnScalesAndZeroPoints) {
  Layer g = act(ActivationFunc::kGelu);
  g.input_quant = {QuantParams{0.02f, 3}};
  g.quant = QuantParams{0.015f, -20};
  // 53 is (53 - 3) x 0.02 = 1.0 (rounded once to fp32); gelu(1) = 0.841192, / 0.015 = 56.08 -> 56,
  // + (-20) = 36. 3 is 0 -> 0 -> -20. Without the parameters 53 reads as 53 / 16 and stays 53.
  const Tensor x = ints(DataType::kInt8, {2}, {53, 3});
  EXPECT_EQ(int_values(reference_layer(g, {&x}, nullptr, kNoOpts)), (std::vector<int64_t>{36, -20}));
  EXPECT_EQ(int_values(reference_layer(act(ActivationFunc::kGelu), {&x}, nullptr, kNoOpts))[0], 53);

  Layer sm = layer("sm", LayerKind::kSoftmax);
  sm.input_quant = {QuantParams{0.02f, 3}};
  sm.quant = QuantParams{1.0f / 256, -128};
  // (0, 1) -> (0.268941, 0.731059) -> x 256 = (68.85, 187.15) -> (69, 187) - 128 = (-59, 59).
  EXPECT_EQ(int_values(reference_layer(sm, {&x}, nullptr, kNoOpts)), (std::vector<int64_t>{59, -59}));
}

PoolAttrs pool(PoolMode mode, int64_t k, int64_t stride, int64_t pad) {
  PoolAttrs p;
  p.mode = mode;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
  return p;
}

TEST(ReferenceVector, PoolWithPaddingExcludedFromCount) {
  // x = [[1, 2], [3, 4]], kernel 2, stride 1, padding 1 -> 3 x 3 windows:
  //   avg (round half to even of sum / valid count): 1/1, 3/2 -> 2, 2/1, 4/2, 10/4 -> 2, 6/2,
  //                                                  3/1, 7/2 -> 4, 4/1
  //   max: 1, 2, 2, 3, 4, 4, 3, 4, 4
  const Tensor x = ints(DataType::kInt8, {1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor avg =
      reference_layer(layer("p", LayerKind::kPool, pool(PoolMode::kAvg, 2, 1, 1)), {&x}, nullptr, kNoOpts);
  EXPECT_EQ(avg.shape, (Shape{1, 1, 3, 3}));
  EXPECT_EQ(int_values(avg), (std::vector<int64_t>{1, 2, 2, 2, 2, 3, 3, 4, 4}));
  const Tensor mx =
      reference_layer(layer("p", LayerKind::kPool, pool(PoolMode::kMax, 2, 1, 1)), {&x}, nullptr, kNoOpts);
  EXPECT_EQ(int_values(mx), (std::vector<int64_t>{1, 2, 2, 3, 4, 4, 3, 4, 4}));
  // Floats: sum / count in fp32: 1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4.
  const Tensor xf = floats(DataType::kFp32, {1, 1, 2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(float_values(reference_layer(layer("p", LayerKind::kPool, pool(PoolMode::kAvg, 2, 1, 1)), {&xf},
                                         nullptr, kNoOpts)),
            (std::vector<float>{1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}));
  // Negative maxima are not replaced by the padding's zero.
  const Tensor neg = ints(DataType::kInt16, {1, 1, 1, 1}, {-9});
  EXPECT_EQ(
      reference_layer(layer("p", LayerKind::kPool, pool(PoolMode::kMax, 3, 1, 1)), {&neg}, nullptr, kNoOpts)
          .get_int(0),
      -9);
}

TEST(ReferenceVector, GlobalAveragePoolAndStride) {
  PoolAttrs g;
  g.mode = PoolMode::kAvg;
  g.global = true;
  // Channel 0: 1..6 sum 21 / 6 = 3.5 -> 4; channel 1: -1..-6 -> -3.5 -> -4.
  const Tensor x = ints(DataType::kInt8, {1, 2, 2, 3}, {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6});
  const Tensor out = reference_layer(layer("gap", LayerKind::kPool, g), {&x}, nullptr, kNoOpts);
  EXPECT_EQ(out.shape, (Shape{1, 2, 1, 1}));
  EXPECT_EQ(int_values(out), (std::vector<int64_t>{4, -4}));
  // Max pool 2 x 2 stride 2 on 4 x 4 (x = 0..15): 5, 7, 13, 15.
  std::vector<int64_t> v(16);
  for (int i = 0; i < 16; ++i) v[static_cast<size_t>(i)] = i;
  const Tensor y = ints(DataType::kInt8, {1, 1, 4, 4}, v);
  EXPECT_EQ(int_values(reference_layer(layer("mp", LayerKind::kPool, pool(PoolMode::kMax, 2, 2, 0)), {&y},
                                       nullptr, kNoOpts)),
            (std::vector<int64_t>{5, 7, 13, 15}));
}

TEST(ReferenceVector, SoftmaxMaxSubtracted) {
  const Layer l = layer("sm", LayerKind::kSoftmax);
  // Rows [1, 2, 3] and [1001, 1002, 1003] give the same result (no overflow after subtracting
  // the max); values from Python: e^(x - 3) / sum.
  const Tensor x = floats(DataType::kFp32, {2, 3}, {1, 2, 3, 1001, 1002, 1003});
  const Tensor y = reference_layer(l, {&x}, nullptr, kNoOpts);
  const float want[] = {static_cast<float>(0.09003057317038046), static_cast<float>(0.24472847105479764),
                        static_cast<float>(0.6652409557748218)};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(y.get_float(i), want[i]) << i;
    EXPECT_EQ(y.get_float(3 + i), want[i]) << i;
  }
  const Tensor xb = floats(DataType::kBf16, {1, 3}, {1, 2, 3});
  const Tensor yb = reference_layer(l, {&xb}, nullptr, kNoOpts);
  EXPECT_EQ(yb.dtype, DataType::kBf16);
  EXPECT_EQ(yb.get_float(2), round_to(DataType::kBf16, want[2]));
}

TEST(ReferenceVector, LayerNormWithoutAffine) {
  // [1, 2, 3, 4]: mean 2.5, variance 1.25, y = (x - 2.5) / sqrt(1.25 + 1e-5) (Python values).
  const Tensor x = floats(DataType::kFp32, {1, 4}, {1, 2, 3, 4});
  const Tensor y = reference_layer(layer("ln", LayerKind::kLayerNorm), {&x}, nullptr, kNoOpts);
  const double want[] = {-1.3416354199689269, -0.447211806656309, 0.447211806656309, 1.3416354199689269};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y.get_float(i), static_cast<float>(want[i])) << i;
  // fp16 output rounds: -1.3416 -> -1.341796875 (fp16 spacing 2^-10 in [1, 2)).
  const Tensor xh = floats(DataType::kFp16, {1, 4}, {1, 2, 3, 4});
  EXPECT_EQ(reference_layer(layer("ln", LayerKind::kLayerNorm), {&xh}, nullptr, kNoOpts).get_float(0),
            -1.341796875f);
}

TEST(ReferenceVector, ReshapeAndTranspose) {
  ReshapeAttrs r;
  r.shape = {-1, 2};
  const Tensor x = ints(DataType::kInt16, {2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor y = reference_layer(layer("r", LayerKind::kReshape, r), {&x}, nullptr, kNoOpts);
  EXPECT_EQ(y.shape, (Shape{3, 2}));
  EXPECT_EQ(y.bytes, x.bytes);
  TransposeAttrs t;
  t.perm = {1, 0};
  const Tensor z = reference_layer(layer("t", LayerKind::kTranspose, t), {&x}, nullptr, kNoOpts);
  EXPECT_EQ(z.shape, (Shape{3, 2}));
  EXPECT_EQ(int_values(z), (std::vector<int64_t>{1, 4, 2, 5, 3, 6}));
  // 3-d: [2, 3, 4] with perm (2, 0, 1): out[k][i][j] = x[i][j][k].
  const Tensor x3 = random_tensor(DataType::kFp16, {2, 3, 4}, 9, "t");
  t.perm = {2, 0, 1};
  const Tensor z3 = reference_layer(layer("t", LayerKind::kTranspose, t), {&x3}, nullptr, kNoOpts);
  ASSERT_EQ(z3.shape, (Shape{4, 2, 3}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k)
        EXPECT_EQ(z3.get_float((k * 2 + i) * 3 + j), x3.get_float((i * 3 + j) * 4 + k));
  t.perm = {0, 0, 1};
  EXPECT_THROW(reference_layer(layer("t", LayerKind::kTranspose, t), {&x3}, nullptr, kNoOpts), UserError);
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

TEST(VectorMath, SiluAndHardSwish) {
  // Values from Python's math module (double), rounded to fp32.
  EXPECT_EQ(silu_fp(1.0f), static_cast<float>(0.7310585786300049));
  EXPECT_EQ(silu_fp(-2.0f), static_cast<float>(-0.2384058440442351));
  EXPECT_EQ(silu_fp(4.5f), static_cast<float>(4.450558758162331));
  EXPECT_EQ(silu_fp(0.0f), 0.0f);
  EXPECT_EQ(hardswish_fp(1.0f), static_cast<float>(0.6666666666666666));
  EXPECT_EQ(hardswish_fp(-1.5f), static_cast<float>(-0.375));
  EXPECT_EQ(hardswish_fp(-3.0f), 0.0f);
  EXPECT_EQ(hardswish_fp(-4.0f), 0.0f);
  EXPECT_EQ(hardswish_fp(3.0f), 3.0f);
  EXPECT_EQ(hardswish_fp(7.0f), 7.0f);
}

TEST(ReferenceVector, SiluAndHardSwishOnFloatsAndQuantisedIntegers) {
  ActivationAttrs a;
  a.func = ActivationFunc::kSilu;
  const Tensor x = floats(DataType::kFp32, {2}, {1.0f, -2.0f});
  const Tensor y = reference_layer(test::layer("s", LayerKind::kActivation, a), {&x}, nullptr, kNoOpts);
  EXPECT_EQ(y.get_float(0), silu_fp(1.0f));
  EXPECT_EQ(y.get_float(1), silu_fp(-2.0f));
  // int8 16 and -32 are 1 and -2; silu gives 0.7311 and -0.2384 (Python), x 16 rounded.
  const Tensor i = ints(DataType::kInt8, {2}, {16, -32});
  const Tensor yi = reference_layer(test::layer("s", LayerKind::kActivation, a), {&i}, nullptr, kNoOpts);
  EXPECT_EQ(yi.get_int(0), 12);
  EXPECT_EQ(yi.get_int(1), -4);
  a.func = ActivationFunc::kHardSwish;  // 1 x 4 / 6 = 0.6667, x 16
  EXPECT_EQ(reference_layer(test::layer("h", LayerKind::kActivation, a), {&i}, nullptr, kNoOpts).get_int(0),
            11);
}

TEST(ReferenceVector, MulSaturatesIntsAndRoundsFloats) {
  const Layer l = test::layer("mul", LayerKind{"mul"});
  const Tensor a = ints(DataType::kInt8, {4}, {100, -100, 5, -3});
  const Tensor b = ints(DataType::kInt8, {4}, {100, 100, -7, -4});
  EXPECT_EQ(int_values(reference_layer(l, {&a, &b}, nullptr, kNoOpts)),
            (std::vector<int64_t>{127, -128, -35, 12}));
  // fp16: 2049 is not representable; 683 * 3 = 2049 in fp32 rounds to even 2048.
  const Tensor f = floats(DataType::kFp16, {1}, {683.0f});
  const Tensor three = floats(DataType::kFp16, {1}, {3.0f});
  EXPECT_EQ(reference_layer(l, {&f, &three}, nullptr, kNoOpts).get_float(0), 2048.0f);
  EXPECT_THROW(reference_layer(l, {&a, &f}, nullptr, kNoOpts), UserError);
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

TEST(VectorMath, RmsNormAndCausalSoftmax) {
  const float x[2] = {3.0f, 4.0f};
  float y[2];
  rmsnorm_fp(x, y, 2);
  const double rms = std::sqrt(12.5 + kRmsNormEps);
  EXPECT_EQ(y[0], static_cast<float>(3.0 / rms));
  EXPECT_EQ(y[1], static_cast<float>(4.0 / rms));
  const float s[3] = {1.0f, 2.0f, 30.0f};
  float p[3];
  softmax_causal_fp(s, p, 3, 2);  // the third key is masked: it does not count even though it is largest
  float q[2];
  softmax_fp(s, q, 2);
  EXPECT_EQ(p[0], q[0]);
  EXPECT_EQ(p[1], q[1]);
  EXPECT_EQ(p[2], 0.0f);
  EXPECT_THROW(softmax_causal_fp(s, p, 3, 0), InternalError);
  EXPECT_THROW(softmax_causal_fp(s, p, 3, 4), InternalError);
}

TEST(ReferenceVector, CausalSoftmaxMasksTheKeysAfterEachQuery) {
  Layer l = load_yaml_network(R"(name: c
dtype: fp32
inputs:
  - {name: s, shape: [2, 2, 3]}
layers:
  - {name: p, type: softmax, causal: true}
)",
                              "c.yaml")
                .layers.at(0);
  // Two queries that are the last two of three positions: query 0 sees keys 0-1, query 1 all three.
  const Tensor s = floats(DataType::kFp32, {2, 2, 3}, {0, 0, 9, 0, 0, 0, 1, 2, 3, 1, 2, 3});
  const Tensor p = reference_layer(l, {&s}, nullptr, kNoOpts);
  EXPECT_EQ(float_values(p),
            (std::vector<float>{0.5f, 0.5f, 0.0f, 1.0f / 3, 1.0f / 3, 1.0f / 3, p.get_float(6),
                                p.get_float(7), 0.0f, p.get_float(9), p.get_float(10), p.get_float(11)}));
  EXPECT_EQ(p.get_float(6) + p.get_float(7), 1.0f);
  EXPECT_GT(p.get_float(7), p.get_float(6));
  EXPECT_GT(p.get_float(11), p.get_float(10));
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

TEST(VectorMath, RotaryRotatesEachPairByItsAngle) {
  const float x[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  float y[4];
  rotary_fp(x, y, 4, 0, 10000.0, false);  // position 0: no rotation
  EXPECT_EQ(std::vector<float>(y, y + 4), std::vector<float>(x, x + 4));
  // Position 1, "rotate_half": pair (0, 2) by 1 rad, pair (1, 3) by 10000^(-1/2) = 0.01 rad.
  rotary_fp(x, y, 4, 1, 10000.0, false);
  EXPECT_EQ(y[0], static_cast<float>(1.0 * std::cos(1.0) - 3.0 * std::sin(1.0)));
  EXPECT_EQ(y[2], static_cast<float>(3.0 * std::cos(1.0) + 1.0 * std::sin(1.0)));
  EXPECT_EQ(y[1], static_cast<float>(2.0 * std::cos(0.01) - 4.0 * std::sin(0.01)));
  EXPECT_EQ(y[3], static_cast<float>(4.0 * std::cos(0.01) + 2.0 * std::sin(0.01)));
  // Interleaved: pairs (0, 1) by 1 rad and (2, 3) by 0.01 rad.
  rotary_fp(x, y, 4, 1, 10000.0, true);
  EXPECT_EQ(y[0], static_cast<float>(1.0 * std::cos(1.0) - 2.0 * std::sin(1.0)));
  EXPECT_EQ(y[1], static_cast<float>(2.0 * std::cos(1.0) + 1.0 * std::sin(1.0)));
  EXPECT_EQ(y[3], static_cast<float>(4.0 * std::cos(0.01) + 3.0 * std::sin(0.01)));
  EXPECT_THROW(rotary_fp(x, y, 3, 1, 10000.0, false), InternalError);
}

TEST(ReferenceVector, RotaryPositionsFollowTheSequenceAxisAndTheOffset) {
  // [B=1, S=3, H=2, d=4] with seq_axis -3 and offset 5: rows (s, h) are at position 5 + s.
  const Layer l = load_yaml_network(R"(name: r
dtype: fp32
inputs:
  - {name: x, shape: [1, 3, 2, 4]}
layers:
  - {name: rope, type: rotary, seq_axis: -3, offset: 5, style: interleaved}
)",
                                    "r.yaml")
                      .layers.at(0);
  std::vector<float> v(24);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 7) - 3.0f;
  const Tensor x = floats(DataType::kFp32, {1, 3, 2, 4}, v);
  const Tensor y = reference_layer(l, {&x}, nullptr, kNoOpts);
  for (int64_t row = 0; row < 6; ++row) {
    float want[4];
    rotary_fp(v.data() + row * 4, want, 4, 5 + row / 2, 10000.0, true);
    for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(y.get_float(row * 4 + i), want[i]) << row << " " << i;
  }
}

}  // namespace
}  // namespace systole
