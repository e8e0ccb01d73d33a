// The ONNX importer on small models built with the protobuf API: each mapping, each fold, and
// what the imported workload computes (shapes and MACs after Systole's own shape inference).
#include <gtest/gtest.h>

#include <cmath>

#include "model_builder.h"
#include "systole/common/error.h"
#include "systole/onnx/importer.h"
#include "systole/workload/layer_attrs.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

using onnx_test::float_attr;
using onnx_test::int_attr;
using onnx_test::ints_attr;
using onnx_test::ModelBuilder;
using onnx_test::string_attr;

struct Imported {
  onnx_import::ImportResult result;
  Network net;
};

Imported import(const ModelBuilder& b, const onnx_import::ImportOptions& o = {}) {
  Imported i;
  i.result = onnx_import::import_onnx_bytes(b.bytes(), "m.onnx", o);
  i.net = load_yaml_network(i.result.yaml, "m.onnx");
  return i;
}

std::vector<std::string> kinds(const Network& n) {
  std::vector<std::string> out;
  for (const Layer& l : n.layers) out.push_back(l.kind.name());
  return out;
}

TEST(OnnxImport, ConvWithBiasBatchNormAndReluBecomesConvAndRelu) {
  ModelBuilder b;
  b.input("x", {1, 3, 32, 32})
      .weight("w", {16, 3, 3, 3})
      .weight("bias", {16})
      .weight("g", {16})
      .weight("beta", {16})
      .weight("mu", {16})
      .weight("var", {16})
      .node("Conv", {"x", "w", "bias"}, {"c"},
            {ints_attr("pads", {1, 1, 1, 1}), ints_attr("strides", {2, 2})}, "/layer1/layer1.0/conv1/Conv")
      .node("BatchNormalization", {"c", "g", "beta", "mu", "var"}, {"bn"})
      .node("Relu", {"bn"}, {"y"})
      .output("y");
  const Imported i = import(b);
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"conv2d", "activation"}));
  const Layer& conv = i.net.layers[0];
  EXPECT_EQ(conv.name, "layer1.0.conv1.Conv");  // the module path, cumulative segments dropped
  EXPECT_EQ(conv.output_shape, (Shape{1, 16, 16, 16}));
  EXPECT_EQ(conv.macs, 16 * 16 * 16 * 3 * 9);
  EXPECT_EQ(conv.weight_elements, 16 * 3 * 9);
  EXPECT_EQ(i.net.layers[1].inputs, std::vector<std::string>{conv.name});  // the batch norm is folded away
  EXPECT_EQ(i.result.folded_nodes, 1);  // the batch norm (a bias is an input, not a node)
  EXPECT_EQ(i.result.placeholders, 0);
}

TEST(OnnxImport, ConvAsymmetricPadsDilationsAndGroups) {
  ModelBuilder b;
  b.input("x", {1, 4, 20, 20})
      .weight("w", {8, 2, 3, 3})
      .node("Conv", {"x", "w"}, {"y"},
            {ints_attr("pads", {0, 1, 2, 3}), ints_attr("dilations", {2, 2}), int_attr("group", 2)})
      .output("y");
  const Imported i = import(b);
  ASSERT_EQ(i.net.layers.size(), 1u);
  const auto& a = i.net.layers[0].as<Conv2dAttrs>();
  // ONNX pads are [top, left, bottom, right].
  EXPECT_EQ(std::vector<int64_t>({a.pad_top, a.pad_left, a.pad_bottom, a.pad_right}),
            std::vector<int64_t>({0, 1, 2, 3}));
  EXPECT_EQ(a.dilation_h, 2);
  EXPECT_EQ(a.groups, 2);
  EXPECT_EQ(i.net.layers[0].output_shape, (Shape{1, 8, 18, 20}));  // (20+2-5)+1, (20+4-5)+1
}

