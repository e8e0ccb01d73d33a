// report.json "llm": one decoder step (workload/decoder.h) seen per token, the numbers LLM
// serving is judged by (docs/llm.md "Report"): time to first token or per output token,
// tokens/s, joules per token, and where the DRAM traffic went (weights, KV cache, activations)
// against the DRAM's peak.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/stats/sim_result.h"
#include "systole/workload/network.h"

namespace systole {

// DRAM bytes of a program's LOADs and STOREs by what they move. A transfer belongs to the tensor
// its first byte lies in (no transfer spans two): "<layer>.weight" tensors are weights (gather's
// tables included), the tensors named in `kv_tensors` the KV cache, the rest activations.
// Transfers to and from the on-chip tensor store move no DRAM bytes.
struct DramTraffic {
  int64_t weight_read = 0;
  int64_t kv_read = 0, kv_write = 0;
  int64_t activation_read = 0, activation_write = 0;
};
DramTraffic dram_traffic(const Program& program, const std::vector<std::string>& kv_tensors);

// The "llm" record of a step whose report "total" is `total` (before pricing):
//   step (phase, batch, new_tokens, cached_tokens, layers, tokens = batch x new_tokens), step_s,
//   ttft_s (prefill) or tpot_s (decode) = step_s, tokens_per_s = tokens / step_s,
//   dram {weight_read_bytes, kv_read_bytes, kv_write_bytes, activation_read_bytes,
//   activation_write_bytes}, weight_bytes_per_token, kv_bytes_per_token (read + written),
//   achieved_dram_gbps, peak_dram_gbps (0: ideal DRAM), dram_utilization (achieved / peak),
//   array_utilization, and bound {cause, share}: the largest cause of the critical path
//   (docs/stall-attribution.md), the one a faster design must remove. Pricing
//   (report/energy_report.h price_report) adds energy_per_step_j and j_per_token.
nlohmann::ordered_json llm_json(const ArchSpec& arch, const Program& program, const SimResult& result,
                                const DecoderStep& step, const nlohmann::ordered_json& total);

// The summary.txt lines of an "llm" record ("" when the report has none).
std::string llm_summary(const nlohmann::ordered_json& report);

}  // namespace systole
