// The model's weights (initializers with data) read by the importer for a float arch: in Systole's
// layouts (conv [oc][C/g][kh][kw], matmul [K][N]), a folded BatchNormalization's scale applied,
// converted to the arch's weight format; left out, with a warning, where the import cannot follow
// them (an integer arch, a folded Mul, batch-norm parameters without data).
#include <cmath>

#include <gtest/gtest.h>

#include "model_builder.h"
#include "systole/common/error.h"
#include "systole/onnx/importer.h"

namespace systole {
namespace {

using onnx_test::float_attr;
using onnx_test::int_attr;
using onnx_test::ModelBuilder;

onnx_import::ImportResult import(const ModelBuilder& b, DataType weights) {
  onnx_import::ImportOptions o;
  o.dtype = weights;
  o.weight_type = weights;
  return onnx_import::import_onnx_bytes(b.bytes(), "w.onnx", o);
}

bool warned(const onnx_import::ImportResult& r, const std::string& text) {
  for (const std::string& w : r.warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

// A 1x1 convolution, 2 input and 3 output channels, then a batch norm.
ModelBuilder conv_bn(bool bn_data) {
  ModelBuilder b;
  b.input("x", {1, 2, 4, 4}).output("y");
  b.floats("w", {3, 2, 1, 1}, {1, 2, 3, 4, 5, 6});
  if (bn_data) {
    b.floats("gamma", {3}, {2, 1, 0.5f}).floats("beta", {3}, {0, 0, 0});
    b.floats("mean", {3}, {0, 0, 0}).floats("var", {3}, {3, 0, 15});
  } else {
    b.weight("gamma", {3}).weight("beta", {3}).weight("mean", {3}).weight("var", {3});
  }
  b.node("Conv", {"x", "w"}, {"c"})
      .node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"},
            {float_attr("epsilon", 1.0f)});
  return b;
}

TEST(OnnxWeights, ConvWeightsTakeTheFoldedBatchNormScale) {
  const auto r = import(conv_bn(true), DataType::kFp32);
  ASSERT_EQ(r.weights.size(), 1u);
  const Tensor& w = r.weights.begin()->second;
  EXPECT_EQ(w.dtype, DataType::kFp32);
  EXPECT_EQ(w.shape, (Shape{3, 2, 1, 1}));
  // Output channel m scaled by gamma / sqrt(var + 1): 2 / 2, 1 / 1, 0.5 / 4.
  const float expected[] = {1, 2, 3, 4, 5 * 0.125f, 6 * 0.125f};
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(w.get_float(i), expected[i]) << i;
}

TEST(OnnxWeights, ABatchNormWithoutDataLeavesTheWeightsOutWithAWarning) {
  const auto r = import(conv_bn(false), DataType::kFp32);
  EXPECT_TRUE(r.weights.empty());
  EXPECT_TRUE(warned(r, "scale or variance has no data")) << r.warnings.size();
}

TEST(OnnxWeights, GemmWithTransBIsStoredAsKByN) {
  ModelBuilder b;
  b.input("x", {2, 3}).output("y");
  b.floats("B", {2, 3}, {1, 2, 3, 4, 5, 6});  // [N = 2, K = 3]
  b.node("Gemm", {"x", "B"}, {"y"}, {int_attr("transB", 1)});
  const auto r = import(b, DataType::kFp32);
  ASSERT_EQ(r.weights.size(), 1u);
  const Tensor& w = r.weights.begin()->second;
  EXPECT_EQ(w.shape, (Shape{3, 2}));
  const float kn[] = {1, 4, 2, 5, 3, 6};  // B transposed
  for (int i = 0; i < 6; ++i) EXPECT_EQ(w.get_float(i), kn[i]) << i;
}

// Weights whose reduction length is not the input's were imported without a check before: the
// layer took its K from the input (docs/fuzzing.md #17).
TEST(OnnxWeights, GemmAndMatMulWeightsThatDoNotFitTheInputAreRefused) {
  ModelBuilder gemm;
  gemm.input("x", {2, 4}).output("y").floats("B", {5, 9}, std::vector<float>(45, 1.0f));
  gemm.node("Gemm", {"x", "B"}, {"y"}, {int_attr("transB", 1)});
  try {
    import(gemm, DataType::kFp32);
    ADD_FAILURE() << "accepted";
  } catch (const WorkloadError& e) {
    EXPECT_NE(std::string(e.what()).find("Gemm weights [5, 9] (transB) do not fit input [2, 4]"),
              std::string::npos)
        << e.what();
  }
  ModelBuilder matmul;
  matmul.input("x", {2, 4}).output("y").weight("W", {3, 5});
  matmul.node("MatMul", {"x", "W"}, {"y"});
  EXPECT_THROW(import(matmul, DataType::kInt8), WorkloadError);
}

TEST(OnnxWeights, MatMulWeightsAreRoundedToTheArchsFormat) {
  ModelBuilder b;
  b.input("x", {1, 2}).output("y");
  b.floats("W", {2, 2}, {1.0f, 0.1f, -2.5f, 1e-8f});
  b.node("MatMul", {"x", "W"}, {"y"});
  const auto r = import(b, DataType::kFp16);
  ASSERT_EQ(r.weights.size(), 1u);
  const Tensor& w = r.weights.begin()->second;
  EXPECT_EQ(w.dtype, DataType::kFp16);
  EXPECT_EQ(w.get_float(0), 1.0f);
  EXPECT_EQ(w.get_float(1), round_to(DataType::kFp16, 0.1f));
  EXPECT_EQ(w.get_float(2), -2.5f);
  EXPECT_EQ(w.get_float(3), 0.0f);  // below fp16's smallest subnormal
}

TEST(OnnxWeights, AnIntegerArchAndAFoldedScaleLeaveThemOutWithAWarning) {
  const auto ints = import(conv_bn(true), DataType::kInt8);
  EXPECT_TRUE(ints.weights.empty());
  EXPECT_TRUE(warned(ints, "the model's weights are not used: the arch's weights are int8"));
  ModelBuilder b;
  b.input("x", {1, 2, 4, 4}).output("y");
  b.floats("w", {3, 2, 1, 1}, {1, 2, 3, 4, 5, 6}).floats("s", {1, 3, 1, 1}, {1, 2, 3});
  b.node("Conv", {"x", "w"}, {"c"}).node("Mul", {"c", "s"}, {"y"});
  const auto scaled = import(b, DataType::kFp32);
  EXPECT_TRUE(scaled.weights.empty());
  EXPECT_TRUE(warned(scaled, "a Mul by a constant folded into its output scale"));
}

TEST(OnnxWeights, AStrippedModelHasNoneAndNoWarning) {
  ModelBuilder b;
  b.input("x", {1, 2, 4, 4}).output("y").weight("w", {3, 2, 1, 1});
  b.node("Conv", {"x", "w"}, {"y"});
  for (DataType t : {DataType::kFp32, DataType::kInt8}) {
    const auto r = import(b, t);
    EXPECT_TRUE(r.weights.empty());
    EXPECT_TRUE(r.warnings.empty());
  }
}

}  // namespace
}  // namespace systole
