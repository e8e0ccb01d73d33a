// The operators added for an ONNX importer, end to end (`systole run`, timing and --functional):
// every layer is verified against the reference, and the functional run has the timing run's
// cycles. concat and split cost DMA copies through the ifmap scratchpad and nothing else; resize
// runs on the vector unit; gather is an indexed DMA LOAD of table rows.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "support/net_report.h"
#include "support/process.h"
#include "systole/numeric/npy.h"
#include "systole/numeric/tensor.h"

namespace systole {
namespace {

using testing::expect_all_verified;
using testing::fresh_dir;
using testing::layers_by_name;
using testing::read_file;
using testing::run_systole;
using testing::write_file;
using Json = nlohmann::json;

// Runs `workload` timing-only and functional (extra flags appended to both) and returns the two
// reports; every layer of the functional run must be verified.
std::pair<Json, Json> run_both(const std::string& name, const std::string& workload,
                               const std::string& flags = "") {
  const auto dir = fresh_dir("ops_" + name);
  write_file(dir / "w.yaml", workload);
  const std::string base = "run --workload '" + (dir / "w.yaml").string() + "' --quiet " + flags;
  const auto timing = run_systole(base + " --out '" + (dir / "timing").string() + "'", dir);
  EXPECT_EQ(timing.exit_code, 0) << timing.err;
  const auto functional =
      run_systole(base + " --functional --seed 5 --out '" + (dir / "functional").string() + "'", dir);
  EXPECT_EQ(functional.exit_code, 0) << functional.err;
  if (timing.exit_code != 0 || functional.exit_code != 0) return {};
  return {Json::parse(read_file(dir / "timing" / "report.json")),
          Json::parse(read_file(dir / "functional" / "report.json"))};
}

constexpr const char* kConcatSplit = R"(name: concat_split
inputs:
  - {name: x, shape: [2, 8, 6, 6]}
layers:
  - {name: a, type: conv2d, out_channels: 4, kernel: 3, padding: 1}
  - {name: b, type: conv2d, input: x, out_channels: 6, kernel: 1}
  - {name: cat, type: concat, inputs: [a, b, x], axis: 1}
  - {name: s, type: split, input: cat, axis: -1, sizes: [2, 4]}
  - {name: r, type: relu, input: 's:1'}
  - {name: c2, type: conv2d, input: 's:0', out_channels: 4, kernel: 1}
)";

TEST(NewOperators, ConcatAndSplitAreDmaCopiesVerifiedWithTheTimingRunsCycles) {
  const auto [timing, functional] = run_both("concat_split", kConcatSplit);
  ASSERT_FALSE(timing.is_null());
  expect_all_verified(functional);
  EXPECT_EQ(functional["total"]["cycles"], timing["total"]["cycles"]);
  const auto layers = layers_by_name(timing);
  // cat: [2, 18, 6, 6] int8 = 1296 B, read once and written once; no compute unit works for it.
  const Json& cat = layers.at("cat");
  EXPECT_EQ(cat["type"], "concat");
  EXPECT_EQ(cat["dram_reads_bytes"], 1296);
  EXPECT_EQ(cat["dram_writes_bytes"], 1296);
  EXPECT_EQ(cat["macs"], 0);
  EXPECT_EQ(cat["vector_ops"], 0);
  EXPECT_GT(cat["cycles"].get<int64_t>(), 0);  // its DMA time is its own
  EXPECT_EQ(cat["compute_cycles"], 0);
  // The split's parts: 2 / 6 of the axis and 4 / 6, read and written once each.
  EXPECT_EQ(layers.at("s:0")["dram_reads_bytes"], 432);
  EXPECT_EQ(layers.at("s:1")["dram_writes_bytes"], 864);
  EXPECT_EQ(layers.at("s:1")["type"], "split");
}

TEST(NewOperators, CopiesLargerThanAScratchpadHalfAreChunked) {
  // 8 KiB ifmap scratchpad: halves of 4 KiB; cat is [1, 16, 32, 32] int8 = 16 KiB.
  const auto [timing, functional] =
      run_both("chunked",
               "name: big\ninputs:\n  - {name: x, shape: [1, 8, 32, 32]}\nlayers:\n"
               "  - {name: cat, type: concat, inputs: [x, x], axis: 1}\n"
               "  - {name: s, type: split, input: cat, axis: 3, parts: 2}\n",
               "--set core.scratchpads.ifmap.capacity_kib=8");
  ASSERT_FALSE(timing.is_null());
  expect_all_verified(functional);
  EXPECT_EQ(functional["total"]["cycles"], timing["total"]["cycles"]);
  EXPECT_EQ(layers_by_name(timing).at("cat")["dram_writes_bytes"], 16384);
  EXPECT_EQ(layers_by_name(timing).at("s:1")["dram_reads_bytes"], 8192);
}

constexpr const char* kResize = R"(name: resize
inputs:
  - {name: x, shape: [1, 3, 10, 12]}
layers:
  - {name: up, type: resize, mode: bilinear, scales: [2, 1.5]}
  - {name: down, type: resize, input: x, scales: [0.6, 0.5]}
  - {name: sized, type: resize, input: x, size: [7, 25]}
  - {name: c, type: conv2d, input: up, out_channels: 4, kernel: 3}
)";

