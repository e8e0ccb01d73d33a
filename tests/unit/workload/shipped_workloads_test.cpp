// Every shipped workload loads; its total MACs equals the "Total MACs:" line of its header comment
// and lies within 3% of the figure published for the model (sources below).
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

std::string workload_path(const std::string& rel) {
  return std::string(SYSTOLE_SOURCE_DIR) + "/workloads/" + rel;
}

// The integer after "# Total MACs:" in the file's header comment, or -1.
int64_t header_macs(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  static const std::regex kTotal(R"(^#.*Total MACs:\s*([0-9]+))");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, kTotal)) return std::stoll(m[1]);
  }
  return -1;
}

struct Shipped {
  const char* file;
  double published_macs;
  const char* published_source;
};

void PrintTo(const Shipped& s, std::ostream* os) {
  *os << s.file;
}

class ShippedWorkload : public ::testing::TestWithParam<Shipped> {};

TEST_P(ShippedWorkload, MacsMatchHeaderAndPublishedFigure) {
  const Shipped& s = GetParam();
  const std::string path = workload_path(s.file);
  const Network net = load_network(path);
  const int64_t stated = header_macs(path);
  ASSERT_GT(stated, 0) << "no '# Total MACs:' line in " << path;
  EXPECT_EQ(net.total_macs(), stated);
  EXPECT_NEAR(static_cast<double>(net.total_macs()) / s.published_macs, 1.0, 0.03)
      << net.total_macs() << " vs published " << s.published_macs << " (" << s.published_source << ")";
  EXPECT_FALSE(net.source.empty());
  for (const Layer& l : net.layers) EXPECT_EQ(l.dtype, DataType::kInt8) << l.name;
}

INSTANTIATE_TEST_SUITE_P(
    All, ShippedWorkload,
    ::testing::Values(
        Shipped{"alexnet.yaml", 0.71e9, "torchvision model table: alexnet 0.71 GFLOPS (multiply-adds)"},
        Shipped{"resnet18.yaml", 1.81e9,
                "torchvision model table: resnet18 1.81 GFLOPS; He et al. 2016: 1.8e9"},
        Shipped{"resnet50.yaml", 4.09e9, "torchvision model table: resnet50 (v1.5) 4.09 GFLOPS"},
        Shipped{"mobilenet_v2.yaml", 300e6, "Sandler et al. 2018, Table 4: 300M multiply-adds"},
        Shipped{"vgg16.yaml", 15.47e9, "torchvision model table: vgg16 15.47 GFLOPS"},
        Shipped{"bert_base_encoder.yaml", 918552576.0,
                "Kaplan et al. 2020 Table 1: (4 d^2 + 2 d d_ff + n_ctx d) per token, d=768, d_ff=3072, "
                "n_ctx=128, "
                "x 128 tokens"}));

int count_if_kind(const Network& net, LayerKind kind) {
  int n = 0;
  for (const Layer& l : net.layers) n += l.kind == kind;
  return n;
}

TEST(ShippedStructure, ResNet50HasBottlenecksDownsamplesAndResiduals) {
  const Network net = load_network(workload_path("resnet50.yaml"));
  EXPECT_EQ(count_if_kind(net, LayerKind::kConv2d), 1 + 16 * 3 + 4);  // stem, 16 bottlenecks, 4 downsamples
  EXPECT_EQ(count_if_kind(net, LayerKind::kAdd), 16);
  EXPECT_EQ(net.find_layer("layer4_2_relu")->output_shape, (Shape{1, 2048, 7, 7}));
  EXPECT_EQ(net.layers.back().output_shape, (Shape{1, 1000}));
}

TEST(ShippedStructure, MobileNetV2HasDepthwiseConvs) {
  const Network net = load_network(workload_path("mobilenet_v2.yaml"));
  int depthwise = 0;
  for (const Layer& l : net.layers) {
    if (l.kind != LayerKind::kConv2d) continue;
    const auto& a = l.as<Conv2dAttrs>();
    depthwise += a.groups > 1 && a.groups == l.input_shapes[0][1] && a.groups == a.out_channels;
  }
  EXPECT_EQ(depthwise, 17);
  EXPECT_EQ(count_if_kind(net, LayerKind::kAdd), 10);
  EXPECT_EQ(net.layers.back().output_shape, (Shape{1, 1000}));
}

TEST(ShippedStructure, BertEncoderAttention) {
  const Network net = load_network(workload_path("bert_base_encoder.yaml"));
  EXPECT_EQ(net.find_layer("scores")->output_shape, (Shape{1, 12, 128, 128}));
  EXPECT_EQ(net.find_layer("context")->output_shape, (Shape{1, 12, 128, 64}));
  EXPECT_EQ(net.find_layer("ffn1")->output_shape, (Shape{1, 128, 3072}));
  EXPECT_EQ(net.layers.back().kind, LayerKind::kLayerNorm);
  EXPECT_EQ(net.layers.back().output_shape, (Shape{1, 128, 768}));
  // 12 L d^2 + 2 L^2 d with L = 128, d = 768
  EXPECT_EQ(net.total_macs(), int64_t{12} * 128 * 768 * 768 + int64_t{2} * 128 * 128 * 768);
}

TEST(ShippedStructure, ScaleSimResNet18MatchesYaml) {
  // The CSV lists the rows each torchvision conv reads, (Ho - 1) * S + K, so under SCALE-Sim's
  // ceil((H - K + S) / S) its convs are the YAML's convs by another route.
  const Network csv = load_network(workload_path("scalesim/resnet18.csv"));
  const Network yaml = load_network(workload_path("resnet18.yaml"));
  EXPECT_EQ(csv.layers.size(), 21u);
  EXPECT_EQ(csv.total_macs(), yaml.total_macs());
  EXPECT_EQ(csv.find_layer("Conv1")->output_shape, (Shape{1, 64, 112, 112}));
  const Network gemm = load_network(workload_path("scalesim/gemm_example.csv"));
  EXPECT_EQ(gemm.layers.size(), 6u);
  EXPECT_EQ(gemm.find_layer("FFN2")->macs, int64_t{128} * 768 * 3072);
}

TEST(ShippedStructure, ImporterOpsUsesTheImporterOperators) {
  // Hand written, with no published figure: its MACs must equal its header's, and it must use each
  // of the operators it is there to show.
  const std::string path = workload_path("importer_ops.yaml");
  const Network net = load_network(path);
  EXPECT_EQ(net.total_macs(), header_macs(path));
  for (const char* kind : {"gather", "split", "resize", "concat"}) {
    EXPECT_GT(count_if_kind(net, LayerKind(kind)), 0) << kind;
  }
  EXPECT_EQ(net.find_layer("heads:2")->output_shape, (Shape{1, 32, 64}));
  EXPECT_EQ(net.find_layer("skip")->output_shape, (Shape{1, 48, 16, 16}));
  EXPECT_EQ(net.layers.back().output_shape, (Shape{1, 16, 24, 24}));
}

}  // namespace
}  // namespace systole::test
