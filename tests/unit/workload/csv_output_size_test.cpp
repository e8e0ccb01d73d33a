// SCALE-Sim CSV conv rows are sized as SCALE-Sim v2 sizes them, E = ceil((H - Fh + S) / S)
// (its topology_utils.py), by implicit bottom/right padding; Systole YAML keeps PyTorch's
// floor((H + pads - Fh) / S) + 1. Every expectation below is SCALE-Sim's arithmetic, written out.
#include <string>

#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

const char* kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

Network one_row(const std::string& row) {
  return load_csv_network(std::string(kConvHeader) + row + "\n", "rows.csv");
}

// SCALE-Sim's mlperf ResNet-50 topology (topologies/mlperf/Resnet50.csv of SCALE-Sim, the same rows
// as scale-sim-v2's topologies/conv_nets/Resnet50.csv), spacing as in the file: 54 layers, the
// ifmaps unpadded.
const char* kMlperfResNet50 =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
    "\n"
    "Conv1, 224, 224, 7, 7, 3, 64, 2,\n"
    "CB2a_1, 56, 56, 1, 1, 64, 64, 1,\n"
    "CB2a_2, 56, 56, 3, 3, 64, 64, 1,\n"
    "CB2a_3, 56, 56, 1, 1, 64, 256, 1,\n"
    "CB2s, 56, 56, 1, 1, 64, 256, 1,\n"
    "IB2b_1, 56, 56, 1, 1, 256, 64, 1,\n"
    "IB2b_2, 56, 56, 3, 3, 64, 64, 1,\n"
    "IB2b_3, 56, 56, 1, 1, 64, 256, 1,\n"
    "IB2c_1, 56, 56, 1, 1, 256, 64, 1,\n"
    "IB2c_2, 56, 56, 3, 3, 64, 64, 1,\n"
    "IB2c_3, 56, 56, 1, 1, 64, 256, 1,\n"
    "CB3a_1, 56, 56, 1, 1, 256, 128, 2,\n"
    "CB3a_2, 28, 28, 3, 3, 128, 128, 1,\n"
    "CB3a_3, 28, 28, 1, 1, 128, 512, 1,\n"
    "CB3s, 56, 56, 1, 1, 256, 512, 2,\n"
    "IB3b_1, 28, 28, 1, 1, 512, 128, 1,\n"
    "IB3b_2, 28, 28, 3, 3, 128, 128, 1,\n"
    "IB3b_3, 28, 28, 1, 1, 128, 512, 1,\n"
    "IB3c_1, 28, 28, 1, 1, 512, 128, 1,\n"
    "IB3c_2, 28, 28, 3, 3, 128, 128, 1,\n"
    "IB3c_3, 28, 28, 1, 1, 128, 512, 1,\n"
    "IB3d_1, 28, 28, 1, 1, 512, 128, 1,\n"
    "IB3d_2, 28, 28, 3, 3, 128, 128, 1,\n"
    "IB3d_3, 28, 28, 1, 1, 128, 512, 1,\n"
    "CB4a_1, 28, 28, 1, 1, 512, 256, 2,\n"
    "CB4a_2, 14, 14, 3, 3, 256, 256, 1,\n"
    "CB4a_3, 14, 14, 1, 1, 256, 1024, 1,\n"
    "CB4s, 28, 28, 1, 1, 512, 1024, 2,\n"
    "IB4b_1, 14, 14, 1, 1, 1024, 256, 1,\n"
    "IB4b_2, 14, 14, 3, 3, 256, 256, 1,\n"
    "IB4b_3, 14, 14, 1, 1, 256, 1024, 1,\n"
    "IB4c_1, 14, 14, 1, 1, 1024, 256, 1,\n"
    "IB4c_2, 14, 14, 3, 3, 256, 256, 1,\n"
    "IB4c_3, 14, 14, 1, 1, 256, 1024, 1,\n"
    "IB4d_1, 14, 14, 1, 1, 1024, 256, 1,\n"
    "IB4d_2, 14, 14, 3, 3, 256, 256, 1,\n"
    "IB4d_3, 14, 14, 1, 1, 256, 1024, 1,\n"
    "IB4e_1, 14, 14, 1, 1, 1024, 256, 1,\n"
    "IB4e_2, 14, 14, 3, 3, 256, 256, 1,\n"
    "IB4e_3, 14, 14, 1, 1, 256, 1024, 1,\n"
    "IB4f_1, 14, 14, 1, 1, 1024, 256, 1,\n"
    "IB4f_2, 14, 14, 3, 3, 256, 256, 1,\n"
    "IB4f_3, 14, 14, 1, 1, 256, 1024, 1,\n"
    "CB5a_1, 14, 14, 1, 1, 1024, 512, 2,\n"
    "CB5a_2, 7, 7, 3, 3, 512, 512, 1,\n"
    "CB5a_3, 7, 7, 1, 1, 512, 2048, 1,\n"
    "CB5s, 14, 14, 1, 1, 1024, 2048, 2,\n"
    "IB5b_1, 7, 7, 1, 1, 2048, 512, 1,\n"
    "IB5b_2, 7, 7, 3, 3, 512, 512, 1,\n"
    "IB5b_3, 7, 7, 1, 1, 512, 2048, 1,\n"
    "IB5c_1, 7, 7, 1, 1, 2048, 512, 1,\n"
    "IB5c_2, 7, 7, 3, 3, 512, 512, 1,\n"
    "IB5c_3, 7, 7, 1, 1, 512, 2048, 1,\n"
    "FC6, 1, 1, 1, 1, 2048, 1000, 1,\n";

