// Transposes that layers other than matmuls read (workload/layout.h) are copied into tensors of
// their own, so an attention block's head merge (transpose -> reshape) and a vector layer reading a
// transpose run bit-exact, in int8 and fp16, and the shipped BERT encoder runs functionally.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "support/net_report.h"
#include "support/process.h"

namespace systole {
namespace {

using Json = nlohmann::json;
using testing::fresh_dir;
using testing::run_net_report;
using testing::write_file;

const std::string kFp16 =
    " --set core.array.input_type=fp16 --set core.array.weight_type=fp16 --set "
    "core.array.accumulator_type=fp32";

// Two heads of 8 over 16 tokens: split heads (reshape, transpose), scores and context as batched
// matmuls reading transposed views by strides, then merge heads (transpose, reshape) into an fc;
// and a relu reading a transpose directly.
std::string attention(const std::string& dtype) {
  return "name: attn\ndtype: " + dtype + R"(
inputs:
  - {name: x, shape: [2, 16, 16]}
layers:
  - {name: q, type: fc, out_features: 16}
  - {name: q_heads, type: reshape, shape: [-1, 16, 2, 8]}
  - {name: q_t, type: transpose, perm: [0, 2, 1, 3]}
  - {name: k, type: fc, input: x, out_features: 16}
  - {name: k_heads, type: reshape, shape: [-1, 16, 2, 8]}
  - {name: k_t, type: transpose, perm: [0, 2, 1, 3]}
  - {name: scores, type: matmul, inputs: [q_t, k_t], transpose_b: true}
  - {name: context, type: matmul, inputs: [scores, k_t]}
  - {name: context_t, type: transpose, perm: [0, 2, 1, 3]}
  - {name: merged, type: reshape, shape: [-1, 16, 16]}
  - {name: out, type: fc, out_features: 16}
  - {name: x_t, type: transpose, input: x, perm: [0, 2, 1]}
  - {name: x_t_relu, type: relu}
)";
}

TEST(MaterialisedTranspose, AttentionHeadsMergeBitExactInInt8AndFp16) {
  for (const std::string dtype : {"int8", "fp16"}) {
    SCOPED_TRACE(dtype);
    const auto dir = fresh_dir("materialised_" + dtype);
    write_file(dir / "net.yaml", attention(dtype));
    const Json r = run_net_report(dir, "run",
                                  "--functional --set core.array.rows=8 --set core.array.cols=8" +
                                      (dtype == "fp16" ? kFp16 : std::string()));
    ASSERT_TRUE(r.contains("functional"));
    EXPECT_EQ(r["functional"]["verified"], true);
    for (const Json& l : r["layers"]) {
      const std::string name = l["name"];
      EXPECT_NE(l.value("verified", Json()), false) << name;
      // The transposes read only by matmuls stay views; the others are copies, checked themselves.
      const bool copied = name == "context_t" || name == "x_t";
      if (name == "q_t" || name == "k_t" || copied) {
        EXPECT_EQ(l["mapping"]["dataflow"], copied ? "dma" : "none") << name;
        EXPECT_EQ(l["verified"], copied ? Json(true) : Json()) << name;
        // A copy reads its input from DRAM or, when it is resident, from the on-chip store.
        const int64_t read = l["dram_reads_bytes"].get<int64_t>() + l["on_chip_bytes"].get<int64_t>();
        EXPECT_EQ(read > 0, copied) << name;
      }
    }
  }
}

// The shipped encoder (12 heads, sequence 128) in fp16: before, its head merge (a reshape of a
// transposed view) was refused.
TEST(MaterialisedTranspose, TheShippedBertEncoderRunsFunctionallyInFp16) {
  const auto dir = fresh_dir("materialised_bert");
  const auto r = testing::run_systole(
      "run --workload bert_base_encoder --functional -q" + kFp16 + " -o " + testing::q(dir / "run"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(testing::read_file(dir / "run" / "report.json"));
  EXPECT_EQ(report["functional"]["verified"], true);
}

}  // namespace
}  // namespace systole
