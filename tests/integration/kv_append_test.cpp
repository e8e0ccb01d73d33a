// kv_append, the KV-cache write (docs/llm.md): it stores only the new tokens, extending the
// cache in place, attention reads the whole cache from DRAM, the values verify functionally, and a
// bad use is refused naming the layer.
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
using testing::layers_by_name;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::run_workload;
using testing::write_file;
using Json = nlohmann::json;

// Two sequences, 5 cached tokens each, one new token; 4 heads of 16.
constexpr const char* kAppend = R"(name: kv
inputs:
  - {name: x, shape: [2, 1, 64]}
  - {name: k_cache, shape: [5, 2, 4, 16]}
layers:
  - {name: k, type: fc, input: x, out_features: 64}
  - {name: k_heads, type: reshape, shape: [2, 1, 4, 16]}
  - {name: k_all, type: kv_append, inputs: [k_cache, k_heads]}
  - {name: k_t, type: transpose, perm: [1, 2, 0, 3]}
  - {name: q, type: fc, input: x, out_features: 64}
  - {name: q_heads, type: reshape, shape: [2, 1, 4, 16]}
  - {name: q_t, type: transpose, perm: [0, 2, 1, 3]}
  - {name: scores, type: matmul, inputs: [q_t, k_t], transpose_b: true}
)";

TEST(KvAppend, WritesOnlyTheNewTokensAndAttentionReadsTheWholeCache) {
  for (const std::string& flags : {std::string(""), std::string(kFloatArch)}) {
    const Json r = run_workload("append", kAppend, "--functional --seed 3" + flags);
    ASSERT_FALSE(r.is_null());
    expect_all_verified(r);
    const int64_t e = flags.empty() ? 1 : 2;
    const auto layers = layers_by_name(r);
    // The append stores 2 sequences x 1 token x 64 elements and never copies the 5 cached ones.
    EXPECT_EQ(layers.at("k_all")["dram_writes_bytes"], 2 * 64 * e);
    EXPECT_EQ(layers.at("k_all")["mapping"]["residency"].get<std::string>().find("DRAM: it outlives the run"),
              0u)
        << layers.at("k_all")["mapping"]["residency"];
    // QK^T reads all 6 tokens of the cache from DRAM (and its queries from wherever they live).
    EXPECT_GE(layers.at("scores")["dram_reads_bytes"].get<int64_t>(), 6 * 2 * 64 * e);
    EXPECT_EQ(layers.at("scores")["macs"], 2 * 4 * 1 * 6 * 16);
  }
}

TEST(KvAppend, APrefillStartsTheCache) {
  const Json r = run_workload("prefill_append", R"(name: kv
inputs:
  - {name: k, shape: [3, 7, 2, 8]}
layers:
  - {name: cache, type: kv_append}
  - {name: back, type: transpose, perm: [1, 0, 2, 3]}
  - {name: copy, type: add, inputs: [back, back]}
)",
                              "--functional");
  ASSERT_FALSE(r.is_null());
  expect_all_verified(r);
  EXPECT_EQ(layers_by_name(r).at("cache")["dram_writes_bytes"], 3 * 7 * 2 * 8);
}

struct BadAppend {
  const char* name;
  const char* layers;
  const char* expected;
};

TEST(KvAppend, BadUsesAreRefusedNamingTheLayer) {
  const BadAppend cases[] = {
      {"not_an_input",
       "  - {name: c, type: fc, input: cache, out_features: 8}\n"
       "  - {name: a, type: kv_append, inputs: [c, k]}\n",
       "must be a network input"},
      {"twice",
       "  - {name: a, type: kv_append, inputs: [cache, k]}\n"
       "  - {name: b, type: kv_append, inputs: [cache, k]}\n",
       "already extended in place by layers[0] ('a')"},
      {"shapes", "  - {name: a, type: kv_append, inputs: [cache, w]}\n",
       "the same batch and the same per-token"},
      {"dtype", "  - {name: a, type: kv_append, inputs: [cache16, k]}\n", "is fp16 but the new tokens"},
      {"rank", "  - {name: a, type: kv_append, inputs: [v]}\n", "must be [B, S, ...]"},
  };
  for (const BadAppend& c : cases) {
    SCOPED_TRACE(c.name);
    const auto dir = fresh_dir(std::string("llm_bad_append_") + c.name);
    write_file(dir / "w.yaml", std::string("name: bad\ninputs:\n"
                                           "  - {name: k, shape: [2, 1, 2, 8]}\n"
                                           "  - {name: w, shape: [3, 1, 2, 8]}\n"
                                           "  - {name: v, shape: [16]}\n"
                                           "  - {name: cache, shape: [4, 2, 2, 8]}\n"
                                           "  - {name: cache16, shape: [4, 2, 2, 8], dtype: fp16}\n"
                                           "layers:\n") +
                                   c.layers);
    const auto r = run_systole("validate --workload " + q(dir / "w.yaml"), dir);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("w.yaml:"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace systole
