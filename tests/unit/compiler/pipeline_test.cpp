// Layer pipelining (compiler/pipeline.h): the structure of a pipelined program (whole layers per
// core in contiguous stages, one signal and one wait per image between neighbouring stages, every
// output byte of every image written once, each image's DMA inside its own slice), how the stages
// are cut, and the networks and settings it refuses.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "program_checks.h"
#include "systole/common/error.h"
#include "systole/compiler/compiler.h"
#include "systole/compiler/user_mapping.h"
#include "systole/workload/loader.h"
#include "test_networks.h"

namespace systole {
namespace {

using testnet::expect_output_covered_once;

// `cores` cores pipelining one image per step (micro: 0 lets the compiler choose).
ArchSpec pipelined_arch(int64_t cores, int64_t micro = 1) {
  ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 16, 16, 16);
  arch.cores.count = cores;
  arch.compiler.partition = PartitionChoice::kPipeline;
  arch.compiler.pipeline_microbatch = micro;
  return arch;
}

// conv (fused relu) -> conv -> residual add with the first conv -> maxpool -> 1x1 conv ->
// flatten -> two fcs -> concat: a residual edge that skips stages, vector layers, a view, a copy.
Network batch_net(int64_t batch) {
  return load_network_from_string(fmt::format(R"(name: pipe
dtype: int8
inputs:
  - {{name: x, shape: [{}, 8, 16, 16]}}
layers:
  - {{name: conv, type: conv2d, out_channels: 24, kernel: 3, padding: 1}}
  - {{name: relu, type: relu}}
  - {{name: conv2, type: conv2d, out_channels: 24, kernel: 3, padding: 1}}
  - {{name: res, type: add, inputs: [conv2, relu]}}
  - {{name: pool, type: pool, mode: max, kernel: 2, stride: 2}}
  - {{name: proj, type: conv2d, out_channels: 16, kernel: 1}}
  - {{name: flat, type: reshape, shape: [-1, 1024]}}
  - {{name: fc_a, type: fc, out_features: 40}}
  - {{name: fc_b, type: fc, input: flat, out_features: 24}}
  - {{name: cat, type: concat, inputs: [fc_a, fc_b], axis: 1}}
)",
                                              batch),
                                  "pipe.yaml");
}

const TensorPlacement& tensor(const Program& p, const std::string& name) {
  for (const TensorPlacement& t : p.tensors) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no tensor " + name);
}

