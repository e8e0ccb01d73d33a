// Serving runs (run/serving.h, docs/llm.md "Serving"): the iteration-level scheduler against
// hand-worked schedules with closed-form step costs, the trace reader's errors, and `systole
// serve` as a user runs it (each distinct step simulated once).
#include "systole/run/serving.h"

#include <filesystem>
#include <map>
#include <string>
#include <tuple>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process.h"
#include "systole/common/error.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

// Closed-form steps: a prefill costs 1 ms + 0.01 ms per prompt token, a decode step 2 ms + 0.1 ms
// per sequence; 1 J per second. Every call is recorded.
struct FakeSteps {
  std::vector<std::tuple<std::string, int64_t, int64_t>> calls;
  StepOracle oracle() {
    return [this](const std::string& phase, int64_t batch, int64_t context) {
      calls.emplace_back(phase, batch, context);
      const double s = phase == "prefill" ? 1e-3 + 1e-5 * static_cast<double>(context)
                                          : 2e-3 + 1e-4 * static_cast<double>(batch);
      return StepCost{s, s};
    };
  }
};

ServingOptions options(int64_t max_batch, int64_t bucket = 1, int64_t max_context = 1000) {
  ServingOptions o;
  o.max_batch = max_batch;
  o.context_bucket = bucket;
  o.max_context = max_context;
  return o;
}

TEST(Serving, OneRequestIsAPrefillThenOneDecodeStepPerFurtherToken) {
  FakeSteps f;
  const ServingResult r = simulate_serving({{0.5, 100, 4, 2}}, options(8), f.oracle(), "t.csv");
  ASSERT_EQ(f.calls.size(), 4u);
  EXPECT_EQ(f.calls[0], std::make_tuple(std::string("prefill"), int64_t{1}, int64_t{100}));
  EXPECT_EQ(f.calls[1], std::make_tuple(std::string("decode"), int64_t{1}, int64_t{100}));
  EXPECT_EQ(f.calls[3], std::make_tuple(std::string("decode"), int64_t{1}, int64_t{102}));  // the cache grows
  const ServedRequest& s = r.requests[0];
  EXPECT_DOUBLE_EQ(s.ttft_s(), 2e-3);  // the iteration starts at the arrival
  EXPECT_DOUBLE_EQ(s.first_token_s, 0.502);
  EXPECT_NEAR(s.tpot_s(), 2.1e-3, 1e-15);
  EXPECT_NEAR(s.e2e_s(), 2e-3 + 3 * 2.1e-3, 1e-12);
}

TEST(Serving, RequestsArrivingTogetherShareDecodeSteps) {
  FakeSteps f;
  const ServingResult r =
      simulate_serving({{0.0, 10, 3, 2}, {0.0, 20, 2, 3}}, options(8), f.oracle(), "t.csv");
  // Two prefills, then decode at batch 2 (mean context ceil((10 + 20) / 2) = 15), then batch 1.
  ASSERT_EQ(f.calls.size(), 4u);
  EXPECT_EQ(f.calls[2], std::make_tuple(std::string("decode"), int64_t{2}, int64_t{15}));
  EXPECT_EQ(f.calls[3], std::make_tuple(std::string("decode"), int64_t{1}, int64_t{11}));
  EXPECT_DOUBLE_EQ(r.requests[0].first_token_s, 1.1e-3);
  EXPECT_DOUBLE_EQ(r.requests[1].first_token_s, 1.1e-3 + 1.2e-3);
  EXPECT_DOUBLE_EQ(r.requests[1].finish_s, 2.3e-3 + 2.2e-3);  // its 2nd token from the batch-2 step
  EXPECT_DOUBLE_EQ(r.requests[0].finish_s, 4.5e-3 + 2.1e-3);
}

TEST(Serving, AFullBatchMakesLaterRequestsWait) {
  FakeSteps f;
  const ServingResult r =
      simulate_serving({{0.0, 10, 3, 2}, {0.0, 10, 3, 3}}, options(1), f.oracle(), "t.csv");
  // max_batch 1: the second prefill runs only after the first request finished.
  ASSERT_EQ(f.calls.size(), 6u);
  EXPECT_EQ(std::get<0>(f.calls[3]), "prefill");
  EXPECT_DOUBLE_EQ(r.requests[1].first_token_s, r.requests[0].finish_s + 1.1e-3);
  EXPECT_GT(r.requests[1].ttft_s(), 5 * r.requests[0].ttft_s());
}