TEST(CsvOutputSize, ResNet50Conv1IsSizedAsScaleSimSizesIt) {
  const Network net = one_row("Conv1, 224, 224, 7, 7, 3, 64, 2,");
  const Layer& l = net.layers[0];
  // SCALE-Sim: ceil((224 - 7 + 2) / 2) = ceil(219 / 2) = 110; PyTorch's floor((224 - 7) / 2) + 1 = 109.
  EXPECT_EQ(l.output_shape, (Shape{1, 64, 110, 110}));
  // 110 * 110 * 7 * 7 * 3 * 64 (the floor rule's 109 * 109 gives 111,776,448).
  EXPECT_EQ(l.macs, 113836800);
  EXPECT_EQ(l.input_shapes[0], (Shape{1, 3, 224, 224}));
  // The extra row's window starts at ifmap row 109 * 2 = 218 and reads rows 218..224: one past the
  // ifmap (224 - 7) % 2 = 1, so 2 - 1 = 1 row (and column) of implicit padding, bottom and right.
  const auto& a = l.as<Conv2dAttrs>();
  EXPECT_EQ(a.pad_top, 0);
  EXPECT_EQ(a.pad_left, 0);
  EXPECT_EQ(a.pad_bottom, 1);
  EXPECT_EQ(a.pad_right, 1);
  EXPECT_FALSE(a.same_padding);
  EXPECT_NE(net.source.find("implicit"), std::string::npos) << net.source;
}

TEST(CsvOutputSize, StrideTwoAndThreeWithARemainder) {
  // H = 17, W = 21, 3 x 2 filter, stride 3:
  //   Eh = ceil((17 - 3 + 3) / 3) = ceil(17 / 3) = 6; (17 - 3) % 3 = 2 -> pad_bottom 3 - 2 = 1
  //   Ew = ceil((21 - 2 + 3) / 3) = ceil(22 / 3) = 8; (21 - 2) % 3 = 1 -> pad_right 3 - 1 = 2
  const Network s3 = one_row("s3, 17, 21, 3, 2, 6, 9, 3,");
  const Layer& l = s3.layers[0];
  EXPECT_EQ(l.output_shape, (Shape{1, 9, 6, 8}));
  EXPECT_EQ(l.macs, int64_t{6} * 8 * 3 * 2 * 6 * 9);
  EXPECT_EQ(l.as<Conv2dAttrs>().pad_bottom, 1);
  EXPECT_EQ(l.as<Conv2dAttrs>().pad_right, 2);

  // 1x1 stride 2 on 56 (ResNet-50's CB3s): ceil((56 - 1 + 2) / 2) = ceil(57 / 2) = 29; the 29th
  // row's window (ifmap row 56) lies wholly in the padding, as in SCALE-Sim (address -1).
  const Network s2 = one_row("CB3s, 56, 56, 1, 1, 256, 512, 2,");
  EXPECT_EQ(s2.layers[0].output_shape, (Shape{1, 512, 29, 29}));
  EXPECT_EQ(s2.layers[0].macs, int64_t{29} * 29 * 256 * 512);

  // AlexNet's Conv1 in SCALE-Sim's alexnet.csv: ceil((224 - 11 + 4) / 4) = ceil(217 / 4) = 55,
  // the 55 x 55 of the AlexNet paper; (224 - 11) % 4 = 1 -> 3 rows of padding.
  const Network alex = one_row("Conv1, 224, 224, 11, 11, 3, 96, 4,");
  EXPECT_EQ(alex.layers[0].output_shape, (Shape{1, 96, 55, 55}));
  EXPECT_EQ(alex.layers[0].macs, int64_t{55} * 55 * 11 * 11 * 3 * 96);
  EXPECT_EQ(alex.layers[0].as<Conv2dAttrs>().pad_bottom, 3);
}