TEST(OnnxImport, AutoPadSameUpperAndLowerPutTheOddUnitOnOppositeSides) {
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
    ModelBuilder b;
    b.input("x", {1, 2, 8, 8})
        .weight("w", {2, 2, 4, 4})
        .node("Conv", {"x", "w"}, {"y"}, {string_attr("auto_pad", mode)})
        .output("y");
    const Imported i = import(b);
    const auto& a = i.net.layers[0].as<Conv2dAttrs>();
    const bool upper = std::string(mode) == "SAME_UPPER";
    EXPECT_EQ(a.pad_top, upper ? 1 : 2) << mode;
    EXPECT_EQ(a.pad_bottom, upper ? 2 : 1) << mode;
    EXPECT_EQ(i.net.layers[0].output_shape, (Shape{1, 2, 8, 8})) << mode;
  }
}

TEST(OnnxImport, Conv1dRunsAsA2dConvolutionBetweenReshapes) {
  ModelBuilder b;
  b.input("x", {1, 4, 20})
      .weight("w", {8, 4, 3})
      .node("Conv", {"x", "w"}, {"y"}, {ints_attr("pads", {1, 0})})
      .output("y");
  const Imported i = import(b);
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"reshape", "conv2d", "reshape"}));
  EXPECT_EQ(i.net.layers[1].output_shape, (Shape{1, 8, 1, 19}));
  EXPECT_EQ(i.net.layers[2].output_shape, (Shape{1, 8, 19}));
  EXPECT_EQ(i.net.total_macs(), 8 * 19 * 4 * 3);
}

TEST(OnnxImport, PoolCeilModeBecomesExtraEndPadding) {
  ModelBuilder b;
  b.input("x", {1, 2, 8, 8})
      .node("MaxPool", {"x"}, {"y"},
            {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}), int_attr("ceil_mode", 1)})
      .output("y");
  const Imported i = import(b);
  const Layer& p = i.net.layers[0];
  EXPECT_EQ(p.output_shape, (Shape{1, 2, 4, 4}));  // ceil((8 - 3) / 2) + 1; floor mode gives 3
  EXPECT_EQ(p.as<PoolAttrs>().pad_bottom, 1);
  EXPECT_EQ(p.as<PoolAttrs>().pad_top, 0);
}

TEST(OnnxImport, GlobalAveragePoolFlattenGemm) {
  ModelBuilder b;
  b.input("x", {1, 64, 7, 7})
      .weight("w", {10, 64})
      .weight("c", {10})
      .node("GlobalAveragePool", {"x"}, {"p"})
      .node("Flatten", {"p"}, {"f"})
      .node("Gemm", {"f", "w", "c"}, {"y"}, {int_attr("transB", 1)})
      .output("y");
  const Imported i = import(b);
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"pool", "reshape", "matmul"}));
  EXPECT_TRUE(i.net.layers[0].as<PoolAttrs>().global);
  EXPECT_EQ(i.net.layers[1].output_shape, (Shape{1, 64}));
  EXPECT_EQ(i.net.layers[2].as<MatmulAttrs>().out_features, 10);
  EXPECT_EQ(i.net.total_macs(), 64 * 10);
}

TEST(OnnxImport, MatMulOfTwoActivationsBroadcastsBatchAxes) {
  ModelBuilder b;
  b.input("a", {2, 4, 8, 16}).input("b", {1, 4, 16, 8}).node("MatMul", {"a", "b"}, {"y"}).output("y");
  const Imported i = import(b);
  ASSERT_EQ(i.net.layers.size(), 1u);
  EXPECT_EQ(i.net.layers[0].inputs.size(), 2u);
  EXPECT_EQ(i.net.layers[0].output_shape, (Shape{2, 4, 8, 8}));
  EXPECT_EQ(i.net.total_macs(), 2 * 4 * 8 * 8 * 16);
}

TEST(OnnxImport, MatMulWithAConstantIsAFullyConnectedLayerAndItsBiasFolds) {
  ModelBuilder b;
  b.input("x", {1, 128, 768})
      .weight("w", {768, 3072})
      .weight("bias", {3072})
      .node("MatMul", {"x", "w"}, {"m"})
      .node("Add", {"bias", "m"}, {"y"})
      .output("y");
  const Imported i = import(b);
  ASSERT_EQ(kinds(i.net), std::vector<std::string>{"matmul"});
  EXPECT_EQ(i.net.total_macs(), 128LL * 768 * 3072);
  EXPECT_EQ(i.result.folded_nodes, 1);
}

