// The YAML workload reader: every attribute spelling, defaults, and error collection.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

Network load(const std::string& text) {
  return load_yaml_network(text, "mem.yaml");
}

TEST(YamlLoader, ReadsEveryAttributeForm) {
  const Network net = load(R"(# a comment
name: tiny
source: "hand written"
dtype: int16
inputs:
  - {name: image, shape: [1, 4, 16, 16]}
  - {name: other, shape: [1, 8, 8, 8], dtype: fp16}
layers:
  - {name: c1, type: conv2d, input: image, out_channels: 8, kernel: [3, 5], padding: [1, 2]}
  - {name: c2, type: conv2d, out_channels: 8, kernel: 3, stride: [2, 1], padding: [0, 1, 1, 1]}
  - {name: c3, type: conv2d, out_channels: 8, kernel: 3, stride: 2, padding: same, groups: 8}
  - {name: c4, type: conv2d, input: c1, out_channels: 4, kernel: 3, dilation: 2, padding: valid}
  - {name: p1, type: pool, mode: avg, kernel: 2}
  - {name: g, type: pool, mode: max, global: true, input: other}
  - {name: flat, type: reshape, shape: [1, -1]}
  - {name: fc1, type: fc, out_features: 10}
  - {name: r, type: relu}
  - {name: a, type: activation, function: relu6}
  - {name: sum, type: add, inputs: [r, a]}
  - {name: gm, type: gemm, out_features: 3, transpose_b: true}
  - {name: sm, type: softmax}
  - {name: ln, type: layernorm}
  - {name: mm, type: matmul, inputs: [ln, ln], transpose_b: true}
  - {name: t, type: transpose, perm: [1, 0]}
)");
  EXPECT_EQ(net.name, "tiny");
  EXPECT_EQ(net.source, "hand written");
  EXPECT_EQ(net.source_path, "mem.yaml");
  ASSERT_EQ(net.inputs.size(), 2u);
  EXPECT_EQ(net.inputs[0].dtype, DataType::kInt16);  // the top-level default
  EXPECT_EQ(net.inputs[1].dtype, DataType::kFp16);
  ASSERT_EQ(net.layers.size(), 16u);

  const Layer& c1 = net.layers[0];
  EXPECT_EQ(c1.inputs, (std::vector<std::string>{"image"}));
  EXPECT_EQ(c1.source_line, 9);
  EXPECT_EQ(c1.as<Conv2dAttrs>().kernel_w, 5);
  EXPECT_EQ(c1.as<Conv2dAttrs>().pad_left, 2);
  EXPECT_EQ(c1.output_shape, (Shape{1, 8, 16, 16}));  // 16 + 2 - 3 + 1, 16 + 4 - 5 + 1
  const auto& c2 = net.layers[1].as<Conv2dAttrs>();
  EXPECT_EQ(net.layers[1].inputs, (std::vector<std::string>{"c1"}));  // previous layer
  EXPECT_EQ(c2.stride_h, 2);
  EXPECT_EQ(c2.stride_w, 1);
  EXPECT_EQ(c2.pad_top, 0);
  EXPECT_EQ(c2.pad_bottom, 1);
  EXPECT_EQ(net.layers[1].output_shape, (Shape{1, 8, 8, 16}));  // (16+1-3)/2+1, 16+2-3+1
  EXPECT_TRUE(net.layers[2].as<Conv2dAttrs>().same_padding);
  EXPECT_EQ(net.layers[2].output_shape, (Shape{1, 8, 4, 8}));
  EXPECT_EQ(net.layers[2].as<Conv2dAttrs>().groups, 8);
  EXPECT_EQ(net.layers[3].output_shape, (Shape{1, 4, 12, 12}));  // 16 - 5 + 1
  EXPECT_EQ(net.layers[4].output_shape, (Shape{1, 4, 6, 6}));    // stride defaults to the kernel
  EXPECT_EQ(net.layers[4].as<PoolAttrs>().mode, PoolMode::kAvg);
  EXPECT_EQ(net.layers[5].output_shape, (Shape{1, 8, 1, 1}));
  EXPECT_EQ(net.layers[5].dtype, DataType::kFp16);
  EXPECT_EQ(net.layers[6].output_shape, (Shape{1, 8}));
  EXPECT_EQ(net.layers[7].kind, LayerKind::kMatmul);
  EXPECT_EQ(net.layers[8].as<ActivationAttrs>().func, ActivationFunc::kRelu);
  EXPECT_EQ(net.layers[9].as<ActivationAttrs>().func, ActivationFunc::kRelu6);
  EXPECT_EQ(net.layers[10].inputs, (std::vector<std::string>{"r", "a"}));
  EXPECT_TRUE(net.layers[11].as<MatmulAttrs>().transpose_b);
  EXPECT_EQ(net.layers[14].output_shape, (Shape{1, 1}));
  EXPECT_EQ(net.layers[15].output_shape, (Shape{1, 1}));
}

