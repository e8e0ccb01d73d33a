// The ONNX models in workloads/onnx/ (scripts/make-onnx-models): each imports, its MACs equal the
// published figure and the shipped YAML equivalent, layer kind by layer kind.
#include <gtest/gtest.h>

#include <map>

#include "systole/onnx/importer.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

Network imported(const std::string& model, std::map<std::string, int64_t> dims) {
  onnx_import::ImportOptions o;
  o.dims = std::move(dims);
  const std::string path = std::string(SYSTOLE_SOURCE_DIR) + "/workloads/onnx/" + model + ".onnx";
  const auto r = onnx_import::import_onnx(path, o);
  EXPECT_EQ(r.placeholders, 0) << model;
  return load_yaml_network(r.yaml, path);
}

Network shipped(const std::string& name) {
  return load_network(std::string(SYSTOLE_SOURCE_DIR) + "/workloads/" + name + ".yaml");
}

// MACs per layer kind, and the count of MAC layers.
std::map<std::string, int64_t> macs_by_kind(const Network& n) {
  std::map<std::string, int64_t> m;
  for (const Layer& l : n.layers) {
    if (l.macs > 0) {
      m[l.kind.name()] += l.macs;
      m[std::string(l.kind.name()) + " layers"] += 1;
    }
  }
  return m;
}

TEST(ShippedOnnxModels, Cnns) {
  // Published: torchvision's figures (docs/workload-format.md "Shipped workloads").
  const struct {
    const char* name;
    int64_t macs;
  } cases[] = {{"resnet18", 1814073344}, {"resnet50", 4089184256}, {"mobilenet_v2", 300774272}};
  for (const auto& c : cases) {
    const Network n = imported(c.name, {{"batch", 1}});
    EXPECT_EQ(n.total_macs(), c.macs) << c.name;
    EXPECT_EQ(macs_by_kind(n), macs_by_kind(shipped(c.name))) << c.name;
    EXPECT_EQ(n.inputs.at(0).shape, (Shape{1, 3, 224, 224}));
  }
}

TEST(ShippedOnnxModels, BatchComesFromSetDim) {
  EXPECT_EQ(imported("resnet50", {{"batch", 4}}).total_macs(), 4 * 4089184256LL);
}

TEST(ShippedOnnxModels, BertEncoderLayerMatchesTheYamlEncoder) {
  for (const char* model : {"bert_encoder_layer", "bert_encoder_layer_opset14"}) {
    SCOPED_TRACE(model);  // opset 14 spells LayerNorm as ReduceMean, Sub, Pow, ...
    const Network n = imported(model, {{"batch", 1}, {"seq", 128}});
    EXPECT_EQ(n.total_macs(), 931135488);
    EXPECT_EQ(macs_by_kind(n), macs_by_kind(shipped("bert_base_encoder")));
    int softmax = 0, layernorm = 0, gelu = 0;
    for (const Layer& l : n.layers) {
      softmax += l.kind == LayerKind::kSoftmax;
      layernorm += l.kind == LayerKind::kLayerNorm;
      gelu += l.kind == LayerKind::kActivation;
    }
    EXPECT_EQ(softmax, 1);
    EXPECT_EQ(layernorm, 2);
    EXPECT_EQ(gelu, 1);  // the Erf-spelled GELU
  }
}

TEST(ShippedOnnxModels, TinyDecoderMacsFromItsShape) {
  // d 256, 4 heads of 64, FFN 1024, 2 blocks, vocab 1000, 128 tokens: per token and block
  // qkv 256*768 + o 256*256 + up 256*1024 + down 1024*256; attention 2 * 4 heads * 128 * 64 per
  // token and block; the LM head 256 * 1000 per token.
  const int64_t s = 128;
  const int64_t per_block = s * (256 * 768 + 256 * 256 + 256 * 1024 + 1024 * 256) + 2 * 4 * s * s * 64;
  const Network n = imported("tiny_decoder", {{"batch", 1}, {"seq", s}});
  EXPECT_EQ(n.total_macs(), 2 * per_block + s * 256 * 1000);
  EXPECT_EQ(n.layers.front().kind.name(), std::string("gather"));
}

}  // namespace
}  // namespace systole