// PyTorch's nn.GELU: x / sqrt(2) -> Erf -> + 1 -> * x -> * 0.5.
ModelBuilder erf_gelu(float one) {
  ModelBuilder b;
  b.input("x", {1, 16, 64})
      .weight("w", {64, 64})
      .floats("sqrt2", {}, {1.4142135f})
      .floats("one", {}, {one})
      .floats("half", {}, {0.5f})
      .node("MatMul", {"x", "w"}, {"m"})
      .node("Div", {"m", "sqrt2"}, {"d"}, {}, "/act/Div")
      .node("Erf", {"d"}, {"e"}, {}, "/act/Erf")
      .node("Add", {"e", "one"}, {"a"}, {}, "/act/Add")
      .node("Mul", {"m", "a"}, {"p"}, {}, "/act/Mul")
      .node("Mul", {"p", "half"}, {"y"}, {}, "/act/Mul_1")
      .output("y");
  return b;
}

TEST(OnnxImport, ErfSpelledGeluIsOneGeluLayer) {
  const Imported i = import(erf_gelu(1.0f));
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"matmul", "activation"}));
  EXPECT_EQ(i.net.layers[1].as<ActivationAttrs>().func, ActivationFunc::kGelu);
  EXPECT_EQ(i.net.layers[1].name, "act.Gelu");
}

TEST(OnnxImport, ANearMissOfTheGeluPatternIsNotTakenForGelu) {
  try {
    import(erf_gelu(2.0f));  // x (1 + erf) would be a different function
    FAIL() << "expected a WorkloadError";
  } catch (const WorkloadError& e) {
    EXPECT_NE(std::string(e.what()).find("node '/act/Div' (Div, opset 17)"), std::string::npos) << e.what();
  }
}

TEST(OnnxImport, ShapeSubgraphsFoldOnceTheInputDimsAreSet) {
  // Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): PyTorch's x.view(x.size(0), -1).
  ModelBuilder b;
  b.input("x", {"batch", 3, 4, 4})
      .ints("zero", {}, {0})
      .ints("axes", {1}, {0})
      .ints("minus1", {1}, {-1})
      .node("Shape", {"x"}, {"s"})
      .node("Gather", {"s", "zero"}, {"n"})
      .node("Unsqueeze", {"n", "axes"}, {"n1"})
      .node("Concat", {"n1", "minus1"}, {"shape"}, {int_attr("axis", 0)})
      .node("Reshape", {"x", "shape"}, {"y"})
      .node("Relu", {"y"}, {"z"})
      .output("z");
  onnx_import::ImportOptions o;
  o.dims["batch"] = 2;
  const Imported i = import(b, o);
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"reshape", "activation"}));
  EXPECT_EQ(i.net.inputs[0].shape, (Shape{2, 3, 4, 4}));
  EXPECT_EQ(i.net.layers[0].output_shape, (Shape{2, 48}));
  EXPECT_EQ(i.result.folded_nodes, 4);
}

TEST(OnnxImport, SliceAndGatherAtConstantIndicesAreSplits) {
  ModelBuilder b;
  b.input("x", {1, 10, 8})
      .ints("starts", {1}, {2})
      .ints("ends", {1}, {7})
      .ints("axes", {1}, {1})
      .ints("three", {}, {3})
      .node("Slice", {"x", "starts", "ends", "axes"}, {"s"})
      .node("Gather", {"x", "three"}, {"g"}, {int_attr("axis", 1)})
      .node("Relu", {"s"}, {"rs"})
      .node("Relu", {"g"}, {"rg"})
      .output("rs")
      .output("rg");
  const Imported i = import(b);
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"split", "split", "split", "split", "split", "split",
                                                    "reshape", "activation", "activation"}));
  // The slice: parts [2, 5, 3] along axis 1, the middle one read.
  EXPECT_EQ(i.net.layers[1].output_shape, (Shape{1, 5, 8}));
  EXPECT_EQ(i.net.layers[7].inputs, std::vector<std::string>{i.net.layers[1].name});
  // The gather: parts [3, 1, 6], the middle one reshaped without the axis.
  EXPECT_EQ(i.net.layers[6].output_shape, (Shape{1, 8}));
  EXPECT_EQ(i.net.layers[8].output_shape, (Shape{1, 8}));
}