TEST(YamlLoader, CollectsAllProblemsAtOnce) {
  auto ds = workload_errors([] {
    load(R"(name: many
inputs:
  - {name: x, shape: [1, 3, 8, 8], dtype: int4}
layer: []
layers:
  - {name: c, type: conv2d, kernel: 3, strid: 2}
  - {name: p, type: pool, mode: median, kernel: 2}
  - {name: q, type: relu, input: c, inputs: [c]}
)");
  });
  EXPECT_TRUE(has_diag(ds, "inputs[0].dtype", "must be one of")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layer", "did you mean 'layers'")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[0].out_channels", "required")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[0].strid", "did you mean 'stride'")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[1].mode", "max, avg")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers[2].inputs", "not both")) << all_text(ds);
  EXPECT_EQ(ds.size(), 6u) << all_text(ds);
  for (const auto& d : ds) EXPECT_EQ(d.file, "mem.yaml");
}

TEST(YamlLoader, FirstLayerNeedsInputWhenSeveralNetworkInputs) {
  auto ds = workload_errors([] {
    load(
        "name: n\ninputs: [{name: a, shape: [1, 4]}, {name: b, shape: [1, 4]}]\nlayers:\n  - {name: r, type: "
        "relu}\n");
  });
  EXPECT_TRUE(has_diag(ds, "layers[0].input", "there are 2")) << all_text(ds);
  EXPECT_EQ(ds[0].line, 4);
}

TEST(YamlLoader, IntegersAreStrict) {
  for (const char* bad : {"3.0", "1e3", "12abc", "true", "[3, 3, 3]"}) {
    auto ds = workload_errors([&] {
      load(std::string("name: n\ninputs: [{name: x, shape: [1, 3, 8, 8]}]\nlayers:\n"
                       "  - {name: c, type: conv2d, out_channels: 4, kernel: ") +
           bad + "}\n");
    });
    EXPECT_TRUE(has_diag(ds, "layers[0].kernel", "integer")) << bad << "\n" << all_text(ds);
  }
}

TEST(YamlLoader, GlobalPoolRejectsWindowKeys) {
  auto ds = workload_errors([] {
    load(
        "name: n\ninputs: [{name: x, shape: [1, 3, 8, 8]}]\nlayers:\n"
        "  - {name: g, type: pool, global: true, kernel: 2}\n");
  });
  EXPECT_TRUE(has_diag(ds, "layers[0].kernel", "global")) << all_text(ds);
}

TEST(YamlLoader, RequiredTopLevelKeysAndShapes) {
  auto ds = workload_errors([] { load("source: x\ninputs: [{name: x, shape: [1, 0]}]\n"); });
  EXPECT_TRUE(has_diag(ds, "name", "required")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "layers", "required")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "inputs[0].shape", ">= 1")) << all_text(ds);

  auto root = workload_errors([] { load("- just\n- a list\n"); });
  EXPECT_NE(root[0].rule.find("YAML map"), std::string::npos);
}

TEST(YamlLoader, LoadNetworkFromStringDispatches) {
  Network yaml = load_network_from_string(
      "name: n\ninputs: [{name: x, shape: [2, 4]}]\nlayers: [{name: f, type: fc, out_features: 3}]\n",
      "s.yaml");
  EXPECT_EQ(yaml.total_macs(), 2 * 4 * 3);
  Network csv = load_network_from_string("Layer, M, N, K,\nA, 2, 3, 4,\n", "s.csv", true);
  EXPECT_EQ(csv.total_macs(), 2 * 3 * 4);
}

}  // namespace
}  // namespace systole::test

namespace systole::test {
namespace {

TEST(YamlLoader, DocumentedExampleLoads) {
  std::ifstream in(std::string(SYSTOLE_SOURCE_DIR) + "/docs/workload-format.md");
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  const size_t start = text.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  const size_t end = text.find("```", start + 8);
  const Network net = load_yaml_network(text.substr(start + 8, end - start - 8), "workload-format.md");
  EXPECT_EQ(net.name, "tiny_resnet");
  EXPECT_EQ(net.find_layer("down")->output_shape, (Shape{1, 32, 16, 16}));
  EXPECT_EQ(net.layers.back().output_shape, (Shape{1, 10}));
}

}  // namespace
}  // namespace systole::test

