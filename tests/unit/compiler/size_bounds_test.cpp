// The compiler's limits (docs/compiler.md "Limits"): sizes that are legal one by one but absurd
// together are refused with a WorkloadError naming the layer, its sizes and the limit, from
// closed-form counts and before anything of that size is allocated (each case returns in well
// under a second; before the limits they ran for minutes into bad_alloc).
#include <gtest/gtest.h>

#include <string>

#include "systole/common/error.h"
#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

// compile() must throw a WorkloadError whose single diagnostic names `layer` and contains `limit`.
Diagnostic refused(const ArchSpec& arch, const Network& net, const std::string& layer,
                   const std::string& limit) {
  try {
    compile(arch, net);
  } catch (const WorkloadError& e) {
    EXPECT_EQ(e.diagnostics().size(), 1u) << e.what();
    const Diagnostic& d = e.diagnostics().at(0);
    EXPECT_NE(d.rule.find("'" + layer + "'"), std::string::npos) << d.rule;
    EXPECT_NE(d.rule.find(limit), std::string::npos) << d.rule;
    EXPECT_NE(d.rule.find("docs/compiler.md"), std::string::npos) << d.rule;
    return d;
  }
  ADD_FAILURE() << "expected a WorkloadError for layer " << layer;
  return {};
}

const std::string kInstructionLimit = std::to_string(kMaxProgramInstructions) + " instructions";

ArchSpec default_like() {
  return testnet::arch(32, 32, Dataflow::kWeightStationary, 256, 256, 256);
}

TEST(SizeBounds, LimitsAreTheDocumentedValues) {
  EXPECT_EQ(kMaxProgramInstructions, 1048576);
  EXPECT_EQ(kMaxDramBytes, 281474976710656u);  // 2^48
}

TEST(SizeBounds, MatmulWithHugeOutFeaturesNeedsTooManyTiles) {
  // N = 2^40 with K = 64: a weight tile holds at most 128 KiB / 64 = 2048 columns, so at least
  // 2^40 / 2048 = 2^29 MATMULs -- far over the limit. The weights (2^46 B) fit under 2^48.
  const Network net = Builder("n").input("x", {1, 64}).matmul("fc", {"x"}, int64_t{1} << 40).build();
  const Diagnostic d = refused(default_like(), net, "fc", kInstructionLimit);
  EXPECT_EQ(d.key, "layers[0]");
  EXPECT_EQ(d.value, "[1, 64] -> [1, 1099511627776]");
  EXPECT_NE(d.rule.find("n=1099511627776"), std::string::npos) << d.rule;
}

TEST(SizeBounds, ConvWithHugeOutChannelsPassesTheDramLimit) {
  // out_channels 2^40 on a 30x30 output: 900 x 2^40 B of int8 output > 2^48 B.
  const Network net =
      Builder("n").input("x", {1, 3, 32, 32}).conv("big", "x", int64_t{1} << 40, 3, 3).build();
  const Diagnostic d = refused(default_like(), net, "big", "2^48");
  EXPECT_EQ(d.value, "[1, 1099511627776, 30, 30]");
  EXPECT_NE(d.rule.find("989560464998400 B"), std::string::npos) << d.rule;  // 900 * 2^40
}

TEST(SizeBounds, ConvWithOutChannels2To31NeedsTooManyTiles) {
  const Network net =
      Builder("n").input("x", {1, 3, 32, 32}).conv("big", "x", int64_t{1} << 31, 3, 3).build();
  refused(default_like(), net, "big", kInstructionLimit);
}

TEST(SizeBounds, HugeWeightsPassTheDramLimit) {
  // K = 2^30 x N = 2^20 int8 weights = 2^50 B.
  const Network net =
      Builder("n").input("x", {1, int64_t{1} << 30}).matmul("fc", {"x"}, int64_t{1} << 20).build();
  const Diagnostic d = refused(default_like(), net, "fc", "2^48");
  EXPECT_NE(d.rule.find("weights"), std::string::npos) << d.rule;
}

TEST(SizeBounds, OneByOneConvWith2To20ChannelsIsRefusedNotRun) {
  // Legal but large: 2^20 x 2^20 int8 weights (1 TiB) stream through a 128 KiB half at least
  // 2^40 / 2^17 = 2^23 times, so at least 2^23 weight LOADs: over the limit.
  const Network net =
      Builder("n").input("x", {1, int64_t{1} << 20, 1, 1}).conv("c1", "x", int64_t{1} << 20, 1, 1).build();
  refused(default_like(), net, "c1", kInstructionLimit);
}

TEST(SizeBounds, ActivationOnAHugeTensorNeedsTooManyChunks) {
  // 2^40 int8 elements in chunks of one 128 KiB half: 2^23 chunks x (LOAD + VECTOR + STORE).
  const Network net = Builder("n").input("x", {int64_t{1} << 40}).activation("r", "x").build();
  const Diagnostic d = refused(default_like(), net, "r", kInstructionLimit);
  EXPECT_NE(d.rule.find("25165825"), std::string::npos) << d.rule;  // 3 * 2^23 + 1 (SYNC)
}