TEST(NewOperators, ResizeRunsOnTheVectorUnitInEveryFormat) {
  for (const char* format : {"int8", "fp16"}) {
    SCOPED_TRACE(format);
    const std::string f = format;
    const auto [timing, functional] =
        run_both("resize_" + f, kResize,
                 "--set core.array.input_type=" + f + " --set core.array.weight_type=" + f +
                     (f == "fp16" ? " --set core.array.accumulator_type=fp32" : ""));
    ASSERT_FALSE(timing.is_null());
    expect_all_verified(functional);
    EXPECT_EQ(functional["total"]["cycles"], timing["total"]["cycles"]);
    const auto layers = layers_by_name(timing);
    // up: [1, 3, 20, 18] = 1080 outputs x 4 taps; down: [1, 3, 6, 6] = 108 x 1; sized 3 x 7 x 25.
    EXPECT_EQ(layers.at("up")["vector_ops"], 4320);
    EXPECT_EQ(layers.at("down")["vector_ops"], 108);
    EXPECT_EQ(layers.at("sized")["vector_ops"], 525);
    const int64_t e = f == "int8" ? 1 : 2;
    EXPECT_EQ(layers.at("up")["dram_reads_bytes"], 360 * e);  // the input, once
    // The output once, to DRAM or, when a later layer reads it, to the on-chip tensor store.
    EXPECT_EQ(
        layers.at("up")["dram_writes_bytes"].get<int64_t>() + layers.at("up")["on_chip_bytes"].get<int64_t>(),
        1080 * e);
    EXPECT_GT(layers.at("up")["vector_busy_cycles"].get<int64_t>(), 0);
  }
}

TEST(NewOperators, ResizeRowChunksCarryTheirInputRows) {
  // 2 KiB scratchpads: a 48 x 40 plane does not fit a half, so chunks are runs of output rows
  // with the input rows they sample.
  const auto [timing, functional] =
      run_both("resize_rows",
               "name: rows\ninputs:\n  - {name: x, shape: [1, 2, 48, 40]}\nlayers:\n"
               "  - {name: up, type: resize, mode: bilinear, scales: [2.5, 1.75]}\n"
               "  - {name: down, type: resize, input: x, scales: [0.3, 0.45]}\n"
               "  - {name: odd, type: resize, input: x, mode: bilinear, size: [13, 90]}\n",
               "--set core.scratchpads.ifmap.capacity_kib=2 --set core.scratchpads.ofmap.capacity_kib=2");
  ASSERT_FALSE(timing.is_null());
  expect_all_verified(functional);
  EXPECT_EQ(functional["total"]["cycles"], timing["total"]["cycles"]);
  EXPECT_GT(layers_by_name(timing).at("up")["instructions"].get<int64_t>(),
            3 * 8);  // several chunks per plane
}

constexpr const char* kGather = R"(name: embed
inputs:
  - {name: ids, shape: [2, 9], dtype: int32}
layers:
  - {name: emb, type: gather, vocab: 50, dim: 16}
  - {name: fc, type: fc, out_features: 8}
)";

TEST(NewOperators, GatherIsAnIndexedDmaLoadOfTableRows) {
  const auto [timing, functional] = run_both("gather", kGather);
  ASSERT_FALSE(timing.is_null());
  expect_all_verified(functional);
  EXPECT_EQ(functional["total"]["cycles"], timing["total"]["cycles"]);
  const auto layers = layers_by_name(timing);
  const Json& emb = layers.at("emb");
  // 18 lookups: 72 B of int32 indices and 18 rows of 16 B read, the rows written once.
  EXPECT_EQ(emb["dram_reads_bytes"], 72 + 288);
  EXPECT_EQ(emb["dram_writes_bytes"].get<int64_t>() + emb["on_chip_bytes"].get<int64_t>(), 288);
  EXPECT_EQ(emb["macs"], 0);
  EXPECT_EQ(emb["vector_ops"], 0);
  EXPECT_GT(emb["cycles"].get<int64_t>(), 0);
}