TEST(Serving, AnIdleServerWaitsForTheNextArrivalAndContextsAreBucketed) {
  FakeSteps f;
  const ServingResult r =
      simulate_serving({{0.0, 10, 2, 2}, {5.0, 70, 2, 3}}, options(4, 64, 100), f.oracle(), "t.csv");
  ASSERT_EQ(f.calls.size(), 4u);
  EXPECT_EQ(f.calls[0], std::make_tuple(std::string("prefill"), int64_t{1}, int64_t{64}));
  EXPECT_EQ(f.calls[1], std::make_tuple(std::string("decode"), int64_t{1}, int64_t{64}));
  EXPECT_EQ(f.calls[2], std::make_tuple(std::string("prefill"), int64_t{1}, int64_t{100}));  // 128, capped
  EXPECT_EQ(f.calls[3], std::make_tuple(std::string("decode"), int64_t{1}, int64_t{99}));    // room for 1
  EXPECT_DOUBLE_EQ(r.iterations[2].start_s, 5.0);
  const nlohmann::ordered_json j = serving_json(r, options(4, 64, 100));
  EXPECT_EQ(j["iterations"]["prefill"], 2);
  EXPECT_EQ(j["iterations"]["decode"], 2);
  EXPECT_EQ(j["output_tokens"], 4);
  EXPECT_DOUBLE_EQ(j["makespan_s"].get<double>(), r.requests[1].finish_s);
  EXPECT_DOUBLE_EQ(j["throughput"]["output_tokens_per_s"].get<double>(), 4 / r.requests[1].finish_s);
  double joules = 0;
  for (const auto& it : r.iterations) joules += it.seconds;
  EXPECT_DOUBLE_EQ(j["energy_j"].get<double>(), joules);
}

TEST(Serving, PercentilesAreNearestRank) {
  EXPECT_EQ(percentile({}, 50), 0.0);
  EXPECT_EQ(percentile({3, 1, 2}, 50), 2.0);
  EXPECT_EQ(percentile({1, 2, 3, 4}, 50), 2.0);
  EXPECT_EQ(percentile({1, 2, 3, 4}, 99), 4.0);
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  EXPECT_EQ(percentile(hundred, 90), 90.0);
  EXPECT_EQ(percentile(hundred, 100), 100.0);
}

TEST(Serving, ARequestPastTheContextOrABadOptionIsRefused) {
  FakeSteps f;
  try {
    simulate_serving({{0.0, 900, 200, 7}}, options(4), f.oracle(), "t.csv");
    ADD_FAILURE() << "accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("t.csv:7"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("max_context is 1000"), std::string::npos) << e.what();
  }
  EXPECT_THROW(simulate_serving({{0.0, 1, 1, 2}}, options(0), f.oracle(), "t.csv"), UserError);
  EXPECT_TRUE(f.calls.empty());
}

TEST(ServingTrace, ReadsRequestsAndSkipsCommentsAndBlankLines) {
  const auto t = read_serving_trace(
      "# a trace\narrival_s, prompt_tokens, output_tokens\r\n\n0,5,2\n0.25,7,1\n", "t.csv");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[1].line, 5);
  EXPECT_EQ(t[1].arrival_s, 0.25);
  EXPECT_EQ(t[1].prompt_tokens, 7);
  EXPECT_EQ(t[1].output_tokens, 1);
}

