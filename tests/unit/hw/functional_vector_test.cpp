// Standalone vector layers in functional simulation (not fused into a GEMM): relu and relu6 in
// every number format; gelu, sigmoid, tanh, softmax and layernorm in the float formats; each
// verified against oracle/reference.h, over tensors large enough to be cut into several chunks.
// The clamps are exercised: int8 relu6 sees values far above 6, and the float relu6 runs on an
// 8-way sum whose range is [-8, 8).
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include <fmt/format.h>

#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/hw/core/simulate.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

const char* kRelus = R"(
name: relus
inputs:
  - {name: x, shape: [2, 3, 16, 16]}
layers:
  - {name: r, type: activation, input: x, function: relu}
  - {name: r6, type: activation, input: x, function: relu6}
  - {name: wide, type: add, inputs: [x, x, x, x, x, x, x, x]}
  - {name: wide_r6, type: activation, input: wide, function: relu6}
)";

const char* kFloatOnly = R"(
name: floats
inputs:
  - {name: x, shape: [2, 3, 16, 16]}
layers:
  - {name: g, type: activation, input: x, function: gelu}
  - {name: s, type: activation, input: x, function: sigmoid}
  - {name: t, type: activation, input: x, function: tanh}
  - {name: sm, type: softmax, input: x}
  - {name: ln, type: layernorm, input: x}
)";

ArchSpec arch(const std::string& in, const std::string& fidelity) {
  const bool ints = in == "int8" || in == "int16";
  return load_arch_from_string(fmt::format(R"(
schema_version: 1
name: tiny
core:
  array: {{rows: 4, cols: 4, dataflow: ws, input_type: {}, weight_type: {}, accumulator_type: {}, fidelity: {}}}
  scratchpads:
    ifmap: {{capacity_kib: 1}}
    weight: {{capacity_kib: 1}}
    ofmap: {{capacity_kib: 1}}
)",
                                           in, in, ints ? "int32" : "fp32", fidelity),
                               "tiny.yaml");
}

SimResult run(const ArchSpec& a, const Network& net, Program* program) {
  *program = compile(a, net);
  SimOptions opt;
  opt.functional = true;
  opt.seed = 5;
  opt.network = &net;
  opt.keep_tensors = true;
  return simulate(a, *program, opt);
}

// VECTOR instructions of the layer named `name`.
int64_t vector_chunks(const Program& p, const std::string& name) {
  int64_t n = 0;
  for (const Instruction& in : p.instructions) {
    n += in.op == Opcode::kVector && p.layers.at(in.layer).name == name;
  }
  return n;
}

void expect_all_verified(const SimResult& r, bool ints) {
  for (const LayerStats& l : r.layers) {
    EXPECT_EQ(l.verified, "true") << l.name << ": " << l.first_mismatch;
    if (ints) {
      EXPECT_EQ(l.max_abs_error, 0.0) << l.name;
    }
  }
  EXPECT_EQ(r.total.verified, "true");
}

using Case = std::tuple<std::string, std::string>;  // input type, fidelity
std::string case_name(const ::testing::TestParamInfo<Case>& i) {
  return std::get<0>(i.param) + "_" + std::get<1>(i.param);
}

class FunctionalRelu : public ::testing::TestWithParam<Case> {};

TEST_P(FunctionalRelu, MatchesTheReferenceAndClamps) {
  const auto& [type, fidelity] = GetParam();
  const bool ints = type == "int8" || type == "int16";
  const ArchSpec a = arch(type, fidelity);
  const Network net = load_network_from_string(kRelus, "relus.yaml");
  Program p;
  const SimResult r = run(a, net, &p);
  EXPECT_GT(vector_chunks(p, "r"), 1);  // the tensor does not fit one scratchpad half
  expect_all_verified(r, ints);
  // relu keeps the positives and zeroes the rest; relu6 clamps to [0, 6] and reaches 6.
  const Tensor& x = r.tensors.at("wide");
  const Tensor& y = r.tensors.at("wide_r6");
  const Tensor& rr = r.tensors.at("r");
  int64_t at_six = 0, positive = 0;
  for (int64_t e = 0; e < y.elements(); ++e) {
    EXPECT_GE(y.get_float(e), 0.0f);
    EXPECT_LE(y.get_float(e), 6.0f);
    at_six += y.get_float(e) == 6.0f;
    positive += rr.get_float(e) > 0.0f;
  }
  EXPECT_GT(at_six, 0);
  EXPECT_GT(positive, rr.elements() / 4);
  EXPECT_EQ(x.shape, y.shape);
}

INSTANTIATE_TEST_SUITE_P(Formats, FunctionalRelu,
                         ::testing::Combine(::testing::Values("int8", "int16", "fp16", "bf16", "fp32"),
                                            ::testing::Values("tile", "rtl")),
                         case_name);

class FunctionalFloatVector : public ::testing::TestWithParam<Case> {};

TEST_P(FunctionalFloatVector, MatchesTheReference) {
  const auto& [type, fidelity] = GetParam();
  const ArchSpec a = arch(type, fidelity);
  const Network net = load_network_from_string(kFloatOnly, "floats.yaml");
  Program p;
  const SimResult r = run(a, net, &p);
  EXPECT_GT(vector_chunks(p, "sm"), 1);
  expect_all_verified(r, false);
  // Softmax rows sum to 1 and layernorm rows have mean 0 (a sanity check on the data itself).
  const Tensor& sm = r.tensors.at("sm");
  const Tensor& ln = r.tensors.at("ln");
  const int64_t row = sm.shape.back();
  for (int64_t r0 = 0; r0 < sm.elements(); r0 += row) {
    double s = 0.0, m = 0.0;
    for (int64_t i = 0; i < row; ++i) s += sm.get_float(r0 + i), m += ln.get_float(r0 + i);
    EXPECT_NEAR(s, 1.0, 0.05) << r0;
    EXPECT_NEAR(m / static_cast<double>(row), 0.0, 0.05) << r0;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, FunctionalFloatVector,
                         ::testing::Combine(::testing::Values("fp16", "bf16", "fp32"),
                                            ::testing::Values("tile", "rtl")),
                         case_name);

}  // namespace
}  // namespace systole
