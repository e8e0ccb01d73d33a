// Functional simulation end to end: compile a small network (strided, padded, dilated and grouped
// convs, tiles spanning images, k split over tiles, a fused relu, a reshape, an fc with a fused
// relu6), run it with real data, and require every layer to match the reference, for each
// dataflow, number format and array fidelity. Also: a corrupted weight is caught and named,
// unsupported layers are refused up front.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/hw/core/simulate.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

const char* kNet = R"(
name: tiny
inputs:
  - {name: x, shape: [2, 3, 9, 9]}
layers:
  - {name: conv1, type: conv2d, out_channels: 8, kernel: 3, stride: 2, padding: 1}
  - {name: relu1, type: relu}
  - {name: conv2, type: conv2d, out_channels: 6, kernel: 3, dilation: 2, padding: 2, groups: 2}
  - {name: conv3, type: conv2d, input: relu1, out_channels: 6, kernel: 1}
  - {name: sum, type: add, inputs: [conv2, conv3]}
  - {name: flat, type: reshape, shape: [2, -1]}
  - {name: fc, type: fc, out_features: 5}
  - {name: fc_act, type: activation, function: relu6}
)";

ArchSpec arch(const std::string& dataflow, const std::string& in, const std::string& acc,
              const std::string& fidelity, int kib = 1) {
  return load_arch_from_string(fmt::format(R"(
schema_version: 1
name: tiny
core:
  array: {{rows: 4, cols: 4, dataflow: {}, input_type: {}, weight_type: {}, accumulator_type: {}, fidelity: {}}}
  scratchpads:
    ifmap: {{capacity_kib: {}}}
    weight: {{capacity_kib: {}}}
    ofmap: {{capacity_kib: {}}}
)",
                                           dataflow, in, in, acc, fidelity, kib, kib, kib),
                               "tiny.yaml");
}

using Case = std::tuple<std::string, std::string, std::string>;  // dataflow, input type, fidelity

class FunctionalSim : public ::testing::TestWithParam<Case> {};

TEST_P(FunctionalSim, EveryLayerMatchesTheReference) {
  const auto& [df, type, fidelity] = GetParam();
  const bool ints = type == "int8" || type == "int16";
  const ArchSpec a = arch(df, type, ints ? "int32" : "fp32", fidelity);
  const Network net = load_network_from_string(kNet, "tiny.yaml");
  const Program p = compile(a, net);
  SimOptions opt;
  opt.functional = true;
  opt.seed = 7;
  opt.network = &net;
  opt.keep_tensors = true;
  const SimResult r = simulate(a, p, opt);
  ASSERT_EQ(r.layers.size(), net.layers.size());
  for (const LayerStats& l : r.layers) {
    if (l.type == "reshape") {
      EXPECT_EQ(l.verified, "") << l.name;
      continue;
    }
    EXPECT_EQ(l.verified, "true") << l.name << ": " << l.first_mismatch;
    if (ints) {
      EXPECT_EQ(l.max_abs_error, 0.0) << l.name;
    }
  }
  EXPECT_EQ(r.total.verified, "true");
  // The outputs are not trivially zero: the requantisation keeps a useful range.
  const Tensor& c1 = r.tensors.at("conv1");
  int64_t nonzero = 0;
  for (int64_t e = 0; e < c1.elements(); ++e) nonzero += c1.get_float(e) != 0.0f;
  EXPECT_GT(nonzero, c1.elements() / 4);
  // The tiles really were split: more MATMULs than layers, k split (accumulate) somewhere.
  int64_t accumulating = 0;
  for (const Instruction& in : p.instructions)
    accumulating += in.op == Opcode::kMatmul && in.matmul().accumulate;
  EXPECT_GT(accumulating, 0);
}

INSTANTIATE_TEST_SUITE_P(Formats, FunctionalSim,
                         ::testing::Combine(::testing::Values("ws", "os", "is"),
                                            ::testing::Values("int8", "int16", "fp16", "bf16", "fp32"),
                                            ::testing::Values("tile", "rtl")),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return std::get<0>(i.param) + "_" + std::get<1>(i.param) + "_" +
                                  std::get<2>(i.param);
                         });

TEST(FunctionalSimCheck, CorruptedWeightIsCaughtAndNamed) {
  const ArchSpec a = arch("ws", "int8", "int32", "tile");
  const Network net = load_network_from_string(kNet, "tiny.yaml");
  const Program p = compile(a, net);
  uint64_t addr = 0;
  for (const TensorPlacement& t : p.tensors) {
    if (t.name == "conv3.weight") addr = t.dram_addr;
  }
  SimOptions opt;
  opt.functional = true;
  opt.network = &net;
  // After the run, flip weight [0, 0, 0, 0] of conv3: the array used the original value, so the
  // reference (which reads the weights back from DRAM) now disagrees on output channel 0.
  opt.before_verify = [addr](std::vector<uint8_t>& dram) {
    dram[addr] = static_cast<uint8_t>(dram[addr] ^ 0x55);
  };
  const SimResult r = simulate(a, p, opt);
  const LayerStats* conv3 = nullptr;
  for (const LayerStats& l : r.layers) {
    if (l.name == "conv3") conv3 = &l;
    if (l.name == "conv1" || l.name == "conv2" || l.name == "fc") {
      EXPECT_EQ(l.verified, "true") << l.name;
    }
  }
  ASSERT_NE(conv3, nullptr);
  EXPECT_EQ(conv3->verified, "false");
  EXPECT_GT(conv3->max_abs_error, 0.0);
  EXPECT_EQ(conv3->first_mismatch.rfind("conv3[0,0,", 0), 0u) << conv3->first_mismatch;
  EXPECT_NE(conv3->first_mismatch.find("got"), std::string::npos);
  EXPECT_EQ(r.total.verified, "false");
}

TEST(FunctionalSimCheck, MixedIntegerAndFloatFormatsAreRefused) {
  ArchSpec a = arch("ws", "int8", "int32", "tile");
  a.core.array.weight_type = DataType::kFp16;
  const Network net = load_network_from_string(kNet, "tiny.yaml");
  SimOptions opt;
  opt.functional = true;
  opt.network = &net;
  EXPECT_THROW(simulate(a, compile(a, net), opt), ConfigError);
}

}  // namespace
}  // namespace systole