TEST(Pipeline, EachCoreRunsAContiguousStageAndTheImagesPassByOneSignalEach) {
  for (const int64_t cores : {2, 3, 4}) {
    SCOPED_TRACE(std::to_string(cores) + " cores");
    const int64_t batch = 3;
    const Network net = batch_net(batch);
    const Program p = compile(pipelined_arch(cores), net);
    ASSERT_EQ(p.cores, cores);
    ASSERT_EQ(p.layers.size(), net.layers.size());
    // Every layer's instructions run on one core, and the cores follow the layer order.
    std::map<uint32_t, std::set<uint32_t>> cores_of_layer;
    std::map<std::tuple<uint32_t, int32_t, int64_t>, int> signals, waits;  // (core, other, token)
    for (const Instruction& in : p.instructions) {
      for (const uint32_t d : in.deps) {
        ASSERT_LT(d, in.id);
        ASSERT_EQ(p.instructions[d].core, in.core) << "instruction " << in.id;
      }
      const auto* sync = std::get_if<SyncOp>(&in.payload);
      if (sync != nullptr) {
        EXPECT_LT(sync->barrier, 0) << "no barrier under pipelining";
        if (sync->signal_core >= 0) ++signals[{in.core, sync->signal_core, sync->token}];
        if (sync->wait_core >= 0) ++waits[{in.core, sync->wait_core, sync->token}];
        continue;
      }
      cores_of_layer[in.layer].insert(in.core);
    }
    uint32_t last_core = 0;
    std::set<uint32_t> used;
    for (const auto& [layer, on] : cores_of_layer) {
      ASSERT_EQ(on.size(), 1u) << p.layers[layer].name;
      EXPECT_GE(*on.begin(), last_core) << p.layers[layer].name;
      last_core = *on.begin();
      used.insert(last_core);
    }
    EXPECT_EQ(used.size(), static_cast<size_t>(cores)) << "every core gets a stage";
    // Core s signals each image to core s + 1, which waits for it: once per image.
    for (int64_t s = 0; s < cores; ++s) {
      for (int64_t b = 0; b < batch; ++b) {
        const auto c = static_cast<uint32_t>(s);
        EXPECT_EQ((signals[{c, static_cast<int32_t>(s + 1), b}]), s + 1 < cores ? 1 : 0) << s << " " << b;
        EXPECT_EQ((waits[{c, static_cast<int32_t>(s - 1), b}]), s > 0 ? 1 : 0) << s << " " << b;
      }
    }
    int64_t sent = 0, awaited = 0;
    for (const auto& [key, count] : signals) sent += count;
    for (const auto& [key, count] : waits) awaited += count;
    EXPECT_EQ(sent, (cores - 1) * batch);
    EXPECT_EQ(awaited, (cores - 1) * batch);
    // Each image's outputs land in its own slice, every byte once; the MACs are the batch's.
    for (const char* layer : {"conv", "res", "pool", "proj", "fc_a", "cat"})
      expect_output_covered_once(p, layer);
    int64_t macs = 0;
    for (const Instruction& in : p.instructions) {
      if (in.op == Opcode::kMatmul && in.layer == 0)
        macs += static_cast<int64_t>(in.matmul().m * in.matmul().n * in.matmul().k);
    }
    EXPECT_EQ(macs, net.layers[0].macs);
    EXPECT_EQ(p.layers[0].macs, net.layers[0].macs);
    // The mapping record says which stage each layer is in and why.
    for (const MappingRecord& r : p.mappings) {
      EXPECT_EQ(r.partition, "pipeline") << r.layer;
      EXPECT_NE(r.split.find(fmt::format(" of {} on core ", cores)), std::string::npos) << r.split;
      EXPECT_NE(r.partition_reason.find("largest stage"), std::string::npos) << r.partition_reason;
    }
  }
}

