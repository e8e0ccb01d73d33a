// Scratchpad layouts chosen for the array's access pattern (compiler/lowering.h ConvLayouts,
// docs/compiler.md "Scratchpad layouts"): functional runs stay bit-exact under every dataflow and
// both number families (weights pre-arranged in DRAM, channel-last tiles transposed by the DMA,
// channel blocks, stride-phased tiles, tiles spanning two images), and with the direct operand
// feeder ResNet's 3 x 3 and 1 x 1 convolutions under WS, and its strided ones under every
// dataflow, read their three operands without a single bank conflict.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;
using Json = nlohmann::json;

// Batch 2 (tiles cross images), a 1 x 1 conv (channel-last ifmap under WS), a strided 3 x 3
// conv, a grouped conv, and a tiny ifmap scratchpad so that k is split into several tiles.
constexpr const char* kNet = R"(name: layouts
inputs:
  - {name: x, shape: [2, 12, 9, 9]}
layers:
  - {name: pw, type: conv2d, out_channels: 40, kernel: 1}
  - {name: relu, type: relu}
  - {name: c3, type: conv2d, out_channels: 24, kernel: 3, stride: 2, padding: 1}
  - {name: grp, type: conv2d, out_channels: 24, kernel: 3, padding: 1, groups: 4}
  - {name: pw2, type: conv2d, out_channels: 16, kernel: 1}
)";

// c3's k tiles hold 8 of its 40 channels (72 = 8 x 9): under WS it goes channel-last with blocks
// of 8 channels, k = (block, kernel row, kernel column, channel in block); under OS and IS its
// tiles hold (2, 2) stride phases of 9 x 9 planes (odd: uneven phases). Its m tiles of three
// output rows start at odd input rows and cross from image 0 into image 1.
constexpr const char* kMapping = R"(layers:
  c3: {tile: [15, 24, 72]}
)";

constexpr const char* kFp16 =
    " --set core.array.input_type=fp16 --set core.array.weight_type=fp16"
    " --set core.array.accumulator_type=fp32";

class LayoutsFunctional : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(LayoutsFunctional, EveryLayerIsBitExact) {
  const auto [dataflow, type] = GetParam();
  const auto dir = fresh_dir("layouts_" + dataflow + "_" + type);
  write_file(dir / "net.yaml", kNet);
  write_file(dir / "map.yaml", kMapping);
  const auto r =
      run_systole("run --workload " + q(dir / "net.yaml") + " --functional --quiet" + " --mapping " +
                      q(dir / "map.yaml") + " --set core.array.dataflow=" + dataflow +
                      " --set core.scratchpads.ifmap.capacity_kib=4" + (type == "fp16" ? kFp16 : "") +
                      " --out " + q(dir / "out"),
                  dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(read_file(dir / "out" / "report.json"));
  for (const Json& l : report["layers"]) {
    EXPECT_EQ(l["verified"], true) << l.dump();
    EXPECT_EQ(l["max_abs_error"].get<double>(), 0.0) << l.dump();
  }
  // The mapping records say which layouts were used.
  const Json& pw = report["layers"][0]["mapping"];
  const std::string layouts = pw["layouts"].get<std::string>();
  const bool channel_last_ifmap = dataflow == "ws";  // pw is 1 x 1
  EXPECT_EQ(layouts.find("ifmap [input row][W][channel]") != std::string::npos, channel_last_ifmap)
      << layouts;
  const std::string c3 = report["layers"][2]["mapping"]["layouts"].get<std::string>();
  EXPECT_EQ(c3.find("k = (block of 8 channels") != std::string::npos, channel_last_ifmap) << c3;
  EXPECT_EQ(c3.find("2 x 2 stride phases") != std::string::npos, !channel_last_ifmap) << c3;
  const bool kn = dataflow != "is";
  EXPECT_EQ(layouts.find("weights [g][k][n]") != std::string::npos, kn) << layouts;
  EXPECT_EQ(layouts.find("accumulators [pixel][channel]") != std::string::npos, kn) << layouts;
}

INSTANTIATE_TEST_SUITE_P(DataflowsAndTypes, LayoutsFunctional,
                         ::testing::Combine(::testing::Values("ws", "os", "is"),
                                            ::testing::Values("int8", "fp16")),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param);
                         });

int64_t conflicts(const Json& report, const std::string& scratchpad) {
  return report["stats"]["core0"]["scratchpad"][scratchpad]["bank_conflict_cycles"]["value"].get<int64_t>();
}

