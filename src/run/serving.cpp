// Serving runs (run/serving.h): the trace reader, the iteration-level scheduler and its metrics.
#include "systole/run/serving.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/text.h"

namespace systole {
namespace {

using Json = nlohmann::ordered_json;

constexpr int64_t kMaxTokens = int64_t{1} << 24;  // as a decoder's max_context

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
  return s.substr(a, b - a);
}

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    out.push_back(trim(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

int64_t round_up(int64_t v, int64_t step) {
  return (v + step - 1) / step * step;
}

}  // namespace

std::vector<ServingRequest> read_serving_trace(const std::string& text, const std::string& source_name) {
  if (Diagnostic bad; !check_input_text(text, source_name, &bad)) throw WorkloadError(bad);
  static const std::vector<std::string> kColumns = {"arrival_s", "prompt_tokens", "output_tokens"};
  std::vector<ServingRequest> out;
  DiagnosticList diags;
  bool header = false;
  int line_no = 0;
  size_t start = 0;
  double last_arrival = 0.0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = trim(text.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> cells = split_commas(line);
    if (!header) {
      if (cells != kColumns) {
        diags.add({source_name, line_no, "header", printable_excerpt(line),
                   "must be the columns arrival_s,prompt_tokens,output_tokens"});
        break;
      }
      header = true;
      continue;
    }
    if (cells.size() != kColumns.size()) {
      diags.add(
          {source_name, line_no, "", printable_excerpt(line),
           fmt::format("has {} columns; a request is arrival_s,prompt_tokens,output_tokens", cells.size())});
      continue;
    }
    if (static_cast<int64_t>(out.size()) >= kMaxServingRequests) {
      diags.add(
          {source_name, line_no, "", "",
           fmt::format("more than {} requests: split the trace (docs/reliability.md)", kMaxServingRequests)});
      break;
    }
    ServingRequest r;
    r.line = line_no;
    bool ok = true;
    {
      const std::string& c = cells[0];
      double v = 0.0;
      const auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), v);
      if (c.empty() || ec != std::errc() || ptr != c.data() + c.size() || !std::isfinite(v) || v < 0.0 ||
          v > kMaxArrivalSeconds) {
        diags.add({source_name, line_no, "arrival_s", printable_excerpt(c),
                   fmt::format("must be a number of seconds in [0, {:g}]", kMaxArrivalSeconds)});
        ok = false;
      } else if (v < last_arrival) {
        diags.add(
            {source_name, line_no, "arrival_s", c,
             fmt::format("arrivals must not decrease (the line before arrives at {:g} s)", last_arrival)});
        ok = false;
      } else {
        r.arrival_s = v;
        last_arrival = v;
      }
    }
    for (size_t k = 1; k < 3; ++k) {
      const std::string& c = cells[k];
      int64_t v = 0;
      const auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), v);
      if (c.empty() || ec != std::errc() || ptr != c.data() + c.size() || v < 1 || v > kMaxTokens) {
        diags.add({source_name, line_no, kColumns[k], printable_excerpt(c),
                   fmt::format("must be an integer in [1, {}]", kMaxTokens)});
        ok = false;
      } else {
        (k == 1 ? r.prompt_tokens : r.output_tokens) = v;
      }
    }
    if (ok) out.push_back(r);
  }
  if (diags.empty() && !header)
    diags.add({source_name, 0, "header", "", "missing: the file has no header line"});
  if (diags.empty() && out.empty()) diags.add({source_name, line_no, "", "", "the trace has no request"});
  if (!diags.empty()) throw WorkloadError(diags.take());
  return out;
}

double ServedRequest::tpot_s() const {
  return request.output_tokens > 1
             ? (finish_s - first_token_s) / static_cast<double>(request.output_tokens - 1)
             : 0.0;
}

