// A serving run (docs/llm.md "Serving"): a trace of requests executed by a decoder with
// iteration-level batching, each iteration one simulated step, reported as latency percentiles
// and throughput.
//
// The policy (Orca / vLLM-style iteration-level scheduling, prefill first):
//   - requests queue in arrival order (FCFS); at most `max_batch` are running at once;
//   - an iteration starts when the previous one ends (or, when nothing runs, at the next arrival);
//   - if requests have arrived and a slot is free, the iteration admits them (up to the free
//     slots) and runs their prefills, one prefill step per request (its own prompt length: exact
//     MACs and attention, the weights streamed once per prompt); each prefill ends with the
//     request's first token;
//   - otherwise it runs one decode step of every running request (batch = the running count, the
//     context = their mean cached tokens rounded up to `context_bucket`), one token each;
//   - a request finishes with its output_tokens-th token and frees its slot.
// The step times and energies come from a StepOracle (the CLI simulates each distinct step once,
// in a child `systole run`; the tests use closed forms).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace systole {

struct ServingRequest {
  double arrival_s = 0.0;
  int64_t prompt_tokens = 0;
  int64_t output_tokens = 0;  // >= 1: the first comes from the prefill
  int line = 0;               // in the trace file
};

// Bounds on a trace (docs/reliability.md): its size bounds the work.
inline constexpr int64_t kMaxServingRequests = 100000;
inline constexpr double kMaxArrivalSeconds = 1e7;

// Reads a trace CSV: a header `arrival_s,prompt_tokens,output_tokens`, then one request per
// line (arrival times in seconds, non-decreasing; token counts integers >= 1). `#` comments and
// blank lines are skipped. WorkloadError naming the file, the line, the column and the rule.
std::vector<ServingRequest> read_serving_trace(const std::string& text, const std::string& source_name);

struct ServingOptions {
  int64_t max_batch = 8;        // requests running at once
  int64_t context_bucket = 64;  // decode contexts are rounded up to a multiple of this
  int64_t max_context = 0;      // the decoder's; a request needs prompt + output <= it
};

// One simulated step: its time and energy.
struct StepCost {
  double seconds = 0.0;
  double joules = 0.0;
};
// (phase "prefill" or "decode", batch, context: prompt tokens or cached tokens) -> its cost.
using StepOracle = std::function<StepCost(const std::string& phase, int64_t batch, int64_t context)>;

struct ServingIteration {
  double start_s = 0.0, seconds = 0.0, joules = 0.0;
  std::string phase;
  int64_t batch = 0, context = 0;  // the step simulated (prefills: one row per request)
};

struct ServedRequest {
  ServingRequest request;
  double first_token_s = 0.0, finish_s = 0.0;
  double ttft_s() const { return first_token_s - request.arrival_s; }
  double e2e_s() const { return finish_s - request.arrival_s; }
  // Time per output token after the first: (finish - first token) / (output_tokens - 1); 0 for
  // a one-token request.
  double tpot_s() const;
};

struct ServingResult {
  std::vector<ServedRequest> requests;  // in trace order
  std::vector<ServingIteration> iterations;
};

// Runs the trace. UserError when a request cannot fit max_context (naming its line) or an option
// is out of range; whatever the oracle throws passes through.
ServingResult simulate_serving(const std::vector<ServingRequest>& trace, const ServingOptions& options,
                               const StepOracle& oracle, const std::string& trace_name);

// The p-th percentile (0 < p <= 100) of `values`, nearest rank (the smallest value with at least
// p % of the values at or below it); 0 for none.
double percentile(std::vector<double> values, double p);

// serve.json: options, counts, makespan, throughput (requests/s, output tokens/s, total tokens/s),
// TTFT / TPOT / end-to-end latency {mean, p50, p90, p99, max}, energy and J per output token,
// iterations by phase.
nlohmann::ordered_json serving_json(const ServingResult& r, const ServingOptions& options);
// requests.csv and iterations.csv.
std::string serving_requests_csv(const ServingResult& r);
std::string serving_iterations_csv(const ServingResult& r);
// The console summary.
std::string serving_summary(const nlohmann::ordered_json& serve);

}  // namespace systole
