// Layer pipelining as a user runs it (compiler.partition: pipeline, docs/multicore.md "Layer
// pipelining"): bit-exact against one core on alike and heterogeneous cores and in fp16, the
// stages overlap (a chain of equal layers speeds up by more than any run without overlap could),
// each core's report shows its signals and its wait for the stage before it, activations passed
// core to core on chip leave DRAM, runs repeat byte for byte, and what it cannot pipeline is
// refused with exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/net_report.h"
#include "support/process.h"

namespace systole {
namespace {

using Json = nlohmann::json;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_net_report;
using testing::run_systole;
using testing::write_file;

// conv (fused relu) -> conv -> residual add with the first conv -> maxpool -> 1x1 conv ->
// flatten -> two fcs -> concat, for a batch of 4.
std::string net(const std::string& dtype) {
  return "name: pipe\ndtype: " + dtype + R"(
inputs:
  - {name: x, shape: [4, 8, 16, 16]}
layers:
  - {name: conv, type: conv2d, out_channels: 40, kernel: 3, padding: 1}
  - {name: relu, type: relu}
  - {name: conv2, type: conv2d, out_channels: 40, kernel: 3, padding: 1}
  - {name: res, type: add, inputs: [conv2, relu]}
  - {name: pool, type: pool, mode: max, kernel: 2, stride: 2}
  - {name: proj, type: conv2d, out_channels: 24, kernel: 1}
  - {name: flat, type: reshape, shape: [-1, 1536]}
  - {name: fc_a, type: fc, out_features: 40}
  - {name: fc_b, type: fc, input: flat, out_features: 24}
  - {name: cat, type: concat, inputs: [fc_a, fc_b], axis: 1}
)";
}

const std::string kSmall = " --set core.array.rows=8 --set core.array.cols=8";

TEST(PipelineRun, IsBitExactOnAlikeAndHeterogeneousCoresInInt8AndFp16) {
  for (const char* dtype : {"int8", "fp16"}) {
    const auto dir = fresh_dir(std::string("pipeline_functional_") + dtype);
    write_file(dir / "net.yaml", net(dtype));
    const std::string fmt16 = std::string(dtype) == "fp16"
                                  ? " --set core.array.input_type=fp16 --set core.array.weight_type=fp16 "
                                    "--set core.array.accumulator_type=fp32"
                                  : "";
    const Json one = run_net_report(dir, "one", "--functional" + fmt16 + kSmall);
    ASSERT_EQ(one["functional"]["verified"], true);
    int64_t on_chip = 0;  // bytes passed core to core, over the runs with links
    for (const char* cores : {"2", "3", "4", "hetero", "steps_of_2", "through_dram"}) {
      SCOPED_TRACE(std::string(dtype) + ", " + cores);
      const std::string c = cores;
      const std::string set =
          c == "hetero"       ? " --set cores.count=3 --set cores.1.array.rows=4 --set cores.1.array.cols=4 "
                                "--set cores.2.array.dataflow=os"
          : c == "steps_of_2" ? " --set cores.count=3 --set compiler.pipeline_microbatch=2"
          : c == "through_dram" ? " --set cores.count=3 --set compiler.residency=off"
                                : " --set cores.count=" + c;
      const Json r = run_net_report(dir, std::string("p") + cores,
                                    "--functional --set compiler.partition=pipeline" + fmt16 + kSmall + set);
      ASSERT_TRUE(r.contains("functional"));
      EXPECT_EQ(r["functional"]["verified"], true);
      for (const Json& l : r["layers"]) EXPECT_NE(l.value("verified", Json()), false) << l["name"];
      EXPECT_EQ(r["total"]["macs"], one["total"]["macs"]);
      int64_t passed = 0;
      for (const Json& core : r["noc"]["cores"]) passed += core["remote_store_bytes"].get<int64_t>();
      if (c == "through_dram") {
        EXPECT_EQ(passed, 0);
      } else {
        on_chip += passed;
      }
    }
    EXPECT_GT(on_chip, 0) << "some runs pass activations core to core";
  }
}

TEST(PipelineRun, EachCoreSignalsTheNextOncePerImageAndWaitsForThePrevious) {
  const auto dir = fresh_dir("pipeline_report");
  write_file(dir / "net.yaml", net("int8"));
  const std::string args =
      "--set compiler.partition=pipeline --set compiler.pipeline_microbatch=1 --set cores.count=4" + kSmall;
  const Json r = run_net_report(dir, "a", args + " --trace perfetto,csv");
  ASSERT_TRUE(r.contains("noc"));
  const Json& noc = r["noc"]["cores"];
  ASSERT_EQ(noc.size(), 4u);
  // A step done to the next core (4 steps), and to the previous core, when it receives data on
  // chip from it, a credit for each step whose slot that core fills again (steps 0 and 1).
  for (size_t c = 0; c < 4; ++c) {
    const bool receives = c > 0 && noc[c - 1]["remote_store_bytes"].get<int64_t>() > 0;
    EXPECT_EQ(noc[c]["signals"].get<int64_t>(), (c < 3 ? 4 : 0) + (receives ? 2 : 0)) << "core " << c;
    EXPECT_EQ(noc[c]["barriers"].get<int64_t>(), 0) << "core " << c;
  }
  ASSERT_EQ(r["cores"].size(), 4u);
  for (size_t c = 0; c < 4; ++c) {
    const Json& core = r["cores"][c];
    int64_t causes = 0;
    for (const auto& [k, v] : core["cycle_breakdown"].items()) causes += v.get<int64_t>();
    EXPECT_EQ(causes, r["total"]["cycles"].get<int64_t>()) << "core " << c << ": every cycle has a cause";
    // A later stage waits for the first image to reach it.
    if (c > 0) {
      EXPECT_GT(core["cycle_breakdown"]["barrier"].get<int64_t>(), 0) << "core " << c;
    }
    EXPECT_GT(core["macs"].get<int64_t>() + core["vector_ops"].get<int64_t>(), 0) << "core " << c;
  }
  // Every flit-hop, the signals' included, is charged to an instruction and so priced.
  EXPECT_EQ(r["total"]["actions"]["noc"]["flit_hops"], r["noc"]["flit_hops"]);
  EXPECT_EQ(r["total"]["actions"]["noc"]["router_traversals"], r["noc"]["router_traversals"]);
  for (const Json& l : r["layers"]) {
    ASSERT_TRUE(l.contains("mapping")) << l["name"];
    EXPECT_EQ(l["mapping"]["partition"]["strategy"], "pipeline") << l["name"];
  }
  // The same run again: byte-identical report.
  run_net_report(dir, "b", args + " --trace perfetto,csv");
  EXPECT_EQ(read_file(dir / "a" / "report.json"), read_file(dir / "b" / "report.json"));
  EXPECT_EQ(read_file(dir / "a" / "trace.json"), read_file(dir / "b" / "trace.json"));
}

// Four equal compute-bound convolutions of 64 x 14 x 14, 8 images.
const char* const kChain = R"(name: chain
dtype: int8
inputs:
  - {name: x, shape: [8, 64, 14, 14]}
layers:
  - {name: c0, type: conv2d, out_channels: 64, kernel: 3, padding: 1}
  - {name: c1, type: conv2d, out_channels: 64, kernel: 3, padding: 1}
  - {name: c2, type: conv2d, out_channels: 64, kernel: 3, padding: 1}
  - {name: c3, type: conv2d, out_channels: 64, kernel: 3, padding: 1}
)";