TEST(NewOperators, GatherReadsTheIndicesAndTableItIsGiven) {
  const auto dir = fresh_dir("gather_npy");
  Tensor ids(DataType::kInt32, {2, 3});
  const std::vector<int64_t> picks = {4, 0, 2, 2, 1, 4};
  for (int64_t i = 0; i < 6; ++i) ids.set_int(i, picks[static_cast<size_t>(i)]);
  Tensor table(DataType::kInt8, {5, 4});
  for (int64_t i = 0; i < 20; ++i) table.set_int(i, 10 * (i / 4) + i % 4);  // row r: 10r .. 10r + 3
  write_npy((dir / "ids.npy").string(), ids);
  write_npy((dir / "table.npy").string(), table);
  write_file(dir / "w.yaml",
             "name: e\ninputs:\n  - {name: ids, shape: [2, 3], dtype: int32, npy: ids.npy}\nlayers:\n"
             "  - {name: emb, type: gather, vocab: 5, dim: 4, weights_npy: table.npy}\n");
  const auto r = run_systole("run --workload '" + (dir / "w.yaml").string() + "' --quiet --dump-tensors '" +
                                 (dir / "t").string() + "' --out '" + (dir / "out").string() + "'",
                             dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_all_verified(Json::parse(read_file(dir / "out" / "report.json")));
  const Tensor emb = read_npy((dir / "t" / "emb.npy").string());
  ASSERT_EQ(emb.shape, (Shape{2, 3, 4}));
  for (int64_t j = 0; j < 6; ++j) {
    for (int64_t c = 0; c < 4; ++c) EXPECT_EQ(emb.get_int(j * 4 + c), 10 * picks[static_cast<size_t>(j)] + c);
  }

  // An index outside the table is the user's error, named with its file and position.
  ids.set_int(4, 5);
  write_npy((dir / "ids.npy").string(), ids);
  const auto bad = run_systole("run --workload '" + (dir / "w.yaml").string() +
                                   "' --quiet --functional --out '" + (dir / "bad").string() + "'",
                               dir);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("ids.npy: index 5 at [1,1] is outside [0, 5)"), std::string::npos) << bad.err;
}

TEST(NewOperators, TheShippedExampleRunsAndVerifiesOnEveryShippedArch) {
  for (const char* arch : {"default", "tpu_v1", "edge_lpddr4", "scalesim_default"}) {
    SCOPED_TRACE(arch);
    const auto dir = fresh_dir(std::string("importer_ops_") + arch);
    const std::string base = std::string("run --workload importer_ops --quiet --arch ") + arch;
    const auto timing = run_systole(base + " --out '" + (dir / "timing").string() + "'", dir);
    ASSERT_EQ(timing.exit_code, 0) << timing.err;
    const auto functional =
        run_systole(base + " --functional --seed 2 --out '" + (dir / "functional").string() + "'", dir);
    ASSERT_EQ(functional.exit_code, 0) << functional.err;
    const Json t = Json::parse(read_file(dir / "timing" / "report.json"));
    const Json f = Json::parse(read_file(dir / "functional" / "report.json"));
    expect_all_verified(f);
    EXPECT_EQ(f["total"]["cycles"], t["total"]["cycles"]);
    EXPECT_EQ(t["total"]["macs"], 2588672);
  }
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

// A SwiGLU feed-forward block (Llama's MLP): down(silu(x W_gate) * (x W_up)), with a hardswish
// beside it.
constexpr const char* kSwiglu = R"(name: swiglu
inputs:
  - {name: x, shape: [1, 16, 64]}
layers:
  - {name: gate, type: fc, input: x, out_features: 96}
  - {name: act, type: activation, function: silu}
  - {name: up, type: fc, input: x, out_features: 96}
  - {name: prod, type: mul, inputs: [act, up]}
  - {name: down, type: fc, out_features: 64}
  - {name: hs, type: activation, input: down, function: hardswish}
)";

TEST(NewOperators, SwigluRunsOnTheVectorUnitAndVerifies) {
  const auto [timing, functional] =
      run_both("swiglu", kSwiglu,
               "--set core.array.input_type=fp16 --set core.array.weight_type=fp16 "
               "--set core.array.accumulator_type=fp32");
  ASSERT_FALSE(timing.is_null());
  expect_all_verified(functional);
  EXPECT_EQ(functional["total"]["cycles"], timing["total"]["cycles"]);
  const auto layers = layers_by_name(timing);
  EXPECT_EQ(layers.at("prod")["vector_ops"], 16 * 96);
  EXPECT_EQ(layers.at("act")["vector_ops"], 16 * 96);
  EXPECT_EQ(layers.at("hs")["vector_ops"], 16 * 64);
  EXPECT_GT(layers.at("prod")["cycles"].get<int64_t>(), 0);
}