TEST(OnnxImport, GatherFromATableIsAnEmbeddingLookupOfAnInt32Input) {
  ModelBuilder b;
  b.input("ids", {1, 16}, onnx::TensorProto::INT64)
      .weight("table", {1000, 64})
      .node("Gather", {"table", "ids"}, {"e"})
      .output("e");
  const Imported i = import(b);
  ASSERT_EQ(kinds(i.net), std::vector<std::string>{"gather"});
  EXPECT_EQ(i.net.inputs[0].dtype, DataType::kInt32);
  EXPECT_EQ(i.net.layers[0].output_shape, (Shape{1, 16, 64}));
  EXPECT_EQ(i.net.layers[0].weight_elements, 64000);
}

TEST(OnnxImport, SplitConcatAndResize) {
  ModelBuilder b;
  b.input("x", {1, 6, 8, 8})
      .ints("split", {2}, {2, 4})
      .floats("scales", {4}, {1, 1, 2, 2})
      .node("Split", {"x", "split"}, {"a", "b"}, {int_attr("axis", 1)})
      .node("Concat", {"b", "a"}, {"c"}, {int_attr("axis", 1)})
      .node("Resize", {"c", "", "scales"}, {"y"}, {string_attr("mode", "nearest")})
      .output("y");
  const Imported i = import(b);
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"split", "split", "concat", "resize"}));
  EXPECT_EQ(i.net.layers[2].inputs, (std::vector<std::string>{i.net.layers[1].name, i.net.layers[0].name}));
  EXPECT_EQ(i.net.layers[3].output_shape, (Shape{1, 6, 16, 16}));
  EXPECT_TRUE(i.result.warnings.empty());
}

TEST(OnnxImport, ClipToZeroSixIsRelu6AndOtherBoundsAreRefused) {
  ModelBuilder b;
  b.input("x", {1, 8})
      .floats("lo", {}, {0})
      .floats("hi", {}, {6})
      .node("Clip", {"x", "lo", "hi"}, {"y"})
      .output("y");
  EXPECT_EQ(import(b).net.layers[0].as<ActivationAttrs>().func, ActivationFunc::kRelu6);
  ModelBuilder odd;
  odd.input("x", {1, 8})
      .floats("lo", {}, {-1})
      .floats("hi", {}, {1})
      .node("Clip", {"x", "lo", "hi"}, {"y"})
      .output("y");
  EXPECT_THROW(import(odd), WorkloadError);
}

TEST(OnnxImport, SoftmaxAndLayerNormOverTheLastAxisOnly) {
  ModelBuilder b;
  b.input("x", {1, 4, 8})
      .weight("g", {8})
      .weight("beta", {8})
      .node("Softmax", {"x"}, {"s"}, {int_attr("axis", -1)})
      .node("LayerNormalization", {"s", "g", "beta"}, {"y"})
      .output("y");
  EXPECT_EQ(kinds(import(b).net), (std::vector<std::string>{"softmax", "layernorm"}));
  ModelBuilder wrong;
  wrong.input("x", {1, 4, 8}).node("Softmax", {"x"}, {"y"}, {int_attr("axis", 1)}).output("y");
  try {
    import(wrong);
    FAIL() << "expected a WorkloadError";
  } catch (const WorkloadError& e) {
    EXPECT_NE(std::string(e.what()).find("Softmax over axis 1 of [1, 4, 8]"), std::string::npos) << e.what();
  }
}

ModelBuilder with_unsupported_op() {
  ModelBuilder b;
  b.input("x", {1, 8, 4, 4})
      .weight("w", {8, 8, 1, 1})
      .node("Conv", {"x", "w"}, {"c"})
      .node("Sin", {"c"}, {"s"}, {}, "/odd/Sin")
      .node("Conv", {"s", "w"}, {"y"})
      .output("y");
  return b;
}