// The chain, one stage per core: once the pipeline is full
// the four cores work on four images at once. Without overlap, 4 cores could at best match one
// core (each image still passes every layer in turn); with ideal overlap the speed-up is
// 4 x 8 / (8 + 3) = 2.9. The test asks for more than 2.
TEST(PipelineRun, StagesOverlapSoAChainOfEqualLayersSpeedsUp) {
  const auto dir = fresh_dir("pipeline_speedup");
  write_file(dir / "net.yaml", kChain);
  const Json one = run_net_report(dir, "one", "--set core.array.rows=16 --set core.array.cols=16");
  const Json four = run_net_report(dir, "four",
                                   "--set core.array.rows=16 --set core.array.cols=16 --set cores.count=4 "
                                   "--set compiler.partition=pipeline --set compiler.pipeline_microbatch=1");
  const double speedup = one["total"]["cycles"].get<double>() / four["total"]["cycles"].get<double>();
  EXPECT_GT(speedup, 2.0) << one["total"]["cycles"] << " vs " << four["total"]["cycles"];
  EXPECT_LT(speedup, 4.0);
}

// The chain above on four cores, one conv each: the three intermediate activations (64 x 14 x 14
// int8 per image) pass core to core on chip instead of through DRAM, which saves their DRAM write
// and read and the energy of both, and costs no time.
TEST(PipelineRun, ActivationsPassedOnChipLeaveDramAndSaveItsEnergy) {
  const auto dir = fresh_dir("pipeline_links");
  write_file(dir / "net.yaml", kChain);
  const std::string args =
      "--set core.array.rows=16 --set core.array.cols=16 --set cores.count=4 --set "
      "compiler.partition=pipeline "
      "--set compiler.pipeline_microbatch=1";
  const Json dram = run_net_report(dir, "dram", args + " --set compiler.residency=off");
  const Json links = run_net_report(dir, "links", args);
  const int64_t activation = 8 * 64 * 14 * 14;  // one intermediate tensor, the whole batch
  auto dram_bytes = [](const Json& r) {
    return r["total"]["dram_reads_bytes"].get<int64_t>() + r["total"]["dram_writes_bytes"].get<int64_t>();
  };
  EXPECT_EQ(dram_bytes(dram) - dram_bytes(links), 3 * 2 * activation);
  int64_t passed = 0;
  for (const Json& core : links["noc"]["cores"]) passed += core["remote_store_bytes"].get<int64_t>();
  EXPECT_EQ(passed, 3 * activation);
  EXPECT_LT(links["total"]["energy_pj"].get<double>(), dram["total"]["energy_pj"].get<double>());
  EXPECT_LE(links["total"]["cycles"].get<int64_t>(), dram["total"]["cycles"].get<int64_t>());
  EXPECT_NE(links["layers"][0]["mapping"]["residency"].get<std::string>().find("on chip"), std::string::npos);
}

