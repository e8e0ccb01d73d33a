// Hardening: workloads whose sizes are legal one by one but absurd together (docs/compiler.md
// "Limits"). Before the limits these ran the compiler for minutes into bad_alloc; now each must be
// refused by both `validate` and `run` with exit 2 within the time limit and under 1 GiB of address
// space, naming the file, the layer and what was exceeded, never "internal error", and `run` must
// leave no report behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "support/hardening.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::run_systole_bounded;
using testing::substitute_path;
using testing::write_file;

struct BadSize {
  std::string name;
  std::string file_name;  // written into the scratch dir; {f} in `expected` is its path
  std::string content;
  std::vector<std::string> expected;  // substrings of stderr
};

std::ostream& operator<<(std::ostream& os, const BadSize& c) {
  return os << c.name;
}

std::string net(const std::string& shape, const std::string& layers, const std::string& dtype = "int8") {
  return "name: sizes\ndtype: " + dtype + "\ninputs:\n  - {name: x, shape: " + shape + "}\nlayers:\n" +
         layers;
}

const std::string k2To31 = "2147483648";
const std::string k2To40 = "1099511627776";
const std::string k2To62 = "4611686018427387904";
const std::string kInstructions = "program limit of 1048576 instructions";
const std::string kDram = "DRAM limit of 2^48 B";
const std::string kOverflow = "overflow";

std::vector<BadSize> cases() {
  const std::string conv = "  - {name: big, type: conv2d, ";
  return {
      {"ConvOutChannels2To40",
       "w.yaml",
       net("[1, 3, 32, 32]", conv + "out_channels: " + k2To40 + ", kernel: 3}\n"),
       {"{f}:6", "'big'", kDram}},
      {"ConvOutChannels2To31",
       "w.yaml",
       net("[1, 3, 32, 32]", conv + "out_channels: " + k2To31 + ", kernel: 3}\n"),
       {"{f}:6", "'big'", kInstructions}},
      {"InputWidth2To31Conv",
       "w.yaml",
       net("[1, 3, 32, 2147483647]", conv + "out_channels: 8, kernel: 3}\n"),
       {"core.scratchpads.ifmap.capacity_kib", "'big'", "[workload {f}:6: layers[0]]"}},
      {"InputWidth2To31Relu",
       "w.yaml",
       net("[1, 3, 32, 2147483647]", "  - {name: big, type: relu}\n"),
       {"{f}:6", "'big'", kInstructions}},
      {"Kernel2To31",
       "w.yaml",
       net("[1, 3, 32, 32]", conv + "out_channels: 8, kernel: " + k2To31 + "}\n"),
       {"{f}:6", "'big'", "larger than the padded input"}},
      {"Kernel2To31Padding2To31",
       "w.yaml",
       net("[1, 3, 32, 32]", conv + "out_channels: 8, kernel: " + k2To31 + ", padding: " + k2To31 + "}\n"),
       {"{f}:6", "'big'", kOverflow}},
      {"Stride2To40Padding2To62",
       "w.yaml",
       net("[1, 3, 32, 32]",
           conv + "out_channels: 8, kernel: 3, stride: " + k2To40 + ", padding: " + k2To62 + "}\n"),
       {"{f}:6", "'big'", "padded input", kOverflow}},
      {"Padding2To40",
       "w.yaml",
       net("[1, 3, 32, 32]", conv + "out_channels: 8, kernel: 3, padding: " + k2To40 + "}\n"),
       {"{f}:6", "'big'", "output tensor", kOverflow}},
      {"Dilation2To62",
       "w.yaml",
       net("[1, 3, 32, 32]", conv + "out_channels: 8, kernel: 3, dilation: " + k2To62 + "}\n"),
       {"{f}:6", "layers[0].dilation", "'big'", "kernel extent", kOverflow}},
      // 2^24 depthwise channels of 64 x 64: 2^24 GEMMs on the array, or 2^19 vector chunks of 32
      // planes (4 instructions each); both counted in closed form.
      {"DepthwiseGroups2To24",
       "w.yaml",
       net("[1, 16777216, 64, 64]",
           conv + "out_channels: 16777216, kernel: 3, padding: 1, groups: 16777216}\n"),
       {"{f}:6", "'big'", "channel planes", kInstructions}},
      {"OneByOneConv2To20Channels",
       "w.yaml",
       net("[1, 1048576, 1, 1]", conv + "out_channels: 1048576, kernel: 1}\n"),
       {"{f}:6", "'big'", kInstructions}},
      {"ReshapeHugeDims",
       "w.yaml",
       net("[1, 3, 32, 32]", "  - {name: big, type: reshape, shape: [" + k2To62 + ", 4, -1]}\n"),
       {"{f}:6", "layers[0].shape", "'big'", kOverflow}},
      {"TransposePermOutOfRange",
       "w.yaml",
       net("[1, 3, 32, 32]", "  - {name: big, type: transpose, perm: [0, 1, 2, " + k2To40 + "]}\n"),
       {"{f}:6", "layers[0].perm", "'big'", "permutation"}},
      {"MatmulOutFeatures2To40",
       "w.yaml",
       net("[1, 64]", "  - {name: big, type: fc, out_features: " + k2To40 + "}\n"),
       {"{f}:6", "'big'", "n=1099511627776", kInstructions}},
      {"PoolKernel2To31Padding2To31",
       "w.yaml",
       net("[1, 3, 32, 32]", "  - {name: big, type: pool, kernel: " + k2To31 + ", padding: " + k2To31 +
                                 ", stride: " + k2To31 + "}\n"),
       {"{f}:6", "'big'", "vector-unit operation count", kOverflow}},
      {"Relu2To40Elements",
       "w.yaml",
       net("[1099511627776]", "  - {name: big, type: relu}\n"),
       {"{f}:6", "'big'", "chunks", kInstructions}},
      {"Add2To40Elements",
       "w.yaml",
       net("[1099511627776]", "  - {name: big, type: add, inputs: [x, x]}\n"),
       {"{f}:6", "'big'", kInstructions}},
      {"BatchedMatmul2To40",
       "w.yaml",
       net("[1099511627776, 2, 2]", "  - {name: big, type: matmul, inputs: [x, x]}\n"),
       {"{f}:6", "'big'", "per batch index", kInstructions}},
      {"SoftmaxRow2To31",
       "w.yaml",
       net("[1, 2147483647]", "  - {name: big, type: softmax}\n"),
       {"core.scratchpads.ifmap.capacity_kib", "'big'", "[workload {f}:6: layers[0]]"}},
      {"Fp32Input2To62",
       "w.yaml",
       net("[" + k2To62 + "]", "  - {name: big, type: relu}\n", "fp32"),
       {"{f}", "inputs.x.shape", "4 B of fp32 overflow 64 bits"}},
      {"NetworkTotalMacs",
       "w.yaml",
       net("[1048576, 1048576]",
           "  - {name: m0, type: fc, input: x, out_features: 2097152}\n"
           "  - {name: m1, type: fc, input: x, out_features: 2097152}\n"
           "  - {name: m2, type: fc, input: x, out_features: 2097152}\n"
           "  - {name: big, type: fc, input: x, out_features: 2097152}\n"),
       {"{f}:9", "'big'", "total multiply-accumulate (MAC) count overflows"}},
      {"ConcatAxisOverflow",
       "w.yaml",
       net("[" + k2To62 + ", 1]", "  - {name: big, type: concat, inputs: [x, x], axis: 0}\n"),
       {"{f}:6", "layers[0].inputs", "'big'", "axis 0 overflows 64 bits"}},
      {"Concat2To40Elements",
       "w.yaml",
       net("[1099511627776]", "  - {name: big, type: concat, inputs: [x, x], axis: 0}\n"),
       {"{f}:6", "'big'", "copy chunks", kInstructions}},
      {"SplitParts2To30",
       "w.yaml",
       net("[1, 3, 32, 32]", "  - {name: big, type: split, axis: 1, parts: 1073741824}\n"),
       {"{f}:6", "layers[0].parts", "each part is a layer"}},
      {"ResizeScale1e30",
       "w.yaml",
       net("[1, 3, 32, 32]", "  - {name: big, type: resize, scales: [1e30, 1]}\n"),
       {"{f}:6", "layers[0].scales", "'big'", "overflows the output size"}},
      {"ResizeHugeOutput",
       "w.yaml",
       net("[256, 64, 4, 4]", "  - {name: big, type: resize, size: [65536, 64]}\n"),
       {"{f}:6", "'big'", kInstructions}},
      {"GatherTable2To71",
       "w.yaml",
       net("[4]", "  - {name: big, type: gather, vocab: " + k2To31 + ", dim: " + k2To40 + "}\n", "int32"),
       {"{f}:6", "'big'", "weight element count", kOverflow}},
      {"Gather2To40Lookups",
       "w.yaml",
       net("[1099511627776]", "  - {name: big, type: gather, vocab: 10, dim: 1}\n", "int32"),
       {"{f}:6", "'big'", "lookups", kInstructions}},
      {"CsvGemmN2To40",
       "t.csv",
       "Layer, M, N, K,\nbig, 64, " + k2To40 + ", 64,\n",
       {"{f}:2", "'big'", kInstructions}},
      {"CsvGemmM2To40",
       "t.csv",
       "Layer, M, N, K,\nbig, " + k2To40 + ", 64, 64,\n",
       {"{f}:2", "'big'", kInstructions}},
      {"CsvGemmK2To40",
       "t.csv",
       "Layer, M, N, K,\nbig, 64, 64, " + k2To40 + ",\n",
       {"{f}:2", "'big'", kInstructions}},
      {"CsvConvFilters2To40",
       "t.csv",
       "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
       "big, 32, 32, 3, 3, 3, " +
           k2To40 + ", 1,\n",
       {"{f}:2", "'big'", kDram}},
  };
}

