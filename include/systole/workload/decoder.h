// Decoder (LLM) workloads: a workload YAML whose `decoder:` map describes a decoder-only
// transformer by its hyper-parameters (docs/llm.md) instead of listing layers. The generator
// expands it into the layers of one inference step, a prefill of the prompt or one decode step
// against a KV cache, for a batch of sequences:
//   family llama: RMSNorm, rotary embeddings on Q and K, grouped-query attention (kv_heads <=
//                 heads), causal softmax, SwiGLU feed-forward, no biases;
//   family gpt2:  learned position embeddings, LayerNorm, multi-head attention, causal softmax,
//                 GELU feed-forward (biases are not modelled).
// K and V of every layer go through kv_append into sequence-major caches ([L, B, kv_heads,
// head_dim]; a decode step's past caches are network inputs); the logits are computed for the
// last token of each sequence only.
#pragma once

#include <cstdint>
#include <string>

#include "systole/workload/network.h"

namespace systole {

// The step to generate. Empty / 0 fields take the spec's own `phase`, `context` and `batch`.
//   prefill: `context` is the prompt length S (tokens processed; the cache starts empty);
//   decode:  `context` is the number of cached tokens L (one new token per sequence).
struct DecoderRequest {
  std::string phase;
  int64_t context = 0;
  int64_t batch = 0;
  bool empty() const { return phase.empty() && context == 0 && batch == 0; }
};

// Whether the YAML `text` is a decoder spec (a map with a `decoder` key). Never throws: text
// that is not YAML is not a decoder spec (the workload reader reports it).
bool is_decoder_spec(const std::string& text);

// The spec in `text` expanded to workload YAML for `request`. WorkloadError naming the file
// (`source_name`), the key, the value and the rule for a bad spec or request.
std::string decoder_workload_yaml(const std::string& text, const std::string& source_name,
                                  const DecoderRequest& request);

// The spec's max_context (the longest sequence a step may hold), after checking the spec.
int64_t decoder_max_context(const std::string& text, const std::string& source_name);

// decoder_workload_yaml, loaded (shape inference included), with Network::decoder filled.
Network load_decoder_network(const std::string& text, const std::string& source_name,
                             const DecoderRequest& request);

}  // namespace systole
