// Decoder workloads: the `decoder:` spec read and expanded into one inference step's layers
// (workload/decoder.h; the layers and why in docs/llm.md).
#include "systole/workload/decoder.h"

#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/text.h"
#include "systole/config/yaml_document.h"
#include "systole/workload/loader.h"
#include "yaml_reader.h"

namespace systole {
namespace {

using workload_yaml::line_of;
using workload_yaml::Reader;
using workload_yaml::text_of;

// Bounds that keep a one-line spec from generating an unbounded workload (docs/reliability.md).
constexpr int64_t kMaxDecoderLayers = 1024;
constexpr int64_t kMaxDimension = int64_t{1} << 20;  // hidden, heads, ffn, head_dim
constexpr int64_t kMaxVocab = int64_t{1} << 24;
constexpr int64_t kMaxContext = int64_t{1} << 24;  // tokens per sequence
constexpr int64_t kMaxBatch = int64_t{1} << 16;

struct DecoderSpec {
  std::string name, source, dtype = "int8";
  std::string family;
  int64_t layers = 0, hidden = 0, heads = 0, kv_heads = 0, head_dim = 0, ffn = 0, vocab = 0;
  int64_t max_context = 0;
  double rope_theta = 10000.0;
  // The step the spec runs by default.
  std::string phase = "decode";
  int64_t context = 0, batch = 1;
};

// Reads `key` of `map` as an integer in [lo, hi] into *out (required unless `optional`).
bool read_bounded(Reader& r, const YAML::Node& map, const std::string& key, int64_t lo, int64_t hi,
                  bool optional, const std::string& meaning, int64_t* out) {
  const std::string path = "decoder." + key;
  if (!map[key]) {
    if (!optional) r.fail(map, line_of(map), path, "", "required: " + meaning);
    return optional;
  }
  int64_t v = 0;
  if (!r.get_int(map[key], path, &v)) return false;
  if (v < lo || v > hi) {
    r.fail(map[key], line_of(map), path, text_of(map[key]),
           fmt::format("must be an integer in [{}, {}]: {}", lo, hi, meaning));
    return false;
  }
  *out = v;
  return true;
}

DecoderSpec read_spec(const std::string& text, const std::string& source_name) {
  const YamlDocument doc = parse_yaml_document(text, source_name);
  if (!doc.problems.empty()) throw WorkloadError(doc.problems);
  const YAML::Node& root = doc.root;
  Reader r(source_name, doc);
  DecoderSpec s;
  r.check_keys(root, "", {"name", "source", "dtype", "decoder"}, "a decoder workload");
  if (!root["name"])
    r.fail(root, 1, "name", "", "required");
  else
    r.get_string(root["name"], "name", &s.name);
  if (root["source"]) r.get_string(root["source"], "source", &s.source);
  if (root["dtype"]) r.get_string(root["dtype"], "dtype", &s.dtype);  // checked by the workload reader
  const YAML::Node& d = root["decoder"];
  if (!d.IsMap()) {
    r.fail(d, 1, "decoder", text_of(d), "must be a map of the decoder's hyper-parameters (docs/llm.md)");
    throw WorkloadError(r.diags().take());
  }
  r.check_keys(d, "decoder.",
               {"family", "layers", "hidden", "heads", "kv_heads", "head_dim", "ffn", "vocab", "max_context",
                "rope_theta", "phase", "context", "batch"},
               "a decoder");
  const int line = line_of(d);
  if (!d["family"]) {
    r.fail(d, line, "decoder.family", "", "required: llama or gpt2");
  } else if (r.get_string(d["family"], "decoder.family", &s.family) && s.family != "llama" &&
             s.family != "gpt2") {
    r.fail(d["family"], line, "decoder.family", s.family, "must be llama or gpt2");
  }
  read_bounded(r, d, "layers", 1, kMaxDecoderLayers, false, "decoder layers", &s.layers);
  read_bounded(r, d, "hidden", 1, kMaxDimension, false, "the model width", &s.hidden);
  const bool heads_ok =
      read_bounded(r, d, "heads", 1, kMaxDimension, false, "attention (query) heads", &s.heads);
  s.kv_heads = s.heads;
  const bool kv_ok =
      read_bounded(r, d, "kv_heads", 1, kMaxDimension, true, "key/value heads (default: heads)", &s.kv_heads);
  read_bounded(r, d, "head_dim", 1, kMaxDimension, true, "elements per head (default: hidden / heads)",
               &s.head_dim);
  read_bounded(r, d, "ffn", 1, kMaxDimension, false, "the feed-forward width", &s.ffn);
  read_bounded(r, d, "vocab", 1, kMaxVocab, false, "the vocabulary size", &s.vocab);
  read_bounded(r, d, "max_context", 1, kMaxContext, false, "the longest sequence (cached + new tokens)",
               &s.max_context);
  if (d["rope_theta"]) {
    if (r.get_number(d["rope_theta"], "decoder.rope_theta", &s.rope_theta) &&
        !(s.rope_theta > 1.0 && s.rope_theta <= 1e12)) {
      r.fail(d["rope_theta"], line, "decoder.rope_theta", text_of(d["rope_theta"]),
             "must be a number in (1, 1e12]: the base of the rotary angles");
    }
  }
  if (d["phase"] && r.get_string(d["phase"], "decoder.phase", &s.phase) && s.phase != "prefill" &&
      s.phase != "decode") {
    r.fail(d["phase"], line, "decoder.phase", s.phase, "must be prefill or decode");
  }
  read_bounded(r, d, "context", 1, kMaxContext, false,
               "the step's default context: prompt tokens (prefill) or cached tokens (decode)", &s.context);
  read_bounded(r, d, "batch", 1, kMaxBatch, true, "the default number of sequences (default 1)", &s.batch);
  if (!r.diags().empty()) throw WorkloadError(r.diags().take());
  if (s.head_dim == 0) {
    if (s.hidden % s.heads != 0) {
      r.fail(d["heads"], line, "decoder.heads", std::to_string(s.heads),
             fmt::format("must divide hidden ({}), or give head_dim", s.hidden));
    }
    s.head_dim = s.hidden / s.heads;
  }
  if (heads_ok && kv_ok && s.heads % s.kv_heads != 0) {
    r.fail(d["kv_heads"] ? d["kv_heads"] : d, line, "decoder.kv_heads", std::to_string(s.kv_heads),
           fmt::format("must divide heads ({}): each KV head serves an equal group of query heads", s.heads));
  }
  if (s.family == "llama" && s.head_dim % 2 != 0) {
    r.fail(d, line, "decoder.head_dim", std::to_string(s.head_dim),
           "must be even for llama: rotary embeddings rotate pairs of elements");
  }
  if (s.family == "gpt2" && d["rope_theta"]) {
    r.fail(d["rope_theta"], line, "decoder.rope_theta", text_of(d["rope_theta"]),
           "applies to family llama only (gpt2 has learned position embeddings)");
  }
  if (!r.diags().empty()) throw WorkloadError(r.diags().take());
  return s;
}

// The step after the request's overrides, checked against the spec. The request comes from the
// command line: its errors name the flag.
struct Step {
  std::string phase;
  int64_t batch = 0, tokens = 0, cached = 0;  // S new tokens per sequence, L cached ones
};

Step resolve_step(const DecoderSpec& s, const DecoderRequest& req, const std::string& source_name) {
  Step st;
  st.phase = req.phase.empty() ? s.phase : req.phase;
  if (st.phase != "prefill" && st.phase != "decode") {
    throw UserError(fmt::format("--phase = '{}': must be prefill or decode", req.phase));
  }
  const int64_t context = req.context > 0 ? req.context : s.context;
  st.batch = req.batch > 0 ? req.batch : s.batch;
  if (req.context < 0 || req.context > kMaxContext) {
    throw UserError(fmt::format("--context = {}: must be an integer in [1, {}]", req.context, kMaxContext));
  }
  if (req.batch < 0 || req.batch > kMaxBatch) {
    throw UserError(fmt::format("--batch = {}: must be an integer in [1, {}]", req.batch, kMaxBatch));
  }
  st.tokens = st.phase == "prefill" ? context : 1;
  st.cached = st.phase == "prefill" ? 0 : context;
  if (st.cached + st.tokens > s.max_context) {
    throw UserError(fmt::format(
        "{} {}: {} {} tokens {}exceed decoder.max_context = {} of {}",
        req.context > 0 ? "--context" : "context", context, st.phase, st.cached + st.tokens,
        st.phase == "decode" ? "(the cache and the new token) " : "", s.max_context, source_name));
  }
  return st;
}

// The YAML of one step. Layer names are "l<i>.<part>"; the 1/sqrt(head_dim) score scaling is
// folded into the Q projection, as in the shipped BERT.
std::string generate(const DecoderSpec& s, const Step& st) {
  const bool llama = s.family == "llama";
  const int64_t B = st.batch, S = st.tokens, L = st.cached, H = s.heads, Hkv = s.kv_heads, d = s.head_dim;
  const int64_t G = H / Hkv, K = L + S;
  std::ostringstream y;
  y << "# Generated from the decoder spec '" << s.name << "' (docs/llm.md): " << st.phase << ", batch " << B
    << ", " << S << " new token(s) per sequence after " << L << " cached.\n";
  y << "name: " << yaml_quoted(s.name) << "\n";
  if (!s.source.empty()) y << "source: " << yaml_quoted(s.source) << "\n";
  y << "dtype: " << s.dtype << "\n";
  y << "inputs:\n";
  y << fmt::format("  - {{name: tokens, shape: [{}, {}], dtype: int32}}\n", B, S);
  if (!llama) y << fmt::format("  - {{name: positions, shape: [{}, {}], dtype: int32}}\n", B, S);
  if (L > 0) {
    for (int64_t i = 0; i < s.layers; ++i) {
      y << fmt::format("  - {{name: l{}.k_cache, shape: [{}, {}, {}, {}]}}\n", i, L, B, Hkv, d);
      y << fmt::format("  - {{name: l{}.v_cache, shape: [{}, {}, {}, {}]}}\n", i, L, B, Hkv, d);
    }
  }
  y << "layers:\n";
  auto layer = [&](const std::string& text) { y << "  - {" << text << "}\n"; };
  layer(fmt::format("name: embed, type: gather, input: tokens, vocab: {}, dim: {}", s.vocab, s.hidden));
  std::string x = "embed";
  if (!llama) {
    layer(fmt::format("name: pos_embed, type: gather, input: positions, vocab: {}, dim: {}", s.max_context,
                      s.hidden));
    layer("name: embed_sum, type: add, inputs: [embed, pos_embed]");
    x = "embed_sum";
  }
  const std::string norm = llama ? "rmsnorm" : "layernorm";
  const std::string rope = fmt::format("offset: {}, theta: {}", L, s.rope_theta);
  for (int64_t i = 0; i < s.layers; ++i) {
    const std::string p = fmt::format("l{}.", i);
    layer(fmt::format("name: {}attn_norm, type: {}, input: {}", p, norm, x));
    // Queries: [B, S, H, d] -> [B, H, S, d]; grouped as [B, Hkv, G x S, d] when G > 1.
    layer(fmt::format("name: {}q, type: fc, out_features: {}", p, H * d));
    layer(fmt::format("name: {}q_heads, type: reshape, shape: [{}, {}, {}, {}]", p, B, S, H, d));
    layer(fmt::format("name: {}q_t, type: transpose, perm: [0, 2, 1, 3]", p));
    std::string q = p + "q_t";
    if (llama) {
      layer(fmt::format("name: {}q_rope, type: rotary, {}", p, rope));
      q = p + "q_rope";
    }
    if (G > 1) {
      layer(fmt::format("name: {}q_groups, type: reshape, input: {}, shape: [{}, {}, {}, {}]", p, q, B, Hkv,
                        G * S, d));
      q = p + "q_groups";
    }
    // Keys and values: stored into the sequence-major caches, read back as [B, Hkv, L + S, d].
    for (const char* kv : {"k", "v"}) {
      layer(fmt::format("name: {}{}, type: fc, input: {}attn_norm, out_features: {}", p, kv, p, Hkv * d));
      layer(fmt::format("name: {}{}_heads, type: reshape, shape: [{}, {}, {}, {}]", p, kv, B, S, Hkv, d));
      std::string fresh = fmt::format("{}{}_heads", p, kv);
      if (llama && kv[0] == 'k') {
        layer(fmt::format("name: {}k_rope, type: rotary, seq_axis: -3, {}", p, rope));
        fresh = p + "k_rope";
      }
      const std::string cache =
          L > 0 ? fmt::format("inputs: [{}{}_cache, {}]", p, kv, fresh) : fmt::format("input: {}", fresh);
      layer(fmt::format("name: {}{}_cache_out, type: kv_append, {}", p, kv, cache));
      layer(fmt::format("name: {}{}_t, type: transpose, perm: [1, 2, 0, 3]", p, kv));
    }
    layer(fmt::format("name: {}scores, type: matmul, inputs: [{}, {}k_t], transpose_b: true", p, q, p));
    std::string scores = p + "scores";
    if (G > 1) {
      layer(fmt::format("name: {}scores_heads, type: reshape, shape: [{}, {}, {}, {}]", p, B, H, S, K));
      scores = p + "scores_heads";
    }
    layer(fmt::format("name: {}probs, type: softmax, causal: true, input: {}", p, scores));
    std::string probs = p + "probs";
    if (G > 1) {
      layer(fmt::format("name: {}probs_groups, type: reshape, shape: [{}, {}, {}, {}]", p, B, Hkv, G * S, K));
      probs = p + "probs_groups";
    }
    layer(fmt::format("name: {}context, type: matmul, inputs: [{}, {}v_t]", p, probs, p));
    if (G > 1)
      layer(fmt::format("name: {}context_heads, type: reshape, shape: [{}, {}, {}, {}]", p, B, H, S, d));
    layer(fmt::format("name: {}context_t, type: transpose, perm: [0, 2, 1, 3]", p));
    layer(fmt::format("name: {}context_merge, type: reshape, shape: [{}, {}, {}]", p, B, S, H * d));
    layer(fmt::format("name: {}o, type: fc, out_features: {}", p, s.hidden));
    layer(fmt::format("name: {}attn_residual, type: add, inputs: [{}o, {}]", p, p, x));
    layer(fmt::format("name: {}ffn_norm, type: {}", p, norm));
    if (llama) {
      layer(fmt::format("name: {}gate, type: fc, out_features: {}", p, s.ffn));
      layer(fmt::format("name: {}gate_silu, type: activation, function: silu", p));
      layer(fmt::format("name: {}up, type: fc, input: {}ffn_norm, out_features: {}", p, p, s.ffn));
      layer(fmt::format("name: {}swiglu, type: mul, inputs: [{}gate_silu, {}up]", p, p, p));
    } else {
      layer(fmt::format("name: {}ffn_up, type: fc, out_features: {}", p, s.ffn));
      layer(fmt::format("name: {}ffn_gelu, type: activation, function: gelu", p));
    }
    layer(fmt::format("name: {}down, type: fc, out_features: {}", p, s.hidden));
    layer(fmt::format("name: {}ffn_residual, type: add, inputs: [{}down, {}attn_residual]", p, p, p));
    x = p + "ffn_residual";
  }
  // Logits of each sequence's last token only: the next token is sampled from them.
  if (S > 1) {
    layer(fmt::format("name: last_token, type: split, input: {}, axis: 1, sizes: [{}, 1]", x, S - 1));
    x = "last_token:1";
  }
  layer(fmt::format("name: final_norm, type: {}, input: {}", norm, x));
  layer(fmt::format("name: lm_head, type: fc, out_features: {}", s.vocab));
  return y.str();
}

}  // namespace

bool is_decoder_spec(const std::string& text) {
  const YamlDocument doc = parse_yaml_document(text, "");
  return doc.problems.empty() && doc.root.IsMap() && doc.root["decoder"];
}

std::string decoder_workload_yaml(const std::string& text, const std::string& source_name,
                                  const DecoderRequest& request) {
  const DecoderSpec spec = read_spec(text, source_name);
  return generate(spec, resolve_step(spec, request, source_name));
}

int64_t decoder_max_context(const std::string& text, const std::string& source_name) {
  return read_spec(text, source_name).max_context;
}

Network load_decoder_network(const std::string& text, const std::string& source_name,
                             const DecoderRequest& request) {
  const DecoderSpec spec = read_spec(text, source_name);
  const Step st = resolve_step(spec, request, source_name);
  Network net = load_yaml_network(
      generate(spec, st), fmt::format("{} (generated: {} of {} tokens after {}, batch {})", source_name,
                                      st.phase, st.tokens, st.cached, st.batch));
  net.decoder.family = spec.family;
  net.decoder.phase = st.phase;
  net.decoder.batch = st.batch;
  net.decoder.new_tokens = st.tokens;
  net.decoder.cached_tokens = st.cached;
  net.decoder.layers = spec.layers;
  for (const Layer& l : net.layers) {
    if (l.kind == LayerKind("kv_append")) net.decoder.kv_tensors.push_back(l.name);
  }
  return net;
}

}  // namespace systole