TEST(Pipeline, ACoresDmaForAnImageStaysInsideThatImagesSliceOfEachActivation) {
  const int64_t batch = 4;
  const Program p = compile(pipelined_arch(2), batch_net(batch));
  // Core 0 is on image b until it signals token b; core 1 is on image b from its wait for token b.
  const std::vector<std::string> activations = {"x",    "conv", "conv2", "res", "pool",
                                                "proj", "fc_a", "fc_b",  "cat"};
  std::map<uint32_t, int64_t> image;  // core -> the image it is on
  int checked = 0;
  for (const Instruction& in : p.instructions) {
    if (const auto* sync = std::get_if<SyncOp>(&in.payload)) {
      if (sync->signal_core >= 0) image[in.core] = sync->token + 1;
      if (sync->wait_core >= 0) image[in.core] = sync->token;
      continue;
    }
    if (in.op != Opcode::kLoad && in.op != Opcode::kStore) continue;
    const DmaDescriptor& d = in.dma();
    for (const std::string& name : activations) {
      const TensorPlacement& t = tensor(p, name);
      if (d.dram_addr < t.dram_addr || d.dram_addr >= t.dram_addr + t.bytes) continue;
      const uint64_t slice = t.bytes / batch;
      const uint64_t last = d.dram_addr + (d.planes - 1) * d.plane_stride_bytes +
                            (d.rows - 1) * d.row_stride_bytes + d.row_bytes - 1;
      EXPECT_EQ((d.dram_addr - t.dram_addr) / slice, static_cast<uint64_t>(image[in.core]))
          << "instruction " << in.id << " of " << name;
      EXPECT_EQ((last - t.dram_addr) / slice, static_cast<uint64_t>(image[in.core]))
          << "instruction " << in.id;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

// Four equal convolutions: the stages cut the chain evenly (2 + 2 on two cores, 1 each on four).
TEST(Pipeline, StagesCutEqualLayersEvenly) {
  const Network net = load_network_from_string(R"(name: chain
dtype: int8
inputs:
  - {name: x, shape: [2, 16, 12, 12]}
layers:
  - {name: c0, type: conv2d, out_channels: 16, kernel: 3, padding: 1}
  - {name: c1, type: conv2d, out_channels: 16, kernel: 3, padding: 1}
  - {name: c2, type: conv2d, out_channels: 16, kernel: 3, padding: 1}
  - {name: c3, type: conv2d, out_channels: 16, kernel: 3, padding: 1}
)",
                                               "chain.yaml");
  const Program two = compile(pipelined_arch(2), net);
  EXPECT_NE(two.mappings[1].split.find("stage 0 of 2 on core 0: layers c0..c1"), std::string::npos)
      << two.mappings[1].split;
  EXPECT_NE(two.mappings[2].split.find("stage 1 of 2 on core 1: layers c2..c3"), std::string::npos)
      << two.mappings[2].split;
  const Program four = compile(pipelined_arch(4), net);
  for (size_t l = 0; l < 4; ++l)
    EXPECT_NE(four.mappings[l].split.find(fmt::format("stage {} of 4 on core {}: layer c{}", l, l, l)),
              std::string::npos)
        << four.mappings[l].split;
  // More cores than layers: one stage per layer, the other cores idle.
  const Program six = compile(pipelined_arch(6), net);
  std::set<uint32_t> used;
  for (const Instruction& in : six.instructions) used.insert(in.core);
  EXPECT_EQ(used.size(), 4u);
}

// Steps of m images: the tokens count steps, each step's DMA stays in its m images' slice, and
// under auto the record names every divisor's estimate.
TEST(Pipeline, MicroBatchesOfSeveralImagesPassAsOneStep) {
  const int64_t batch = 4;
  const Network net = batch_net(batch);
  const Program p = compile(pipelined_arch(2, 2), net);
  std::set<int64_t> tokens;
  for (const Instruction& in : p.instructions) {
    if (const auto* sync = std::get_if<SyncOp>(&in.payload); sync != nullptr && sync->signal_core >= 0)
      tokens.insert(sync->token);
  }
  EXPECT_EQ(tokens, (std::set<int64_t>{0, 1}));
  for (const char* layer : {"conv", "res", "proj", "cat"}) expect_output_covered_once(p, layer);
  EXPECT_NE(p.mappings[0].split.find("2 steps of 2 images"), std::string::npos) << p.mappings[0].split;
  EXPECT_NE(p.mappings[0].partition_reason.find("compiler.pipeline_microbatch = 2"), std::string::npos);
  // The record's GEMM is one step's: two images of 16 x 16 output pixels.
  EXPECT_EQ(p.mappings[0].gemm_m, 2 * 16 * 16);
  const Program chosen = compile(pipelined_arch(2, 0), net);
  const std::string& why = chosen.mappings[0].partition_reason;
  EXPECT_NE(why.find("auto, estimates by images per step: 1: ~"), std::string::npos) << why;
  EXPECT_NE(why.find("; 2: ~"), std::string::npos) << why;
  EXPECT_NE(why.find("; 4: ~"), std::string::npos) << why;
}

// A mapping file giving stages (user_mapping.h): the layers from a named one up to the next named one.
UserMapping stages(const std::map<std::string, int64_t>& given) {
  UserMapping m;
  m.path = "stages.yaml";
  int line = 2;
  for (const auto& [layer, stage] : given) m.stages[layer] = {stage, line++};
  return m;
}

TEST(Pipeline, AMappingFileGivesTheStages) {
  const Network net = batch_net(2);
  // conv relu conv2 | res pool | proj flat fc_a fc_b cat, on three of four cores.
  const UserMapping m = stages({{"res", 1}, {"proj", 2}});
  const Program p = compile(pipelined_arch(4), net, &m);
  std::map<uint32_t, std::set<uint32_t>> cores_of_layer;
  for (const Instruction& in : p.instructions) {
    if (!std::holds_alternative<SyncOp>(in.payload)) cores_of_layer[in.layer].insert(in.core);
  }
  const std::map<std::string, uint32_t> expected = {{"conv", 0}, {"conv2", 0}, {"res", 1},  {"pool", 1},
                                                    {"proj", 2}, {"fc_a", 2},  {"fc_b", 2}, {"cat", 2}};
  for (size_t l = 0; l < net.layers.size(); ++l) {
    const auto it = expected.find(net.layers[l].name);
    if (it == expected.end()) continue;
    EXPECT_EQ(cores_of_layer[static_cast<uint32_t>(l)], std::set<uint32_t>{it->second}) << net.layers[l].name;
  }
  EXPECT_NE(p.mappings[3].split.find("stage 1 of 3 on core 1: layers res..pool"), std::string::npos)
      << p.mappings[3].split;
  EXPECT_NE(p.mappings[3].partition_reason.find("as the mapping file stages.yaml gives them"),
            std::string::npos)
      << p.mappings[3].partition_reason;
  for (const char* layer : {"conv", "res", "proj", "cat"}) expect_output_covered_once(p, layer);
}

std::string config_error(const ArchSpec& arch, const Network& net, const UserMapping* mapping = nullptr) {
  try {
    compile(arch, net, mapping);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Pipeline, RefusesNetworksThatMixImagesAndSettingsItCannotHonour) {
  // A network that does not take a step's batch (workload/batch_test.cpp has every such case) is
  // refused at compiler.partition, with the layer.
  const Network fixed = load_network_from_string(R"(name: fixed
dtype: int8
inputs:
  - {name: x, shape: [2, 4, 4, 4]}
layers:
  - {name: flat, type: reshape, shape: [2, 64]}
  - {name: fc, type: fc, out_features: 8}
)",
                                                 "fixed.yaml");
  std::string e = config_error(pipelined_arch(2), fixed);
  EXPECT_NE(e.find("compiler.partition = 'pipeline'"), std::string::npos) << e;
  EXPECT_NE(e.find("flat"), std::string::npos) << e;
  // One core has nothing to pipeline across.
  e = config_error(pipelined_arch(1), batch_net(2));
  EXPECT_NE(e.find("cores.count is 1"), std::string::npos) << e;
  // A fixed on-chip store is for per-layer multi-core programs neither.
  ArchSpec store = pipelined_arch(2);
  store.compiler.resident_kib = 4;
  e = config_error(store, batch_net(2));
  EXPECT_NE(e.find("compiler.resident_kib"), std::string::npos) << e;
  // A micro-batch that does not divide the batch, or one without pipelining.
  e = config_error(pipelined_arch(2, 3), batch_net(4));
  EXPECT_NE(e.find("compiler.pipeline_microbatch = '3': must divide the batch of 4 images"),
            std::string::npos)
      << e;
  ArchSpec per_layer = pipelined_arch(2, 2);
  per_layer.compiler.partition = PartitionChoice::kAuto;
  e = config_error(per_layer, batch_net(4));
  EXPECT_NE(e.find("compiler.pipeline_microbatch = '2': sets the images per step"), std::string::npos) << e;
  // Stages by hand: on a core the NPU has, in layer order, none skipped, and only when pipelining.
  const std::vector<std::pair<std::map<std::string, int64_t>, std::string>> bad = {
      {{{"res", 2}}, "stages.yaml:2: layers.res.stage = '2': must be below cores.count (2)"},
      {{{"conv", 1}}, "layers.conv.stage = '1': skips stage 0"},
      {{{"res", 1}, {"pool", 0}}, "layers.pool.stage = '0': goes back"},
  };
  for (const auto& [given, expected] : bad) {
    const UserMapping m = stages(given);
    e = config_error(pipelined_arch(2), batch_net(2), &m);
    EXPECT_NE(e.find(expected), std::string::npos) << e;
  }
  const UserMapping m = stages({{"res", 1}});
  ArchSpec split = pipelined_arch(2);
  split.compiler.partition = PartitionChoice::kAuto;
  e = config_error(split, batch_net(2), &m);
  EXPECT_NE(e.find("layers.res.stage = '1': puts layers in the stages of layer pipelining"),
            std::string::npos)
      << e;
}

}  // namespace
}  // namespace systole
