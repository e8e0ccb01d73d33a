// LLM inference end to end (docs/llm.md): decoder steps generated from a spec and verified
// functionally, report.json's llm record against quantities derived from the model, and
// `systole run --phase --context --batch` and `systole plot`'s llm_batch as a user runs them.
#include <filesystem>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/net_report.h"
#include "support/process.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::expect_all_verified;
using testing::fresh_dir;
using testing::kFloatArch;
using testing::q;
using testing::read_file;
using testing::run_report;
using testing::run_systole;
using testing::run_workload;
using testing::write_file;
using Json = nlohmann::json;

// A small Llama (grouped-query attention, rotary, SwiGLU) and a small GPT-2, for functional runs.
constexpr const char* kTinyLlama = R"(name: tiny_llama
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
  context: 6
  batch: 2
)";

constexpr const char* kTinyGpt2 = R"(name: tiny_gpt2
dtype: fp16
decoder:
  family: gpt2
  layers: 2
  hidden: 48
  heads: 3
  ffn: 96
  vocab: 80
  max_context: 16
  context: 5
)";

TEST(Decoder, DecodeAndPrefillStepsVerifyFunctionally) {
  for (const char* phase : {"decode", "prefill"}) {
    SCOPED_TRACE(phase);
    const Json llama = run_workload(std::string("tiny_llama_") + phase, kTinyLlama,
                                    std::string("--functional --phase ") + phase + kFloatArch);
    ASSERT_FALSE(llama.is_null());
    expect_all_verified(llama);
    EXPECT_EQ(llama["llm"]["phase"], phase);
    const Json gpt2 = run_workload(std::string("tiny_gpt2_") + phase, kTinyGpt2,
                                   std::string("--functional --batch 3 --phase ") + phase + kFloatArch);
    ASSERT_FALSE(gpt2.is_null());
    expect_all_verified(gpt2);
    EXPECT_EQ(gpt2["llm"]["batch"], 3);
  }
}

// gpt2_small's weights in int8: 12 layers of 4 x 768^2 + 2 x 768 x 3072, and the 50257 x 768 LM
// head. The token and position embeddings are read one row per token.
constexpr int64_t kGpt2MatrixBytes = 12 * (4 * 768 * 768 + 2 * 768 * 3072) + 50257 * 768;

