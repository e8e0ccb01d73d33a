// Depthwise convolutions on the vector unit, end to end with real data (`systole run
// --functional`): every layer agrees exactly with the oracle for int8 and fp16, with padding,
// stride 2, dilation, a channel multiplier, fused relu / relu6 and row chunks; and the outputs
// are byte for byte those of the per-channel GEMM lowering (forced with a mapping file).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

// 13 x 11 planes: a 3x3 pad 1 + relu6, a 3x3 stride 2, a dilated 3x3 and a 5x5 with two output
// channels per input channel + relu.
const char* const kWorkload = R"(name: depthwise
inputs:
  - {name: x, shape: [1, 6, 13, 11]}
layers:
  - {name: dw1, type: conv2d, input: x, out_channels: 6, kernel: 3, padding: 1, groups: 6}
  - {name: r1, type: activation, input: dw1, function: relu6}
  - {name: dw2, type: conv2d, input: r1, out_channels: 6, kernel: 3, stride: 2, padding: 1, groups: 6}
  - {name: dw3, type: conv2d, input: dw2, out_channels: 6, kernel: 3, dilation: 2, padding: 2, groups: 6}
  - {name: dw4, type: conv2d, input: dw3, out_channels: 12, kernel: 5, padding: 2, groups: 6}
  - {name: r4, type: activation, input: dw4, function: relu}
)";

// Tilings for the depthwise layers keep them on the array (one GEMM per channel).
const char* const kGemmMapping = R"(layers:
  dw1: {tile: [16, 1, 9]}
  dw2: {tile: [16, 1, 9]}
  dw3: {tile: [16, 1, 9]}
  dw4: {tile: [16, 2, 25]}
)";

const char* const kFp16 =
    " --set core.array.input_type=fp16 --set core.array.weight_type=fp16 --set "
    "core.array.accumulator_type=fp32";

nlohmann::json run(const std::filesystem::path& dir, const std::string& name, const std::string& extra) {
  const auto r =
      run_systole("run --workload '" + (dir / "dw.yaml").string() + "' --functional --seed 5 --quiet" +
                      extra + " --dump-tensors '" + (dir / name / "tensors").string() + "' --out '" +
                      (dir / name / "out").string() + "'",
                  dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(read_file(dir / name / "out" / "report.json"));
}

// Every checked layer verified exactly; the depthwise layers mapped as `dataflow`.
void expect_verified(const nlohmann::json& report, const std::string& dataflow) {
  EXPECT_EQ(report["total"]["verified"], true);
  for (const auto& l : report["layers"]) {
    if (l["name"].get<std::string>().rfind("dw", 0) == 0) {
      EXPECT_EQ(l["mapping"]["dataflow"], dataflow) << l["name"];
      EXPECT_EQ(l["verified"], true) << l.dump();
      EXPECT_EQ(l["max_abs_error"].get<double>(), 0.0) << l["name"];
    }
  }
}

void expect_same_tensors(const std::filesystem::path& a, const std::filesystem::path& b) {
  for (const char* t : {"dw1", "dw2", "dw3", "dw4"}) {
    const std::string name = std::string(t) + ".npy";
    ASSERT_TRUE(std::filesystem::exists(a / name)) << a / name;
    EXPECT_EQ(read_file(a / name), read_file(b / name)) << name;
  }
}

class DepthwiseFunctional : public ::testing::TestWithParam<std::string> {};

TEST_P(DepthwiseFunctional, VectorUnitMatchesTheOracleAndTheGemmLowering) {
  const bool fp16 = GetParam() == "fp16";
  const auto dir = fresh_dir("depthwise_functional_" + GetParam());
  write_file(dir / "dw.yaml", kWorkload);
  write_file(dir / "gemm.yaml", kGemmMapping);
  const std::string types = fp16 ? kFp16 : "";
  const auto vec = run(dir, "vector", types);
  expect_verified(vec, "vector");
  const auto gemm = run(dir, "gemm", types + " --mapping '" + (dir / "gemm.yaml").string() + "'");
  expect_verified(gemm, "ws");
  expect_same_tensors(dir / "vector" / "tensors", dir / "gemm" / "tensors");
  // The vector unit did the depthwise MACs (priced as MACs) and read its kernels from the weight
  // scratchpad.
  const auto& dw1 = vec["layers"][0];
  EXPECT_EQ(dw1["macs"], 0);
  EXPECT_EQ(dw1["actions"]["vector_lane_ops"]["mac"], 6 * 13 * 11 * 9);
  EXPECT_EQ(dw1["actions"]["vector_lane_ops"]["add_on_accumulator"], 6 * 13 * 11);  // the fused relu6
  EXPECT_GT(dw1["actions"]["scratchpads"]["weight"]["read_accesses"].get<int64_t>(), 0);
}

INSTANTIATE_TEST_SUITE_P(Types, DepthwiseFunctional, ::testing::Values("int8", "fp16"));

TEST(DepthwiseFunctional, RowChunksWithTheirHaloMatchTheOracle) {
  // A 1 KiB ifmap scratchpad (512 B halves) holds no 40 x 60 plane: chunks of output rows.
  const auto dir = fresh_dir("depthwise_functional_rows");
  write_file(dir / "dw.yaml", R"(name: depthwise_rows
inputs:
  - {name: x, shape: [1, 2, 40, 60]}
layers:
  - {name: dw1, type: conv2d, input: x, out_channels: 2, kernel: 3, stride: 2, padding: 1, groups: 2}
  - {name: r1, type: activation, input: dw1, function: relu6}
  - {name: dw2, type: conv2d, input: r1, out_channels: 4, kernel: 3, dilation: 2, padding: 2, groups: 2}
)");
  const auto report = run(dir, "rows", " --set core.scratchpads.ifmap.capacity_kib=1");
  expect_verified(report, "vector");
  EXPECT_GT(report["layers"][0]["mapping"]["tiles"].get<int64_t>(), 2);  // more than one chunk per plane
}

}  // namespace
}  // namespace systole