TEST(NewOperators, IntegerMulAndIntegerSwigluVerify) {
  constexpr const char* kIntMul = R"(name: int_mul
inputs:
  - {name: a, shape: [2, 40]}
  - {name: b, shape: [2, 40]}
layers:
  - {name: p, type: mul, inputs: [a, b]}
  - {name: r, type: relu}
)";
  const auto [timing, functional] = run_both("int_mul", kIntMul);
  ASSERT_FALSE(timing.is_null());
  expect_all_verified(functional);
  // SiLU on int8 runs through the quantised path (numeric/quantized.h).
  const auto [int_timing, int_functional] = run_both("int_swiglu", kSwiglu);
  ASSERT_FALSE(int_timing.is_null());
  expect_all_verified(int_functional);
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

// A Llama-style attention block on 8 tokens at positions 3-10: RMSNorm, Q with 4 heads and K / V
// with 2 (grouped-query attention: the two query heads of each KV head are one GEMM's rows),
// rotary embeddings on [B, H, S, d] queries and [B, S, H, d] keys, causal softmax.
constexpr const char* kCausalGqa = R"(name: gqa
inputs:
  - {name: x, shape: [1, 8, 64]}
layers:
  - {name: norm, type: rmsnorm}
  - {name: q, type: fc, input: norm, out_features: 64}
  - {name: q_heads, type: reshape, shape: [1, 8, 4, 16]}
  - {name: q_t, type: transpose, perm: [0, 2, 1, 3]}
  - {name: q_rope, type: rotary, offset: 3}
  - {name: q_groups, type: reshape, shape: [1, 2, 16, 16]}
  - {name: k, type: fc, input: norm, out_features: 32}
  - {name: k_heads, type: reshape, shape: [1, 8, 2, 16]}
  - {name: k_rope, type: rotary, seq_axis: -3, offset: 3, style: interleaved}
  - {name: k_t, type: transpose, perm: [0, 2, 1, 3]}
  - {name: v, type: fc, input: norm, out_features: 32}
  - {name: v_heads, type: reshape, shape: [1, 8, 2, 16]}
  - {name: v_t, type: transpose, perm: [0, 2, 1, 3]}
  - {name: scores, type: matmul, inputs: [q_groups, k_t], transpose_b: true}
  - {name: scores_q, type: reshape, input: scores, shape: [1, 4, 8, 8]}
  - {name: probs, type: softmax, causal: true}
  - {name: probs_g, type: reshape, shape: [1, 2, 16, 8]}
  - {name: context, type: matmul, inputs: [probs_g, v_t]}
)";

TEST(NewOperators, CausalGroupedQueryAttentionWithRmsNormVerifies) {
  const auto [timing, functional] =
      run_both("causal_gqa", kCausalGqa,
               "--set core.array.input_type=fp16 --set core.array.weight_type=fp16 "
               "--set core.array.accumulator_type=fp32");
  ASSERT_FALSE(timing.is_null());
  expect_all_verified(functional);
  EXPECT_EQ(functional["total"]["cycles"], timing["total"]["cycles"]);
  const auto layers = layers_by_name(timing);
  EXPECT_EQ(layers.at("norm")["vector_ops"], 8 * 64 * 3);
  EXPECT_EQ(layers.at("probs")["vector_ops"], 4 * 8 * 8 * 3);
  EXPECT_EQ(layers.at("q_rope")["vector_ops"], 8 * 64 * 3);
  EXPECT_EQ(layers.at("k_rope")["vector_ops"], 8 * 32 * 3);
  // K and V are [1, 2, 8, 16]: each query group of 2 heads x 8 tokens reads its KV head once.
  EXPECT_EQ(layers.at("scores")["macs"], 2 * 16 * 8 * 16);
}

TEST(NewOperators, ACausalSoftmaxNeedsAtLeastAsManyKeysAsQueries) {
  const auto dir = fresh_dir("ops_causal_bad");
  write_file(dir / "w.yaml", R"(name: bad
inputs:
  - {name: s, shape: [1, 8, 4]}
layers:
  - {name: p, type: softmax, causal: true}
)");
  const auto r = run_systole("validate --workload '" + (dir / "w.yaml").string() + "'", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("layers[0].causal = '[1, 8, 4]': layer 'p' (softmax): a causal softmax needs scores "
                       "[..., Q, K] with K >= Q"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace systole