TEST(SizeBounds, BatchedMatmulWithHugeBatchIsRefusedBeforeLowering) {
  // Activation x activation: one GEMM per batch index, 2^40 of them.
  const Network net = Builder("n").input("x", {int64_t{1} << 40, 2, 2}).matmul("mm", {"x", "x"}).build();
  const Diagnostic d = refused(default_like(), net, "mm", kInstructionLimit);
  EXPECT_NE(d.rule.find("per batch index"), std::string::npos) << d.rule;
}

TEST(SizeBounds, DepthwiseConvWithMoreGroupsThanInstructionsGoesToTheVectorUnit) {
  // 2^20 + 64 channels of 2x2: more GEMMs than the program may hold instructions, but the vector
  // unit takes min(131072 / 4, 131072 / 4, 131072 / 1) = 32768 planes per chunk (128 KiB
  // halves): 33 chunks.
  const int64_t c = kMaxProgramInstructions + 64;
  const Network net = Builder("n").input("x", {1, c, 2, 2}).conv("dw", "x", c, 1, 1, 1, 0, 1, c).build();
  const Program p = compile(default_like(), net);
  EXPECT_EQ(p.mappings[0].dataflow, "vector");
  EXPECT_EQ(p.mappings[0].tiles, 33);
  EXPECT_NE(p.mappings[0].reason.find("GEMMs on the array do not compile"), std::string::npos)
      << p.mappings[0].reason;
}

TEST(SizeBounds, DepthwiseConvWithHugeGroupsAndPlanesIsRefusedInClosedForm) {
  // 2^24 channels of 64 x 64: 32 planes per chunk (131072 / 4096), 2^19 chunks of 4 instructions;
  // the GEMMs need one per group, 2^24. Both are counted before anything per group or chunk is
  // built; the vector lowering needs fewer and is reported.
  const int64_t c = int64_t{1} << 24;
  const Network net = Builder("n").input("x", {1, c, 64, 64}).conv("dw", "x", c, 3, 3, 1, 1, 1, c).build();
  const Diagnostic d = refused(default_like(), net, "dw", kInstructionLimit);
  EXPECT_NE(d.rule.find("2097153"), std::string::npos) << d.rule;  // 2^19 x 4 + SYNC
  EXPECT_NE(d.rule.find("up to 32 channel planes"), std::string::npos) << d.rule;
}

TEST(SizeBounds, ConvWithHugeBatchIsRefusedBeforeTheTileWalk) {
  // Every image needs its own STORE: 2^30 images of 1x1 are over the limit whatever the tiling.
  const Network net = Builder("n").input("x", {int64_t{1} << 30, 1, 1, 1}).conv("c", "x", 1, 1, 1).build();
  const Diagnostic d = refused(default_like(), net, "c", kInstructionLimit);
  EXPECT_NE(d.rule.find("per image"), std::string::npos) << d.rule;
}

TEST(SizeBounds, WideInputRowConvIsAConfigErrorWithoutWalkingEveryTile) {
  // [1, 3, 32, 2^31 - 1]: the smallest WS tile (one output pixel) reads 3 input rows of 2 GiB per
  // channel. It has 30 * (2^31 - 3) m tiles, too many to walk, so the check walks the first ones:
  // their largest footprint already exceeds the 128 KiB half, which is enough to refuse.
  const Network net =
      Builder("n").input("x", {1, 3, 32, (int64_t{1} << 31) - 1}).conv("c", "x", 8, 3, 3).build();
  try {
    compile(default_like(), net);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].key, "core.scratchpads.ifmap.capacity_kib");
    EXPECT_NE(e.diagnostics()[0].rule.find("'c'"), std::string::npos) << e.diagnostics()[0].rule;
  }
}

TEST(SizeBounds, TallPoolPlaneIsChunkedByRowsInClosedForm) {
  // Pool 2x2 stride 2 over one 2^20 x 64 int8 plane (64 KiB scratchpads, 32 KiB halves): the
  // plane does not fit, so chunks take r output rows with (r - 1) * 2 + 2 <= 32768 / 64 = 512
  // input rows (r <= 256) and r * 32 <= 32768 output bytes (r <= 1024): r = 256, and
  // 2^19 output rows / 256 = 2048 chunks.
  const ArchSpec arch = testnet::arch(32, 32, Dataflow::kWeightStationary, 64, 64, 64);
  const Network net = Builder("n").input("x", {1, 1, int64_t{1} << 20, 64}).pool("p", "x", 2, 2).build();
  const Program p = compile(arch, net);
  ASSERT_EQ(p.mappings.size(), 1u);
  EXPECT_EQ(p.mappings[0].tiles, 2048);
  EXPECT_EQ(p.mappings[0].tile_m, 256 * 32);  // output elements of the first chunk
}

TEST(SizeBounds, ScratchpadTooSmallNamesTheWorkloadLayerToo) {
  // The ConfigError names the capacity key; compile() adds the workload file, line and layer.
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 4, 4, 4);
  Network net = Builder("n").input("x", {2, 4096}).softmax("sm", "x").build();
  net.source_path = "w.yaml";
  net.layers[0].source_line = 7;
  try {
    compile(arch, net);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_NE(e.diagnostics()[0].rule.find("[workload w.yaml:7: layers[0]]"), std::string::npos)
        << e.diagnostics()[0].rule;
  }
}

}  // namespace
}  // namespace systole