class WorkloadSizes : public ::testing::TestWithParam<BadSize> {};

void expect_refused(const BadSize& c, const std::string& command) {
  const auto dir = fresh_dir("sizes_" + c.name + "_" + command);
  const std::string path = (dir / c.file_name).string();
  write_file(path, c.content);
  const std::string out = (dir / "out").string();
  const std::string args = command == "run" ? "run --workload '" + path + "' --out '" + out + "' --quiet"
                                            : "validate --workload '" + path + "'";
  const auto r = run_systole_bounded(args, dir);
  EXPECT_FALSE(r.timed_out) << command << ": killed after " << r.seconds << " s";
  EXPECT_EQ(r.exit_code, 2) << command << " stderr:\n" << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_LT(r.err.size(), 8192u) << "the message must be bounded:\n" << r.err.substr(0, 2000);
  for (const std::string& e : c.expected) {
    EXPECT_NE(r.err.find(substitute_path(e, path)), std::string::npos)
        << command << ": expected '" << substitute_path(e, path) << "' in stderr:\n"
        << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "report.json")) << "no report may be written on error";
  std::filesystem::remove_all(dir);
}

TEST_P(WorkloadSizes, ValidateRefusesNamingFileLayerAndLimit) {
  expect_refused(GetParam(), "validate");
}

TEST_P(WorkloadSizes, RunRefusesLikeValidate) {
  expect_refused(GetParam(), "run");
}

INSTANTIATE_TEST_SUITE_P(Cases, WorkloadSizes, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<BadSize>& info) { return info.param.name; });

}  // namespace
}  // namespace systole