// `workload` (a file in `dir`) run with the given operand feeder and extra flags, into dir/feeder;
// its report.
Json run_with_feeder(const std::filesystem::path& dir, const std::string& workload, const std::string& feeder,
                     const std::string& extra = "") {
  const auto r = run_systole("run --workload " + q(dir / workload) + " --quiet" + extra +
                                 " --set core.array.operand_feeder=" + feeder + " --out " + q(dir / feeder),
                             dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return Json::parse(read_file(dir / feeder / "report.json"));
}

// Attention on the default arch with the direct feeder: scores = q x k^T (the second activation
// stored [N][K]), context = scores x v ([K][N]), and an fc with weights [K][N]. Each dataflow reads
// each operand along its own axis; the operands stored along the other one are transposed by their
// LOADs / STOREs (lowering.h set_matrix_transposes), so every layer is bit-exact and no scratchpad sees
// a bank conflict.
class TransposedMatrices : public ::testing::TestWithParam<std::string> {};

TEST_P(TransposedMatrices, AttentionIsBitExactAndReadWithoutBankConflicts) {
  const std::string dataflow = GetParam();
  const auto dir = fresh_dir("layouts_attention_" + dataflow);
  write_file(dir / "attn.yaml", R"(name: attn
inputs:
  - {name: q, shape: [2, 40, 64]}
  - {name: k, shape: [2, 72, 64]}
  - {name: v, shape: [2, 72, 48]}
layers:
  - {name: scores, type: matmul, inputs: [q, k], transpose_b: true}
  - {name: context, type: matmul, inputs: [scores, v]}
  - {name: fc, type: fc, out_features: 32}
)");
  const auto r =
      run_systole("run --workload " + q(dir / "attn.yaml") + " --functional --quiet" +
                      " --set core.array.operand_feeder=direct --set core.array.dataflow=" + dataflow +
                      " --out " + q(dir / "out"),
                  dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(read_file(dir / "out" / "report.json"));
  for (const Json& l : report["layers"]) EXPECT_EQ(l["verified"], true) << l.dump();
  for (const char* s : {"ifmap", "weight", "ofmap"}) EXPECT_EQ(conflicts(report, s), 0) << s;
  const std::string fc = report["layers"][2]["mapping"]["layouts"].get<std::string>();
  // fc's weights [K][N] are read along n under WS and OS, along k under IS.
  EXPECT_EQ(fc.find("transposed by the DMA:") != std::string::npos, dataflow != "ws") << fc;
}

INSTANTIATE_TEST_SUITE_P(Dataflows, TransposedMatrices, ::testing::Values("ws", "os", "is"));

TEST(Layouts, ResNetConvsUnderWsReadTheirOperandsWithoutBankConflicts) {
  const auto dir = fresh_dir("layouts_resnet_convs");
  // A ResNet-50 conv2_x bottleneck's 3 x 3 and 1 x 1 expansion (56 x 56 x 64), on the default
  // 16-bank scratchpads with one port per bank.
  write_file(dir / "pw.yaml", R"(name: pw
inputs:
  - {name: x, shape: [1, 64, 56, 56]}
layers:
  - {name: c3, type: conv2d, out_channels: 64, kernel: 3, padding: 1}
  - {name: pw, type: conv2d, out_channels: 256, kernel: 1}
)");
  const Json direct = run_with_feeder(dir, "pw.yaml", "direct"),
             staged = run_with_feeder(dir, "pw.yaml", "staged");
  for (const char* s : {"ifmap", "weight", "ofmap"}) EXPECT_EQ(conflicts(direct, s), 0) << s;
  EXPECT_EQ(direct["total"]["cycles"], staged["total"]["cycles"]);
}

// ResNet's strided convolutions (a 3 x 3 and a 7 x 7 at stride 2 with padding, a 1 x 1 at
// stride 2): OS and IS read their ifmap along m, output pixels whose inputs are two apart, which in
// stride phases are consecutive elements, across output rows too (a sub-plane is as wide as the
// output). Unphased, every such vector met each bank twice.
class StridedConvs : public ::testing::TestWithParam<std::string> {};

TEST_P(StridedConvs, ReadTheirOperandsWithoutBankConflicts) {
  const std::string dataflow = GetParam();
  const auto dir = fresh_dir("layouts_strided_" + dataflow);
  write_file(dir / "s2.yaml", R"(name: s2
inputs:
  - {name: x, shape: [1, 64, 56, 56]}
layers:
  - {name: c3, type: conv2d, out_channels: 64, kernel: 3, stride: 2, padding: 1}
  - {name: ds, type: conv2d, input: x, out_channels: 128, kernel: 1, stride: 2}
  - {name: c7, type: conv2d, input: x, out_channels: 32, kernel: 7, stride: 2, padding: 3}
)");
  const std::string df = " --set core.array.dataflow=" + dataflow;
  const Json direct = run_with_feeder(dir, "s2.yaml", "direct", df),
             staged = run_with_feeder(dir, "s2.yaml", "staged", df);
  for (const char* s : {"ifmap", "weight", "ofmap"}) EXPECT_EQ(conflicts(direct, s), 0) << s;
  EXPECT_EQ(direct["total"]["cycles"], staged["total"]["cycles"]);
  const std::string c3 = direct["layers"][0]["mapping"]["layouts"].get<std::string>();
  EXPECT_EQ(c3.find("2 x 2 stride phases") != std::string::npos, dataflow != "ws") << c3;
}

INSTANTIATE_TEST_SUITE_P(Dataflows, StridedConvs, ::testing::Values("ws", "os", "is"));

}  // namespace
}  // namespace systole