TEST(CsvOutputSize, NoPaddingWhenTheStrideDividesTheSpan) {
  // (229 - 7) % 2 = 0: ceil((229 - 7 + 2) / 2) = 112 = floor((229 - 7) / 2) + 1; stride 1 never pads.
  const Network net = one_row("a, 229, 229, 7, 7, 3, 64, 2,\nb, 58, 58, 3, 3, 64, 64, 1,");
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 64, 112, 112}));
  EXPECT_EQ(net.layers[1].output_shape, (Shape{1, 64, 56, 56}));
  for (const Layer& l : net.layers) {
    const auto& a = l.as<Conv2dAttrs>();
    EXPECT_EQ(a.pad_top + a.pad_bottom + a.pad_left + a.pad_right, 0) << l.name;
  }
}

TEST(CsvOutputSize, MlperfResNet50MatchesScaleSimLayerByLayer) {
  const Network net = load_csv_network(kMlperfResNet50, "Resnet50.csv");
  ASSERT_EQ(net.layers.size(), 54u);
  int64_t total = 0;
  std::vector<std::string> padded;
  for (const Layer& l : net.layers) {
    const Shape& in = l.input_shapes[0];
    const auto& a = l.as<Conv2dAttrs>();
    // SCALE-Sim's topo_calc_hyperparams, written again: ofmap = ceil((H - Fh + S) / S) per axis,
    // num_mac = ofmap_h * ofmap_w * Fh * Fw * C * N.
    const int64_t eh = (in[2] - a.kernel_h + a.stride_h + a.stride_h - 1) / a.stride_h;
    const int64_t ew = (in[3] - a.kernel_w + a.stride_w + a.stride_w - 1) / a.stride_w;
    EXPECT_EQ(l.output_shape, (Shape{1, a.out_channels, eh, ew})) << l.name;
    EXPECT_EQ(l.macs, eh * ew * a.kernel_h * a.kernel_w * in[1] * a.out_channels) << l.name;
    total += l.macs;
    if (a.pad_bottom != 0 || a.pad_right != 0) padded.push_back(l.name);
  }
  // Exactly the seven stride-2 layers have an odd H - Fh (224 - 7, 56 - 1, 28 - 1, 14 - 1) and so
  // one ofmap row and column more than the floor rule gives them.
  EXPECT_EQ(padded,
            (std::vector<std::string>{"Conv1", "CB3a_1", "CB3s", "CB4a_1", "CB4s", "CB5a_1", "CB5s"}));
  EXPECT_EQ(net.find_layer("CB3a_1")->output_shape, (Shape{1, 128, 29, 29}));  // ceil(57 / 2)
  EXPECT_EQ(net.find_layer("CB4s")->output_shape, (Shape{1, 1024, 15, 15}));   // ceil(29 / 2)
  EXPECT_EQ(net.find_layer("CB5a_1")->output_shape, (Shape{1, 512, 8, 8}));    // ceil(15 / 2)
  // The sum of SCALE-Sim's per-layer num_mac; the floor rule's total is 3,409,810,112.
  EXPECT_EQ(total, 3479536384);
  EXPECT_EQ(net.total_macs(), 3479536384);
}

TEST(CsvOutputSize, YamlKeepsPyTorchsFloorRule) {
  // The same conv in Systole YAML, unpadded: floor((224 - 7) / 2) + 1 = 109, no implicit padding.
  const Network net = load_network_from_string(
      "name: t\ninputs:\n  - {name: x, shape: [1, 3, 224, 224]}\n"
      "layers:\n  - {name: c, type: conv2d, out_channels: 64, kernel: 7, stride: 2}\n",
      "t.yaml");
  const Layer& l = net.layers[0];
  EXPECT_EQ(l.output_shape, (Shape{1, 64, 109, 109}));
  EXPECT_EQ(l.macs, int64_t{109} * 109 * 7 * 7 * 3 * 64);
  EXPECT_EQ(l.as<Conv2dAttrs>().pad_bottom, 0);
  EXPECT_EQ(l.as<Conv2dAttrs>().pad_right, 0);
}

}  // namespace
}  // namespace systole::test
