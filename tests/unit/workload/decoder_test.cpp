// Decoder workloads (workload/decoder.h): the generated step has the published parameter counts,
// the closed-form MACs of a prefill and a decode step, KV caches of the right shape, and a bad
// spec or request is refused naming the key.
#include "systole/workload/decoder.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/common/input_file.h"
#include "workload_test_util.h"

namespace systole::test {
namespace {

std::string preset(const std::string& name) {
  return read_input_file_as<WorkloadError>(std::string(SYSTOLE_SOURCE_DIR) + "/workloads/" + name + ".yaml",
                                           "workload", kMaxWorkloadBytes);
}

Network step(const std::string& name, const std::string& phase, int64_t context, int64_t batch) {
  return load_decoder_network(preset(name), name + ".yaml", DecoderRequest{phase, context, batch});
}

int64_t weights(const Network& net) {
  int64_t n = 0;
  for (const Layer& l : net.layers) n += l.weight_elements;
  return n;
}

int64_t count_kind(const Network& net, const std::string& kind) {
  int64_t n = 0;
  for (const Layer& l : net.layers) n += l.kind == LayerKind(kind.c_str());
  return n;
}

// MACs of one step, derived from the architecture (not from the generator): per layer the Q, K,
// V, O projections (K and V at kv_heads x head_dim), the feed-forward (3 matrices for SwiGLU, 2
// for GELU), QK^T and AV over the L + S positions every query sees (causal masking is not
// skipped: the array computes the masked scores too); the LM head for the last token only.
int64_t closed_form_macs(int64_t layers, int64_t h, int64_t heads, int64_t kv_heads, int64_t ffn,
                         int64_t vocab, bool swiglu, int64_t batch, int64_t s, int64_t l) {
  const int64_t d = h / heads;
  const int64_t proj = s * (2 * h * h + 2 * h * kv_heads * d);
  const int64_t ff = s * (swiglu ? 3 : 2) * h * ffn;
  const int64_t attention = 2 * heads * s * (l + s) * d;
  return batch * (layers * (proj + ff + attention) + h * vocab);
}

TEST(Decoder, Llama7bHasThePublishedParameterCount) {
  const Network net = step("llama7b", "decode", 2048, 1);
  // Touvron et al. 2023 (Llama 2, Table 1): 7B; the released checkpoint holds 6,738,415,616
  // parameters (the RMSNorm scales included).
  EXPECT_EQ(weights(net), 6738415616);
  EXPECT_EQ(net.decoder.family, "llama");
  EXPECT_EQ(net.decoder.layers, 32);
}

TEST(Decoder, Llama3HasGroupedQueryAttentionAndThePublishedParameterCount) {
  const Network net = step("llama3_8b", "decode", 100, 2);
  EXPECT_EQ(weights(net), 8030261248);  // Meta-Llama-3-8B's 8,030,261,248 parameters
  const TensorInput* cache = net.find_input("l0.k_cache");
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->shape, (Shape{100, 2, 8, 128}));  // [L, B, kv_heads, head_dim]
  const Layer* scores = net.find_layer("l0.scores");
  ASSERT_NE(scores, nullptr);
  EXPECT_EQ(scores->output_shape, (Shape{2, 8, 4, 101}));  // 4 query heads per KV head, 1 token each
  EXPECT_EQ(net.total_macs(), closed_form_macs(32, 4096, 32, 8, 14336, 128256, true, 2, 1, 100));
}

TEST(Decoder, Gpt2SmallMatchesItsConfig) {
  const Network net = step("gpt2_small", "decode", 512, 1);
  // 124,439,808 parameters with the LM head tied to the token embedding; Systole streams the LM
  // head as a matrix of its own (38,597,376 more) and reads only the embedding rows it gathers.
  // Its biases (per layer 2304 + 768 + 3072 + 768) are not modelled.
  EXPECT_EQ(weights(net), 124439808 - 12 * (2304 + 768 + 3072 + 768) + 50257 * 768);
  EXPECT_EQ(count_kind(net, "layernorm"), 2 * 12 + 1);
  EXPECT_EQ(count_kind(net, "gather"), 2);  // tokens and positions
  EXPECT_EQ(net.total_macs(), closed_form_macs(12, 768, 12, 12, 3072, 50257, false, 1, 1, 512));
}

TEST(Decoder, PrefillHasNoCacheInputsAndComputesTheLastTokensLogits) {
  const Network net = step("llama7b", "prefill", 128, 4);
  EXPECT_EQ(net.inputs.size(), 1u);  // the tokens only
  EXPECT_EQ(net.inputs[0].shape, (Shape{4, 128}));
  EXPECT_EQ(net.decoder.phase, "prefill");
  EXPECT_EQ(net.decoder.new_tokens, 128);
  EXPECT_EQ(net.decoder.cached_tokens, 0);
  EXPECT_EQ(net.find_layer("l31.k_cache_out")->output_shape, (Shape{128, 4, 32, 128}));
  EXPECT_EQ(net.find_layer("lm_head")->output_shape, (Shape{4, 1, 32000}));
  EXPECT_EQ(net.total_macs(), closed_form_macs(32, 4096, 32, 32, 11008, 32000, true, 4, 128, 0));
  EXPECT_EQ(net.decoder.kv_tensors.size(), 64u);
}

TEST(Decoder, DecodeAppendsOneTokenToEveryLayersCaches) {
  const Network net = step("llama7b", "decode", 2048, 8);
  EXPECT_EQ(net.inputs.size(), 1u + 64u);
  EXPECT_EQ(net.find_input("l5.v_cache")->shape, (Shape{2048, 8, 32, 128}));
  const Layer* append = net.find_layer("l5.v_cache_out");
  ASSERT_NE(append, nullptr);
  EXPECT_EQ(append->inputs, (std::vector<std::string>{"l5.v_cache", "l5.v_heads"}));
  EXPECT_EQ(append->output_shape, (Shape{2049, 8, 32, 128}));
  EXPECT_EQ(net.find_layer("l5.k_rope")->kind, LayerKind("rotary"));
  EXPECT_EQ(net.total_macs(), closed_form_macs(32, 4096, 32, 32, 11008, 32000, true, 8, 1, 2048));
}

TEST(Decoder, TheSpecsOwnStepIsTheDefault) {
  const Network net = load_network(std::string(SYSTOLE_SOURCE_DIR) + "/workloads/gpt2_small.yaml");
  EXPECT_EQ(net.decoder.phase, "decode");
  EXPECT_EQ(net.decoder.cached_tokens, 512);
  EXPECT_EQ(net.decoder.batch, 1);
}

TEST(Decoder, TheGeneratedTextIsDeterministicAndLoadsAsAnyWorkload) {
  const std::string a = decoder_workload_yaml(preset("llama3_8b"), "x.yaml", {"decode", 7, 3});
  EXPECT_EQ(a, decoder_workload_yaml(preset("llama3_8b"), "x.yaml", {"decode", 7, 3}));
  EXPECT_EQ(load_yaml_network(a, "generated.yaml").total_macs(),
            closed_form_macs(32, 4096, 32, 8, 14336, 128256, true, 3, 1, 7));
}

constexpr const char* kTiny = R"(name: tiny
dtype: fp16
decoder:
  family: llama
  layers: 2
  hidden: 64
  heads: 4
  kv_heads: 2
  ffn: 96
  vocab: 100
  max_context: 32
  context: 8
)";