TEST(OnnxImport, AnUnsupportedOperatorNamesTheNodeTheOpsetAndTheSupportedList) {
  try {
    import(with_unsupported_op());
    FAIL() << "expected a WorkloadError";
  } catch (const WorkloadError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("m.onnx: node '/odd/Sin' (Sin, opset 17) = 'Sin': operator not supported"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("supported operators: "), std::string::npos) << m;
    EXPECT_NE(m.find("Conv"), std::string::npos) << m;
    EXPECT_NE(m.find("--skip-unsupported"), std::string::npos) << m;
  }
}

TEST(OnnxImport, SkipUnsupportedImportsAZeroCostPlaceholder) {
  onnx_import::ImportOptions o;
  o.skip_unsupported = true;
  const Imported i = import(with_unsupported_op(), o);
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"conv2d", "placeholder", "conv2d"}));
  const Layer& p = i.net.layers[1];
  EXPECT_EQ(p.output_shape, (Shape{1, 8, 4, 4}));
  EXPECT_EQ(p.macs, 0);
  EXPECT_EQ(p.vector_ops, 0);
  EXPECT_EQ(i.result.placeholders, 1);
  ASSERT_EQ(i.result.warnings.size(), 1u);
  EXPECT_NE(i.result.warnings[0].find("node '/odd/Sin' (Sin, opset 17)"), std::string::npos);
  EXPECT_EQ(i.net.total_macs(), 2 * 16 * 8 * 8);
}

TEST(OnnxImport, TheSameModelGivesTheSameText) {
  const auto a = onnx_import::import_onnx_bytes(erf_gelu(1.0f).bytes(), "m.onnx", {});
  const auto b = onnx_import::import_onnx_bytes(erf_gelu(1.0f).bytes(), "m.onnx", {});
  EXPECT_EQ(a.yaml, b.yaml);
  EXPECT_EQ(a.yaml.rfind(onnx_import::kImportedHeader, 0), 0u);
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

TEST(OnnxImport, SigmoidTimesItsInputIsSiluAndMulOfTwoTensorsIsMul) {
  // SwiGLU: silu(x W_gate) * (x W_up).
  ModelBuilder b;
  b.input("x", {1, 8, 32})
      .weight("wg", {32, 64})
      .weight("wu", {32, 64})
      .node("MatMul", {"x", "wg"}, {"g"}, {}, "/mlp/gate/MatMul")
      .node("Sigmoid", {"g"}, {"s"}, {}, "/mlp/act/Sigmoid")
      .node("Mul", {"g", "s"}, {"a"}, {}, "/mlp/act/Mul")
      .node("MatMul", {"x", "wu"}, {"u"}, {}, "/mlp/up/MatMul")
      .node("Mul", {"a", "u"}, {"y"}, {}, "/mlp/Mul")
      .output("y");
  const Imported i = import(b);
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"matmul", "activation", "matmul", "mul"}));
  EXPECT_EQ(i.net.layers[1].as<ActivationAttrs>().func, ActivationFunc::kSilu);
  EXPECT_EQ(i.net.layers[1].name, "mlp.act.Silu");
  EXPECT_EQ(i.net.layers[3].vector_ops, 8 * 64);
}

TEST(OnnxImport, ArithmeticOfTwoTensorsBroadcastsAsOnnxDoes) {
  // An additive attention mask [B, 1, 1, S] on scores [B, H, S, S], scaled by a per-query tensor.
  ModelBuilder b;
  b.input("scores", {2, 4, 8, 8})
      .input("mask", {2, 1, 1, 8})
      .input("temp", {8, 1})
      .node("Sub", {"scores", "mask"}, {"masked"}, {}, "/attn/Sub")
      .node("Div", {"masked", "temp"}, {"scaled"}, {}, "/attn/Div")
      .node("Add", {"scaled", "mask"}, {"biased"}, {}, "/attn/Add")
      .node("Mul", {"temp", "biased"}, {"y"}, {}, "/attn/Mul")
      .output("y");
  const Imported i = import(b);
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"sub", "div", "add", "mul"}));
  for (const Layer& l : i.net.layers) {
    EXPECT_EQ(l.output_shape, (Shape{2, 4, 8, 8})) << l.name;
    EXPECT_EQ(l.vector_ops, (l.kind == LayerKind{"div"} ? 2 : 1) * 2 * 4 * 8 * 8)
        << l.name;  // div: 2 per element
  }
  EXPECT_EQ(i.net.layers[1].name, "attn.Div");
  EXPECT_EQ(i.net.layers[3].inputs, (std::vector<std::string>{"temp", "attn.Add"}));
}

