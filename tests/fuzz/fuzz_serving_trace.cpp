// Fuzz target: a serving trace CSV (read_serving_trace, what `systole serve --trace` reads), then
// the scheduler on it with closed-form step costs when its tokens are few enough to schedule in
// a fuzzing iteration. Contract: only UserError escapes; an accepted trace has token counts in
// [1, 2^24] and non-decreasing finite arrivals; every request is admitted after it arrives and
// finishes no earlier than its first token, and there is one prefill per request.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "systole/run/serving.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace systole;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<ServingRequest> trace;
  if (!fuzz::accepts("read_serving_trace", [&] { trace = read_serving_trace(text, "fuzz/trace.csv"); }))
    return 0;
  int64_t tokens = 0;
  fuzz::holds("trace", [&] {
    double last = 0.0;
    for (const ServingRequest& r : trace) {
      FUZZ_CHECK(r.arrival_s >= last && r.arrival_s <= kMaxArrivalSeconds, "arrivals out of order or range");
      FUZZ_CHECK(r.prompt_tokens >= 1 && r.output_tokens >= 1, "a token count below 1");
      last = r.arrival_s;
      tokens += r.output_tokens;
    }
  });
  if (tokens > 20000) return 0;
  ServingOptions options;
  options.max_batch = 1 + static_cast<int64_t>(size % 7);
  options.context_bucket = 1 + static_cast<int64_t>(size % 64);
  options.max_context = int64_t{1} << 25;
  const StepOracle oracle = [](const std::string& phase, int64_t batch, int64_t context) {
    return StepCost{phase == "prefill" ? 1e-3 + 1e-6 * static_cast<double>(context)
                                       : 1e-3 + 1e-5 * static_cast<double>(batch),
                    0.0};
  };
  ServingResult r;
  if (!fuzz::accepts("simulate_serving",
                     [&] { r = simulate_serving(trace, options, oracle, "fuzz/trace.csv"); }))
    return 0;
  fuzz::holds("schedule", [&] {
    int64_t prefills = 0;
    for (const auto& it : r.iterations) prefills += it.phase == "prefill";
    FUZZ_CHECK(prefills == static_cast<int64_t>(trace.size()), "not one prefill per request");
    for (const ServedRequest& s : r.requests) {
      FUZZ_CHECK(s.first_token_s > s.request.arrival_s, "a first token before its request arrived");
      FUZZ_CHECK(s.finish_s >= s.first_token_s, "a request finished before its first token");
    }
    (void)serving_json(r, options);
  });
  return 0;
}
