// add, sub, mul and div with NumPy broadcasting end to end (docs/workload-format.md, docs/onnx.md):
// functional runs verify against the reference on integers and floats, also when chunks cut
// through a broadcast row; a broadcast operand costs DRAM reads of its own size, not the
// output's; and ONNX's own node tests (libonnx-testdata), imported and run in fp32, give exactly
// their expected outputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <onnx/onnx_pb.h>
#include <nlohmann/json.hpp>

#include "support/net_report.h"
#include "support/process.h"
#include "systole/numeric/npy.h"
#include "systole/numeric/tensor.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::expect_all_verified;
using testing::fresh_dir;
using testing::kFloatArch;
using testing::layers_by_name;
using testing::q;
using testing::read_file;
using testing::run_report;
using testing::run_systole;
using testing::run_workload;
using testing::write_file;
using Json = nlohmann::json;

// Odd extents, so that chunks of a small ifmap start and end inside broadcast rows.
constexpr const char* kMasked = R"(name: broadcast_arith
inputs:
  - {name: scores, shape: [2, 3, 13, 11]}
  - {name: mask, shape: [2, 1, 1, 11]}
  - {name: scale, shape: [13, 1]}
layers:
  - {name: masked, type: sub, inputs: [scores, mask]}
  - {name: scaled, type: div, inputs: [masked, scale]}
  - {name: biased, type: add, inputs: [scaled, mask, scale]}
  - {name: gated, type: mul, inputs: [biased, scores]}
)";

TEST(BroadcastArithmetic, VerifiesOnIntegersAndFloatsAlsoWhenChunksCutBroadcastRows) {
  for (const std::string& flags :
       {std::string(""), std::string(kFloatArch),
        std::string(kFloatArch) + " --set core.scratchpads.ifmap.capacity_kib=1"}) {
    SCOPED_TRACE(flags);
    const Json timing = run_workload("broadcast_timing", kMasked, flags);
    const Json functional = run_workload("broadcast_functional", kMasked, "--functional --seed 11" + flags);
    ASSERT_FALSE(functional.is_null());
    expect_all_verified(functional);
    EXPECT_EQ(functional["total"]["cycles"], timing["total"]["cycles"]);
    const auto layers = layers_by_name(functional);
    // Lane operations: one per element and operand after the first, two for a division.
    EXPECT_EQ(layers.at("masked")["vector_ops"], 858);
    EXPECT_EQ(layers.at("scaled")["vector_ops"], 2 * 858);
    EXPECT_EQ(layers.at("biased")["vector_ops"], 2 * 858);
    EXPECT_EQ(layers.at("gated")["vector_ops"], 858);
    if (flags.find("capacity_kib=1") != std::string::npos) {
      // 512 B halves hold 128 fp16 elements of two operands: 7 chunks of LOAD, LOAD, VECTOR, STORE
      // (and a SYNC) for 858 outputs.
      EXPECT_GE(layers.at("masked")["instructions"].get<int64_t>(), 7 * 4);
    }
  }
}

TEST(BroadcastArithmetic, ABroadcastOperandIsReadAtItsOwnSize) {
  const Json r = run_workload("broadcast_bytes", R"(name: bias
inputs:
  - {name: x, shape: [4, 64, 64]}
  - {name: row, shape: [64]}
  - {name: col, shape: [4, 64, 1]}
layers:
  - {name: plus_row, type: add, inputs: [x, row]}
  - {name: over_col, type: div, inputs: [x, col]}
)",
                              "--set compiler.residency=off");
  ASSERT_FALSE(r.is_null());
  const auto layers = layers_by_name(r);
  // One chunk: the whole of x (16 KiB of int8) and the 64 B row (or the 256 B column), once.
  EXPECT_EQ(layers.at("plus_row")["dram_reads_bytes"], 16384 + 64);
  EXPECT_EQ(layers.at("plus_row")["dram_writes_bytes"], 16384);
  EXPECT_EQ(layers.at("over_col")["dram_reads_bytes"], 16384 + 256);
  // A division is a reciprocal and a multiply: two lane operations per element, priced as multiplies.
  EXPECT_EQ(layers.at("over_col")["vector_ops"], 2 * 16384);
  EXPECT_GT(layers.at("over_col")["cycles"].get<int64_t>(), layers.at("plus_row")["cycles"].get<int64_t>());
}

// A TensorProto of floats as a Tensor (the node tests store raw little-endian fp32).
Tensor tensor_of(const fs::path& pb) {
  onnx::TensorProto t;
  EXPECT_TRUE(t.ParseFromString(read_file(pb))) << pb;
  EXPECT_EQ(t.data_type(), onnx::TensorProto::FLOAT) << pb;
  Shape shape(t.dims().begin(), t.dims().end());
  Tensor out(DataType::kFp32, shape);
  const std::string& raw = t.raw_data();
  for (int64_t i = 0; i < out.elements(); ++i) {
    float v = 0.0f;
    if (!raw.empty()) {
      std::memcpy(&v, raw.data() + 4 * i, 4);
    } else {
      v = t.float_data(static_cast<int>(i));
    }
    out.set_float(i, v);
  }
  return out;
}

TEST(BroadcastArithmetic, OnnxNodeTestsGiveTheirExpectedOutputsInFp32) {
  const fs::path node = "/usr/share/libonnx-testdata/data/node";
  ASSERT_TRUE(fs::is_directory(node)) << "libonnx-testdata is missing (scripts/setup-deps)";
  const std::string fp32 =
      " --set core.array.input_type=fp32 --set core.array.weight_type=fp32 --set "
      "core.array.accumulator_type=fp32";
  for (const char* test : {"test_add_bcast", "test_sub_bcast", "test_mul_bcast", "test_div_bcast",
                           "test_sub_example", "test_div_example"}) {
    SCOPED_TRACE(test);
    const fs::path dir = fresh_dir(std::string("onnx_node_") + test);
    const fs::path data = node / test / "test_data_set_0";
    const auto imported =
        run_systole("import " + q(node / test / "model.onnx") + " --dtype fp32 -o " + q(dir / "w.yaml"), dir);
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    // The node tests' inputs are x and y: give them their data.
    std::string yaml = read_file(dir / "w.yaml");
    for (const char* input : {"x", "y"}) {
      const Tensor t = tensor_of(data / (std::string("input_") + (input[0] == 'x' ? "0" : "1") + ".pb"));
      write_npy((dir / (std::string(input) + ".npy")).string(), t);
      const std::string key = std::string("{name: \"") + input + "\", shape: ";
      const size_t at = yaml.find(key);
      ASSERT_NE(at, std::string::npos) << yaml;
      const size_t close = yaml.find('}', at);
      yaml.insert(close, std::string(", npy: ") + input + ".npy");
    }
    write_file(dir / "w.yaml", yaml);
    const Json r = run_report(
        dir, "--workload " + q(dir / "w.yaml") + " --functional --dump-tensors " + q(dir / "tensors") + fp32);
    ASSERT_FALSE(r.is_null());
    expect_all_verified(r);
    const Tensor want = tensor_of(data / "output_0.pb");
    const std::string out = r["layers"].back()["name"].get<std::string>();  // the node's one output
    const Tensor got = read_npy((dir / "tensors" / (out + ".npy")).string());
    ASSERT_EQ(got.shape, want.shape);
    for (int64_t i = 0; i < want.elements(); ++i) {
      ASSERT_EQ(got.get_float(i), want.get_float(i)) << "element " << i;
    }
  }
}

}  // namespace
}  // namespace systole