TEST(OnnxImport, ASigmoidReadByAnythingElseStaysASigmoid) {
  ModelBuilder b;
  b.input("x", {1, 8})
      .node("Sigmoid", {"x"}, {"s"})
      .node("Mul", {"x", "s"}, {"y"})
      .node("Relu", {"s"}, {"z"})
      .output("y")
      .output("z");
  const Imported i = import(b);
  ASSERT_EQ(kinds(i.net), (std::vector<std::string>{"activation", "mul", "activation"}));
  EXPECT_EQ(i.net.layers[0].as<ActivationAttrs>().func, ActivationFunc::kSigmoid);
}

TEST(OnnxImport, HardSwish) {
  ModelBuilder b(14);
  b.input("x", {1, 16, 8, 8}).node("HardSwish", {"x"}, {"y"}).output("y");
  EXPECT_EQ(import(b).net.layers[0].as<ActivationAttrs>().func, ActivationFunc::kHardSwish);
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

// LayerNorm as exporters before opset 17 spell it, over the last axis of [1, 4, 16].
ModelBuilder decomposed_layernorm(float exponent, bool affine) {
  ModelBuilder b(13);
  b.input("x", {1, 4, 16})
      .floats("two", {}, {exponent})
      .floats("eps", {}, {1e-5f})
      .weight("gamma", {16})
      .weight("beta", {16})
      .node("ReduceMean", {"x"}, {"m"}, {ints_attr("axes", {-1})}, "/ln/ReduceMean")
      .node("Sub", {"x", "m"}, {"d"}, {}, "/ln/Sub")
      .node("Pow", {"d", "two"}, {"p"}, {}, "/ln/Pow")
      .node("ReduceMean", {"p"}, {"v"}, {ints_attr("axes", {-1})}, "/ln/ReduceMean_1")
      .node("Add", {"v", "eps"}, {"ve"}, {}, "/ln/Add")
      .node("Sqrt", {"ve"}, {"s"}, {}, "/ln/Sqrt")
      .node("Div", {"d", "s"}, {"n"}, {}, "/ln/Div");
  if (affine) {
    b.node("Mul", {"n", "gamma"}, {"g"}, {}, "/ln/Mul")
        .node("Add", {"g", "beta"}, {"y"}, {}, "/ln/Add_1")
        .output("y");
  } else {
    b.output("n");
  }
  return b;
}

TEST(OnnxImport, DecomposedLayerNormIsOneLayerNorm) {
  for (bool affine : {true, false}) {
    const Imported i = import(decomposed_layernorm(2.0f, affine));
    ASSERT_EQ(kinds(i.net), std::vector<std::string>{"layernorm"}) << affine;
    EXPECT_EQ(i.net.layers[0].name, "ln.LayerNormalization");
    EXPECT_EQ(i.net.layers[0].output_shape, (Shape{1, 4, 16}));
    EXPECT_EQ(i.result.outputs.at(0).second, "ln.LayerNormalization");
  }
}

TEST(OnnxImport, ANearMissOfTheLayerNormPatternIsRefused) {
  try {
    import(decomposed_layernorm(3.0f, true));  // a third central moment is not a variance
    FAIL() << "expected a WorkloadError";
  } catch (const WorkloadError& e) {
    EXPECT_NE(
        std::string(e.what()).find("node '/ln/ReduceMean' (ReduceMean, opset 13) = 'ReduceMean': ReduceMean "
                                   "outside the decomposed LayerNorm pattern"),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace systole