TEST(PipelineRun, WhatItCannotPipelineIsRefusedWithExitTwo) {
  const auto dir = fresh_dir("pipeline_refused");
  // A reshape that writes the batch into its shape.
  write_file(dir / "net.yaml", R"(name: fixed
dtype: int8
inputs:
  - {name: x, shape: [2, 4, 4, 4]}
layers:
  - {name: flat, type: reshape, shape: [2, 64]}
  - {name: fc, type: fc, out_features: 8}
)");
  auto r = run_systole("run --workload " + q(dir / "net.yaml") +
                           " --set cores.count=2 --set compiler.partition=pipeline -q -o " + q(dir / "out"),
                       dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("compiler.partition"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("flat"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "report.json"));
  // A mapping file cannot ask for pipelining per layer.
  write_file(dir / "good.yaml", net("int8"));
  write_file(dir / "map.yaml", "layers:\n  conv: {partition: pipeline}\n");
  r = run_systole("run --workload " + q(dir / "good.yaml") + " --mapping " + q(dir / "map.yaml") +
                      " --set cores.count=2 -q -o " + q(dir / "out2"),
                  dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("map.yaml:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not per layer"), std::string::npos) << r.err;
  // A stage on a core the NPU lacks.
  write_file(dir / "stages.yaml", "layers:\n  res: {stage: 1}\n  proj: {stage: 2}\n");
  r = run_systole("run --workload " + q(dir / "good.yaml") + " --mapping " + q(dir / "stages.yaml") +
                      " --set cores.count=2 --set compiler.partition=pipeline -q -o " + q(dir / "out3"),
                  dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("stages.yaml:3: layers.proj.stage = '2': must be below cores.count (2)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out3" / "report.json"));
}

// Stages by hand: the mapping file's, bit-exact, with the cores it leaves out idle.
TEST(PipelineRun, AMappingFileGivesTheStages) {
  const auto dir = fresh_dir("pipeline_stages");
  write_file(dir / "net.yaml", net("int8"));
  write_file(dir / "stages.yaml", "layers:\n  res: {stage: 1}\n  proj: {stage: 2}\n");
  const Json r =
      run_net_report(dir, "a",
                     "--functional --set cores.count=4 --set compiler.partition=pipeline --mapping " +
                         q(dir / "stages.yaml") + kSmall);
  EXPECT_EQ(r["functional"]["verified"], true);
  for (const Json& l : r["layers"]) {
    const std::string split = l["mapping"]["partition"]["split"];
    const std::string name = l["name"];
    const int stage = name == "res" || name == "pool" ? 1 : name == "proj" || name == "cat" ? 2 : -1;
    if (stage >= 0) {
      EXPECT_NE(split.find("stage " + std::to_string(stage) + " of 3"), std::string::npos) << split;
    }
  }
  EXPECT_EQ(r["cores"][3]["macs"], 0) << "three stages: core 3 idles";
}

}  // namespace
}  // namespace systole