TEST(LlmReport, DecodeStreamsEveryWeightOnceAndReadsTheWholeCache) {
  const auto dir = fresh_dir("llm_report_decode");
  const Json r = run_report(dir, "--workload gpt2_small --phase decode --context 100 --batch 2");
  ASSERT_FALSE(r.is_null());
  const Json& llm = r["llm"];
  EXPECT_EQ(llm["family"], "gpt2");
  EXPECT_EQ(llm["tokens"], 2);
  EXPECT_EQ(llm["cached_tokens"], 100);
  EXPECT_EQ(llm["dram"]["weight_read_bytes"], kGpt2MatrixBytes + 2 * 2 * 768);
  // K and V of 12 layers: 101 tokens x 2 sequences x 768 read, 1 token x 2 x 768 written.
  EXPECT_EQ(llm["dram"]["kv_read_bytes"], 12 * 2 * 101 * 2 * 768);
  EXPECT_EQ(llm["dram"]["kv_write_bytes"], 12 * 2 * 1 * 2 * 768);
  const double step_s = llm["step_s"].get<double>();
  EXPECT_DOUBLE_EQ(step_s, r["total"]["time_us"].get<double>() * 1e-6);
  EXPECT_DOUBLE_EQ(llm["tpot_s"].get<double>(), step_s);
  EXPECT_FALSE(llm.contains("ttft_s"));
  EXPECT_DOUBLE_EQ(llm["tokens_per_s"].get<double>(), 2 / step_s);
  EXPECT_DOUBLE_EQ(llm["j_per_token"].get<double>(), r["total"]["energy_pj"].get<double>() * 1e-12 / 2);
  EXPECT_DOUBLE_EQ(llm["weight_bytes_per_token"].get<double>(),
                   llm["dram"]["weight_read_bytes"].get<double>() / 2);
  const int64_t all = llm["dram"]["weight_read_bytes"].get<int64_t>() +
                      llm["dram"]["kv_read_bytes"].get<int64_t>() +
                      llm["dram"]["activation_read_bytes"].get<int64_t>();
  EXPECT_EQ(all, r["total"]["dram_reads_bytes"]);
  EXPECT_EQ(
      llm["dram"]["kv_write_bytes"].get<int64_t>() + llm["dram"]["activation_write_bytes"].get<int64_t>(),
      r["total"]["dram_writes_bytes"]);
  // What real hardware shows: the weights stream, the array idles, DRAM bandwidth is the cause.
  EXPECT_EQ(llm["bound"]["cause"], "dram_bandwidth");
  EXPECT_LT(llm["array_utilization"].get<double>(), 0.05);
  EXPECT_GT(llm["dram_utilization"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(llm["peak_dram_gbps"].get<double>(), 25.6);
  // Re-pricing the run at another node re-prices its energy per token.
  const auto repriced =
      run_systole("energy --report " + q(dir / "out") + " --table 45nm --out " + q(dir / "e45"), dir);
  ASSERT_EQ(repriced.exit_code, 0) << repriced.err;
  const Json r45 = Json::parse(read_file(dir / "e45" / "report.json"));
  EXPECT_DOUBLE_EQ(r45["llm"]["j_per_token"].get<double>(),
                   r45["total"]["energy_pj"].get<double>() * 1e-12 / 2);
  EXPECT_GT(r45["llm"]["j_per_token"].get<double>(), llm["j_per_token"].get<double>());
  const std::string summary = read_file(dir / "out" / "summary.txt");
  EXPECT_NE(summary.find("llm: gpt2 decode, batch 2, 1 new token(s) per sequence after 100 cached: TPOT"),
            std::string::npos)
      << summary;
}

TEST(LlmReport, BatchingRaisesTokensPerSecondUntilTheArrayIsTheLimit) {
  std::map<int, Json> at;
  for (int batch : {1, 8, 64}) {
    const auto dir = fresh_dir("llm_batch_" + std::to_string(batch));
    at[batch] = run_report(dir, "--workload gpt2_small --context 16 --batch " + std::to_string(batch));
    ASSERT_FALSE(at[batch].is_null());
  }
  const auto tps = [&](int b) { return at[b]["llm"]["tokens_per_s"].get<double>(); };
  const auto jpt = [&](int b) { return at[b]["llm"]["j_per_token"].get<double>(); };
  EXPECT_GT(tps(8), 6 * tps(1));  // the same weights serve 8 sequences
  EXPECT_GT(tps(64), tps(8));
  EXPECT_LT(jpt(8), jpt(1) / 4);
  EXPECT_EQ(at[1]["llm"]["bound"]["cause"], "dram_bandwidth");
  EXPECT_EQ(at[64]["llm"]["bound"]["cause"], "compute");
  EXPECT_GT(at[64]["llm"]["array_utilization"].get<double>(),
            10 * at[1]["llm"]["array_utilization"].get<double>());
}

TEST(LlmReport, PrefillReportsTimeToFirstToken) {
  const auto dir = fresh_dir("llm_report_prefill");
  const Json r = run_report(dir, "--workload gpt2_small --phase prefill --context 64");
  ASSERT_FALSE(r.is_null());
  const Json& llm = r["llm"];
  EXPECT_EQ(llm["tokens"], 64);
  EXPECT_EQ(llm["cached_tokens"], 0);
  EXPECT_DOUBLE_EQ(llm["ttft_s"].get<double>(), llm["step_s"].get<double>());
  EXPECT_FALSE(llm.contains("tpot_s"));
  EXPECT_EQ(llm["dram"]["kv_write_bytes"], 12 * 2 * 64 * 768);
  EXPECT_EQ(llm["dram"]["kv_read_bytes"].get<int64_t>() % (64 * 768), 0);
  EXPECT_FALSE(r.contains("functional"));
}

TEST(LlmCli, TheStepFlagsAreCheckedAndNamed) {
  const auto dir = fresh_dir("llm_cli_errors");
  struct Case {
    std::string args, expected;
  };
  const Case cases[] = {
      {"--workload gpt2_small --phase generate", "--phase = 'generate': must be prefill or decode"},
      {"--workload gpt2_small --context 1024", "decoder.max_context = 1024"},
      {"--workload gpt2_small --context 0", "--context"},
      {"--workload gpt2_small --context many", "--context"},
      {"--workload resnet18 --phase decode", "apply to decoder workloads"},
      {"--workload resnet18 --context 5", "apply to decoder workloads"},
  };
  for (const Case& c : cases) {
    const auto r = run_systole("run --quiet --out " + q(dir / "out") + " " + c.args, dir);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_FALSE(fs::exists(dir / "out")) << c.args;
  }
  // The same flags reach compile and validate.
  const auto v = run_systole("validate --workload gpt2_small --phase prefill --context 8 --batch 2", dir);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  const auto bad = run_systole("compile --workload gpt2_small --context 5000", dir);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST(LlmCli, PlotDrawsTokensPerSecondAgainstBatch) {
  const auto dir = fresh_dir("llm_plot");
  write_file(dir / "tiny_gpt2.yaml", kTinyGpt2);
  std::string runs;
  for (int batch : {1, 4}) {
    const fs::path out = dir / ("b" + std::to_string(batch));
    const auto r = run_systole("run --quiet --workload " + q(dir / "tiny_gpt2.yaml") + " --batch " +
                                   std::to_string(batch) + " --out " + q(out),
                               dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    runs += " " + q(out);
  }
  const auto p = run_systole("plot" + runs + " --out " + q(dir / "plots"), dir);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("llm_batch.png"), std::string::npos) << p.out;
  EXPECT_TRUE(fs::is_regular_file(dir / "plots" / "llm_batch.png"));
  EXPECT_GT(fs::file_size(dir / "plots" / "llm_batch.png"), 10000u);
}

}  // namespace
}  // namespace systole