namespace systole::test {
namespace {

// quant: {scale, zero_point} on inputs and layers; a layer that only moves values takes its
// input's; every consumer sees its producers' (Layer::input_quant).
TEST(YamlLoader, QuantisationIsReadAndFollowsTheValuesThroughMoves) {
  Network net = load(R"(name: q
inputs:
  - {name: x, shape: [2, 8], quant: {scale: 0.02, zero_point: 3}}
layers:
  - {name: r, type: reshape, shape: [4, 4]}
  - {name: sm, type: softmax, quant: {scale: 0.00390625, zero_point: -128}}
  - {name: g, type: activation, function: gelu, input: x, quant: {scale: 1.5e-2}}
  - {name: t, type: transpose, input: g, perm: [1, 0]}
  - {name: m, type: mul, inputs: [t, t]}
)");
  infer_shapes(net);
  ASSERT_TRUE(net.inputs[0].quant.has_value());
  EXPECT_EQ(*net.inputs[0].quant, (QuantParams{0.02f, 3}));
  const Layer& r = *net.find_layer("r");
  EXPECT_EQ(r.input_quant, (std::vector<std::optional<QuantParams>>{QuantParams{0.02f, 3}}));
  EXPECT_EQ(r.quant, (QuantParams{0.02f, 3}));  // a reshape passes its input's on
  const Layer& sm = *net.find_layer("sm");
  EXPECT_EQ(sm.input_quant[0], (QuantParams{0.02f, 3}));
  EXPECT_EQ(sm.quant, (QuantParams{0.00390625f, -128}));
  EXPECT_EQ(net.find_layer("g")->quant, (QuantParams{0.015f, 0}));  // zero_point defaults to 0
  EXPECT_EQ(net.find_layer("t")->quant, (QuantParams{0.015f, 0}));
  const Layer& m = *net.find_layer("m");
  EXPECT_EQ(m.input_quant[1], (QuantParams{0.015f, 0}));
  EXPECT_FALSE(m.quant.has_value());  // a computing layer without its own has none
}

TEST(YamlLoader, BadQuantisationIsNamed) {
  struct Case {
    const char* quant;
    const char* key;
    const char* rule;
  };
  for (const Case& c :
       {Case{"0.5", "layers[0].quant", "must be a map {scale, zero_point}"},
        Case{"{zero_point: 1}", "layers[0].quant.scale", "required"},
        Case{"{scale: 0}", "layers[0].quant.scale", "a number > 0"},
        Case{"{scale: -0.1}", "layers[0].quant.scale", "a number > 0"},
        Case{"{scale: 1e-60}", "layers[0].quant.scale", "fp32 holds"},
        Case{"{scale: .nan}", "layers[0].quant.scale", "plain decimal number"},
        Case{"{scale: 0.1, zero_point: 1.5}", "layers[0].quant.zero_point", "integer"},
        Case{"{scale: 0.1, zero_point: 5000000000}", "layers[0].quant.zero_point", "32-bit"},
        Case{"{scale: 0.1, zeropoint: 2}", "layers[0].quant.zeropoint", "did you mean 'zero_point'"}}) {
    auto ds = workload_errors([&] {
      load(std::string(
               "name: n\ninputs: [{name: x, shape: [1, 8]}]\nlayers:\n  - {name: s, type: softmax, quant: ") +
           c.quant + "}\n");
    });
    EXPECT_TRUE(has_diag(ds, c.key, c.rule)) << c.quant << "\n" << all_text(ds);
  }
  // Within the layer's integer format, checked once its dtype is known (shape inference).
  auto ds = workload_errors([] {
    load(
        "name: n\ninputs: [{name: x, shape: [1, 8]}]\nlayers:\n"
        "  - {name: s, type: softmax, quant: {scale: 0.1, zero_point: 200}}\n");
  });
  EXPECT_TRUE(has_diag(ds, "layers[0].quant.zero_point", "within the layer's int8 range [-128, 127]"))
      << all_text(ds);
  ds = workload_errors([] {
    load(
        "name: n\ninputs: [{name: x, shape: [1, 8], quant: {scale: 0.1, zero_point: -129}}]\nlayers:\n"
        "  - {name: s, type: softmax}\n");
  });
  EXPECT_TRUE(has_diag(ds, "inputs.x.quant.zero_point", "int8 range")) << all_text(ds);
}

}  // namespace
}  // namespace systole::test
