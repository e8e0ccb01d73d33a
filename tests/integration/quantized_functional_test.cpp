// Integer functional runs of the float-only vector functions (numeric/quantized.h): the shipped
// BERT encoder's structure at 16 tokens and a Llama decode step (RMSNorm, rotary, causal
// softmax, SiLU) in int8, every layer bit-exact against the reference, with timing unchanged
// from the timing-only run.
#include <filesystem>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process.h"
#include "systole/numeric/npy.h"
#include "systole/numeric/tensor.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;
using Json = nlohmann::json;

Json run(const fs::path& dir, const std::string& name, const std::string& args) {
  const auto r = run_systole("run -q " + args + " --out " + q(dir / name), dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? Json::parse(read_file(dir / name / "report.json")) : Json();
}

void expect_bit_exact(const Json& report) {
  ASSERT_FALSE(report.is_null());
  int compared = 0;
  for (const Json& l : report["layers"]) {
    if (l["verified"].is_null()) continue;
    EXPECT_EQ(l["verified"], true) << l["name"] << ": " << l["first_mismatch"];
    EXPECT_EQ(l["max_abs_error"], 0.0) << l["name"];
    ++compared;
  }
  EXPECT_GT(compared, 5);
  EXPECT_EQ(report["total"]["verified"], true);
}

TEST(QuantizedFunctional, TheShippedBertEncoderRunsInInt8BitExactly) {
  const auto dir = fresh_dir("quantized_bert");
  std::string bert = read_file(fs::path(SYSTOLE_SOURCE_DIR) / "workloads" / "bert_base_encoder.yaml");
  bert = std::regex_replace(bert, std::regex("\\b128\\b"), "16");  // the sequence: 16 tokens
  write_file(dir / "bert16.yaml", bert);
  const Json functional = run(dir, "functional", "--workload " + q(dir / "bert16.yaml") + " --functional");
  expect_bit_exact(functional);
  const Json timing = run(dir, "timing", "--workload " + q(dir / "bert16.yaml"));
  EXPECT_EQ(functional["total"]["cycles"], timing["total"]["cycles"]);
}

TEST(QuantizedFunctional, ALlamaDecodeStepRunsInInt8BitExactly) {
  const auto dir = fresh_dir("quantized_llama");
  write_file(dir / "tiny.yaml", R"(name: tiny_llama
decoder: {family: llama, layers: 2, hidden: 64, heads: 4, kv_heads: 2, ffn: 96, vocab: 100, max_context: 32,
          context: 6, batch: 2}
)");
  expect_bit_exact(run(dir, "decode", "--workload " + q(dir / "tiny.yaml") + " --functional"));
  expect_bit_exact(
      run(dir, "prefill", "--workload " + q(dir / "tiny.yaml") + " --functional --phase prefill"));
}

TEST(QuantizedFunctional, EveryFloatActivationRunsOnIntegers) {
  const auto dir = fresh_dir("quantized_activations");
  std::string layers;
  for (const char* f : {"gelu", "sigmoid", "tanh", "silu", "hardswish"}) {
    layers += std::string("  - {name: ") + f + ", type: activation, function: " + f + ", input: h}\n";
  }
  write_file(dir / "acts.yaml",
             "name: acts\ninputs:\n  - {name: x, shape: [4, 96]}\nlayers:\n"
             "  - {name: h, type: fc, out_features: 64}\n" +
                 layers);
  for (const char* t : {"int8", "int16"}) {
    SCOPED_TRACE(t);
    expect_bit_exact(run(dir, t,
                         "--workload " + q(dir / "acts.yaml") + " --functional --set core.array.input_type=" +
                             t + " --set core.array.weight_type=" + t));
  }
}

// The workload's own scales and zero points (quant), through a reshape and a transpose, on every
// kind of quantised function: bit-exact against the reference, and not what the fixed ranges give.
constexpr const char* kQuantised = R"(name: quantised
inputs:
  - {name: x, shape: [2, 16, 32], quant: {scale: 0.02, zero_point: 3}}
layers:
  - {name: r, type: reshape, input: x, shape: [2, 32, 16]}
  - {name: sm, type: softmax, input: r, quant: {scale: 0.00390625, zero_point: -128}}
  - {name: g, type: activation, function: gelu, input: x, quant: {scale: 0.015, zero_point: -20}}
  - {name: ln, type: layernorm, input: g, quant: {scale: 0.03}}
  - {name: t, type: transpose, input: ln, perm: [0, 2, 1]}
  - {name: th, type: activation, function: tanh, input: t}
  - {name: rms, type: rmsnorm, input: x, quant: {scale: 0.05, zero_point: 7}}
)";

TEST(QuantizedFunctional, TheWorkloadsOwnScalesAndZeroPointsRunBitExactly) {
  const auto dir = fresh_dir("quantized_own_scales");
  write_file(dir / "q.yaml", kQuantised);
  std::string plain = kQuantised;
  for (size_t at; (at = plain.find(", quant: {")) != std::string::npos;)
    plain.erase(at, plain.find('}', at) + 1 - at);
  write_file(dir / "plain.yaml", plain);
  expect_bit_exact(
      run(dir, "own", "--workload " + q(dir / "q.yaml") + " --dump-tensors " + q(dir / "own_t")));
  expect_bit_exact(
      run(dir, "fixed", "--workload " + q(dir / "plain.yaml") + " --dump-tensors " + q(dir / "fixed_t")));
  for (const char* layer : {"sm", "g", "ln", "th", "rms"}) {
    const Tensor own = read_npy((dir / "own_t" / (std::string(layer) + ".npy")).string());
    const Tensor fixed = read_npy((dir / "fixed_t" / (std::string(layer) + ".npy")).string());
    int64_t differ = 0;
    for (int64_t i = 0; i < own.elements(); ++i) differ += own.get_int(i) != fixed.get_int(i);
    EXPECT_GT(differ, own.elements() / 2) << layer;
  }
}

}  // namespace
}  // namespace systole