TEST(ServingTrace, BadTracesAreRefusedNamingTheLineAndColumn) {
  const std::pair<const char*, const char*> cases[] = {
      {"time,prompt,output\n0,1,1\n", "t.csv:1: header"},
      {"arrival_s,prompt_tokens,output_tokens\n0,1\n", "t.csv:2: = '0,1': has 2 columns"},
      {"arrival_s,prompt_tokens,output_tokens\n-1,1,1\n", "t.csv:2: arrival_s = '-1'"},
      {"arrival_s,prompt_tokens,output_tokens\nsoon,1,1\n", "arrival_s = 'soon'"},
      {"arrival_s,prompt_tokens,output_tokens\n1,1,1\n0.5,1,1\n",
       "t.csv:3: arrival_s = '0.5': arrivals must not"},
      {"arrival_s,prompt_tokens,output_tokens\n0,0,1\n", "prompt_tokens = '0': must be an integer in [1,"},
      {"arrival_s,prompt_tokens,output_tokens\n0,1,1.5\n", "output_tokens = '1.5'"},
      {"arrival_s,prompt_tokens,output_tokens\n", "the trace has no request"},
      {"", "missing: the file has no header line"},
  };
  for (const auto& [text, expected] : cases) {
    try {
      read_serving_trace(text, "t.csv");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const WorkloadError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
}

constexpr const char* kTinyGpt2 = R"(name: tiny_gpt2
decoder:
  family: gpt2
  layers: 2
  hidden: 48
  heads: 3
  ffn: 96
  vocab: 80
  max_context: 64
  context: 5
)";

TEST(ServeCli, RunsATraceSimulatingEachDistinctStepOnce) {
  const auto dir = fresh_dir("serve_cli");
  write_file(dir / "tiny.yaml", kTinyGpt2);
  write_file(dir / "trace.csv",
             "arrival_s,prompt_tokens,output_tokens\n0,10,6\n0,12,4\n0.00001,30,8\n0.001,5,3\n0.001,9,1\n");
  const std::string cmd = "serve --workload " + q(dir / "tiny.yaml") + " --trace " + q(dir / "trace.csv") +
                          " --max-batch 2 --context-bucket 16 --out " + q(dir / "out");
  const auto r = run_systole(cmd, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("serving: 5 requests, 66 prompt + 22 output tokens"), std::string::npos) << r.out;
  const auto serve = nlohmann::json::parse(read_file(dir / "out" / "serve.json"));
  EXPECT_EQ(serve["tool"]["name"], "systole");
  EXPECT_EQ(serve["requests"], 5);
  EXPECT_EQ(serve["iterations"]["prefill"], 5);
  const int64_t iterations =
      serve["iterations"]["prefill"].get<int64_t>() + serve["iterations"]["decode"].get<int64_t>();
  EXPECT_LT(serve["distinct_steps"].get<int64_t>(), iterations);
  EXPECT_GT(serve["ttft_s"]["p99"].get<double>(), serve["ttft_s"]["p50"].get<double>());
  EXPECT_GT(serve["energy_j"].get<double>(), 0.0);
  // Every distinct step is a run of its own, kept for inspection.
  int steps = 0;
  for (const auto& e : fs::directory_iterator(dir / "out" / "steps")) {
    EXPECT_TRUE(fs::is_regular_file(e.path() / "report.json")) << e.path();
    ++steps;
  }
  EXPECT_EQ(steps, serve["distinct_steps"].get<int>());
  const std::string requests = read_file(dir / "out" / "requests.csv");
  EXPECT_EQ(std::count(requests.begin(), requests.end(), '\n'), 6);
  // The same inputs give the same outputs; the folder is replaced whole.
  const std::string before = read_file(dir / "out" / "serve.json");
  ASSERT_EQ(run_systole(cmd, dir).exit_code, 0);
  EXPECT_EQ(read_file(dir / "out" / "serve.json"), before);
  EXPECT_EQ(read_file(dir / "out" / "iterations.csv"), read_file(dir / "out" / "iterations.csv"));
}

TEST(ServeCli, BadInputsExitWithTwoAndWriteNothing) {
  const auto dir = fresh_dir("serve_cli_errors");
  write_file(dir / "tiny.yaml", kTinyGpt2);
  write_file(dir / "trace.csv", "arrival_s,prompt_tokens,output_tokens\n0,10,6\n");
  write_file(dir / "long.csv", "arrival_s,prompt_tokens,output_tokens\n0,60,6\n");
  write_file(dir / "bad.csv", "arrival_s,prompt_tokens,output_tokens\n0,ten,6\n");
  fs::create_directories(dir / "mine");
  write_file(dir / "mine" / "notes.txt", "keep me");
  const std::string tiny = " --workload " + q(dir / "tiny.yaml");
  const std::pair<std::string, std::string> cases[] = {
      {" --workload resnet18 --trace " + q(dir / "trace.csv") + " --out " + q(dir / "o"),
       "needs a decoder workload"},
      {tiny + " --trace " + q(dir / "long.csv") + " --out " + q(dir / "o"), "long.csv:2"},
      {tiny + " --trace " + q(dir / "bad.csv") + " --out " + q(dir / "o"),
       "bad.csv:2: prompt_tokens = 'ten'"},
      {tiny + " --trace " + q(dir / "none.csv") + " --out " + q(dir / "o"), "none.csv"},
      {tiny + " --trace " + q(dir / "trace.csv") + " --max-batch 0 --out " + q(dir / "o"), "--max-batch"},
      {tiny + " --trace " + q(dir / "trace.csv") + " --set core.array.rows=0 --out " + q(dir / "o"),
       "core.array.rows"},
      {tiny + " --trace " + q(dir / "trace.csv") + " --out " + q(dir / "mine"), "--force"},
  };
  for (const auto& [args, expected] : cases) {
    const auto r = run_systole("serve" + args, dir);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << args << "\n" << r.err;
    EXPECT_FALSE(fs::exists(dir / "o")) << args;
  }
  EXPECT_EQ(read_file(dir / "mine" / "notes.txt"), "keep me");
}

}  // namespace
}  // namespace systole