ServingResult simulate_serving(const std::vector<ServingRequest>& trace, const ServingOptions& options,
                               const StepOracle& oracle, const std::string& trace_name) {
  if (options.max_batch < 1)
    throw UserError(fmt::format("--max-batch = {}: must be >= 1", options.max_batch));
  if (options.context_bucket < 1) {
    throw UserError(fmt::format("--context-bucket = {}: must be >= 1", options.context_bucket));
  }
  for (const ServingRequest& r : trace) {
    if (r.prompt_tokens + r.output_tokens > options.max_context) {
      throw UserError(
          fmt::format("{}:{}: a request of {} prompt and {} output tokens needs {} positions; the "
                      "decoder's max_context is {}",
                      trace_name, r.line, r.prompt_tokens, r.output_tokens, r.prompt_tokens + r.output_tokens,
                      options.max_context));
    }
  }
  ServingResult out;
  out.requests.resize(trace.size());
  for (size_t i = 0; i < trace.size(); ++i) out.requests[i].request = trace[i];
  struct Running {
    size_t index;
    int64_t cached, produced;
  };
  std::vector<Running> running;
  double t = 0.0;
  size_t next = 0, finished = 0;
  auto step = [&](const std::string& phase, int64_t batch, int64_t context) {
    const StepCost c = oracle(phase, batch, context);
    out.iterations.push_back({t, c.seconds, c.joules, phase, batch, context});
    t += c.seconds;
  };
  while (finished < trace.size()) {
    if (running.empty() && next < trace.size() && trace[next].arrival_s > t) t = trace[next].arrival_s;
    std::vector<size_t> admit;
    while (static_cast<int64_t>(running.size() + admit.size()) < options.max_batch && next < trace.size() &&
           trace[next].arrival_s <= t) {
      admit.push_back(next++);
    }
    if (!admit.empty()) {
      for (size_t i : admit) {
        // The prompt padded to the bucket, within the decoder's positions.
        const int64_t prompt = trace[i].prompt_tokens;
        step("prefill", 1, std::min(round_up(prompt, options.context_bucket), options.max_context));
        out.requests[i].first_token_s = t;
        if (trace[i].output_tokens == 1) {
          out.requests[i].finish_s = t;
          ++finished;
        } else {
          running.push_back({i, prompt, 1});
        }
      }
      continue;
    }
    const auto batch = static_cast<int64_t>(running.size());
    int64_t cached = 0;
    for (const Running& r : running) cached += r.cached;
    const int64_t mean = (cached + batch - 1) / batch;
    step("decode", batch, std::min(round_up(mean, options.context_bucket), options.max_context - 1));
    std::vector<Running> still;
    for (Running r : running) {
      ++r.cached;
      if (++r.produced == trace[r.index].output_tokens) {
        out.requests[r.index].finish_s = t;
        ++finished;
      } else {
        still.push_back(r);
      }
    }
    running = std::move(still);
  }
  return out;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

namespace {

Json distribution(const std::vector<double>& v) {
  const double mean =
      v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  return {{"mean", mean},
          {"p50", percentile(v, 50)},
          {"p90", percentile(v, 90)},
          {"p99", percentile(v, 99)},
          {"max", v.empty() ? 0.0 : *std::max_element(v.begin(), v.end())}};
}

}  // namespace

Json serving_json(const ServingResult& r, const ServingOptions& options) {
  std::vector<double> ttft, tpot, e2e;
  int64_t prompt = 0, output = 0;
  double first = r.requests.empty() ? 0.0 : r.requests.front().request.arrival_s, last = 0.0;
  for (const ServedRequest& s : r.requests) {
    ttft.push_back(s.ttft_s());
    if (s.request.output_tokens > 1) tpot.push_back(s.tpot_s());
    e2e.push_back(s.e2e_s());
    prompt += s.request.prompt_tokens;
    output += s.request.output_tokens;
    last = std::max(last, s.finish_s);
  }
  double joules = 0.0, decode_rows = 0.0;
  int64_t prefills = 0, decodes = 0;
  for (const ServingIteration& it : r.iterations) {
    joules += it.joules;
    if (it.phase == "prefill") {
      ++prefills;
    } else {
      ++decodes;
      decode_rows += static_cast<double>(it.batch);
    }
  }
  const double makespan = last - first;
  const double per_s = makespan > 0 ? 1.0 / makespan : 0.0;
  Json j;
  j["options"] = {{"max_batch", options.max_batch},
                  {"context_bucket", options.context_bucket},
                  {"max_context", options.max_context}};
  j["requests"] = static_cast<int64_t>(r.requests.size());
  j["prompt_tokens"] = prompt;
  j["output_tokens"] = output;
  j["makespan_s"] = makespan;
  j["throughput"] = {{"requests_per_s", static_cast<double>(r.requests.size()) * per_s},
                     {"output_tokens_per_s", static_cast<double>(output) * per_s},
                     {"tokens_per_s", static_cast<double>(prompt + output) * per_s}};
  j["ttft_s"] = distribution(ttft);
  j["tpot_s"] = distribution(tpot);
  j["e2e_s"] = distribution(e2e);
  j["energy_j"] = joules;
  j["j_per_output_token"] = output > 0 ? joules / static_cast<double>(output) : 0.0;
  j["iterations"] = {{"prefill", prefills},
                     {"decode", decodes},
                     {"mean_decode_batch", decodes > 0 ? decode_rows / static_cast<double>(decodes) : 0.0}};
  return j;
}

std::string serving_requests_csv(const ServingResult& r) {
  std::string out = "line,arrival_s,prompt_tokens,output_tokens,first_token_s,finish_s,ttft_s,tpot_s,e2e_s\n";
  for (const ServedRequest& s : r.requests) {
    out += fmt::format("{},{},{},{},{},{},{},{},{}\n", s.request.line, s.request.arrival_s,
                       s.request.prompt_tokens, s.request.output_tokens, s.first_token_s, s.finish_s,
                       s.ttft_s(), s.tpot_s(), s.e2e_s());
  }
  return out;
}

std::string serving_iterations_csv(const ServingResult& r) {
  std::string out = "start_s,phase,batch,context,seconds,joules\n";
  for (const ServingIteration& it : r.iterations) {
    out +=
        fmt::format("{},{},{},{},{},{}\n", it.start_s, it.phase, it.batch, it.context, it.seconds, it.joules);
  }
  return out;
}

std::string serving_summary(const Json& s) {
  auto ms = [&](const char* key, const char* p) { return s.at(key).at(p).get<double>() * 1e3; };
  return fmt::format(
      "serving: {} requests, {} prompt + {} output tokens in {:.4g} s: {:.4g} requests/s, {:.4g} output "
      "tokens/s\n"
      "TTFT ms: p50 {:.4g}, p90 {:.4g}, p99 {:.4g}; TPOT ms: p50 {:.4g}, p90 {:.4g}, p99 {:.4g}; "
      "end to end ms: p50 {:.4g}, p99 {:.4g}\n"
      "iterations: {} prefill, {} decode (mean batch {:.3g}); energy {:.4g} J, {:.4g} mJ per output token\n",
      s.at("requests").get<int64_t>(), s.at("prompt_tokens").get<int64_t>(),
      s.at("output_tokens").get<int64_t>(), s.at("makespan_s").get<double>(),
      s.at("throughput").at("requests_per_s").get<double>(),
      s.at("throughput").at("output_tokens_per_s").get<double>(), ms("ttft_s", "p50"), ms("ttft_s", "p90"),
      ms("ttft_s", "p99"), ms("tpot_s", "p50"), ms("tpot_s", "p90"), ms("tpot_s", "p99"), ms("e2e_s", "p50"),
      ms("e2e_s", "p99"), s.at("iterations").at("prefill").get<int64_t>(),
      s.at("iterations").at("decode").get<int64_t>(),
      s.at("iterations").at("mean_decode_batch").get<double>(), s.at("energy_j").get<double>(),
      s.at("j_per_output_token").get<double>() * 1e3);
}

}  // namespace systole