std::string with(const std::string& from, const std::string& to) {
  std::string s = kTiny;
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

void expect_refused(const std::string& text, const std::string& key, const std::string& rule) {
  try {
    load_decoder_network(text, "spec.yaml", {});
    ADD_FAILURE() << "accepted; expected " << key << ": " << rule;
  } catch (const WorkloadError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("spec.yaml"), std::string::npos) << what;
    EXPECT_NE(what.find(key), std::string::npos) << what;
    EXPECT_NE(what.find(rule), std::string::npos) << what;
  }
}

TEST(Decoder, BadSpecsAreRefusedNamingTheKey) {
  expect_refused(with("family: llama", "family: mamba"), "decoder.family", "must be llama or gpt2");
  expect_refused(with("kv_heads: 2", "kv_heads: 3"), "decoder.kv_heads", "must divide heads (4)");
  expect_refused(with("heads: 4", "heads: 5"), "decoder.heads", "must divide hidden (64)");
  expect_refused(with("layers: 2", "layers: 0"), "decoder.layers", "must be an integer in [1, 1024]");
  expect_refused(with("layers: 2", "layers: 100000000"), "decoder.layers", "[1, 1024]");
  expect_refused(with("vocab: 100", "vocab: many"), "decoder.vocab", "");
  expect_refused(with("  ffn: 96\n", ""), "decoder.ffn", "required");
  expect_refused(with("  context: 8\n", "  context: 8\n  contxt: 9\n"), "decoder.contxt", "context");
  expect_refused(with("family: llama", "family: gpt2\n  rope_theta: 5"), "decoder.rope_theta", "llama only");
  expect_refused(with("  hidden: 64\n", "  hidden: 64\n  head_dim: 15\n"), "decoder.head_dim", "even");
}

TEST(Decoder, ARequestPastTheMaximumContextIsAUserError) {
  try {
    load_decoder_network(kTiny, "spec.yaml", {"decode", 32, 1});
    ADD_FAILURE() << "accepted";
  } catch (const UserError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--context 32"), std::string::npos) << what;
    EXPECT_NE(what.find("decoder.max_context = 32"), std::string::npos) << what;
  }
  EXPECT_THROW(load_decoder_network(kTiny, "spec.yaml", {"sample", 0, 0}), UserError);
  EXPECT_EQ(load_decoder_network(kTiny, "spec.yaml", {"decode", 31, 1}).decoder.cached_tokens, 31);
  EXPECT_EQ(load_decoder_network(kTiny, "spec.yaml", {"prefill", 32, 1}).decoder.new_tokens, 32);
}

TEST(Decoder, OnlyAMapWithADecoderKeyIsASpec) {
  EXPECT_TRUE(is_decoder_spec(kTiny));
  EXPECT_FALSE(is_decoder_spec("name: x\ninputs: []\n"));
  EXPECT_FALSE(is_decoder_spec("[unclosed"));
  EXPECT_FALSE(is_decoder_spec(""));
}

}  // namespace
}  // namespace systole::test
