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

}  // namespace
}  // namespace systole
