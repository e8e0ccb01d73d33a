// Multi-core partitioning (compiler/partition.h): the share arithmetic, what each strategy splits,
// and the structure of a multi-core program: every output element is computed by exactly one
// core, cores meet only at one barrier per layer, and the mapping record says what was done.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "program_checks.h"
#include "systole/compiler/compiler.h"
#include "systole/compiler/partition.h"
#include "systole/compiler/user_mapping.h"
#include "systole/workload/loader.h"
#include "test_networks.h"

namespace systole {
namespace {

using lowering::share_ranges;
using lowering::SplitAxis;
using testnet::Builder;
using testnet::expect_output_covered_once;

// Core `core` of `cores` alike.
std::pair<int64_t, int64_t> share_range(int64_t extent, int64_t granule, int64_t core, int64_t cores) {
  return share_ranges(extent, granule, std::vector<int64_t>(static_cast<size_t>(cores), 1))
      .at(static_cast<size_t>(core));
}

TEST(Partition, SharesAreContiguousWholeUnitsAsEvenAsPossible) {
  const std::vector<std::pair<int64_t, int64_t>> ten = {{0, 3}, {3, 6}, {6, 8}, {8, 10}};
  for (int64_t c = 0; c < 4; ++c) EXPECT_EQ(share_range(10, 1, c, 4), ten[static_cast<size_t>(c)]);
  // 100 columns in units of 32: four units, the last ragged.
  EXPECT_EQ(share_range(100, 32, 0, 4), std::make_pair(int64_t{0}, int64_t{32}));
  EXPECT_EQ(share_range(100, 32, 3, 4), std::make_pair(int64_t{96}, int64_t{100}));
  // More cores than units: the last cores get nothing.
  EXPECT_EQ(share_range(2, 1, 1, 4), std::make_pair(int64_t{1}, int64_t{2}));
  EXPECT_EQ(share_range(2, 1, 3, 4), std::make_pair(int64_t{2}, int64_t{2}));
  // Any split covers the extent exactly once, in order.
  for (int64_t extent : {1, 7, 64, 1000}) {
    for (int64_t granule : {1, 3, 32}) {
      for (int64_t cores : {1, 2, 3, 16}) {
        int64_t next = 0;
        for (int64_t c = 0; c < cores; ++c) {
          const auto [b, e] = share_range(extent, granule, c, cores);
          EXPECT_EQ(b, next);
          EXPECT_LE(b, e);
          if (e < extent) {
            EXPECT_EQ(e % granule, 0);
          }
          next = e;
        }
        EXPECT_EQ(next, extent);
      }
    }
  }
}

TEST(Partition, WeightedSharesFollowTheWeightsByLargestRemainder) {
  // 10 units over weights 4:4:1:1 (a 16x16 core beside 32x32 ones): quotas 4, 4, 1, 1.
  EXPECT_EQ(share_ranges(10, 1, {4, 4, 1, 1}),
            (std::vector<std::pair<int64_t, int64_t>>{{0, 4}, {4, 8}, {8, 9}, {9, 10}}));
  // 11 units: quotas 4.4, 4.4, 1.1, 1.1: the one left over goes to the largest remainder, the
  // lower core on a tie.
  EXPECT_EQ(share_ranges(11, 1, {4, 4, 1, 1}),
            (std::vector<std::pair<int64_t, int64_t>>{{0, 5}, {5, 9}, {9, 10}, {10, 11}}));
  // 55 output rows of 55 pixels over 1024:1024:256:256 PEs: 22, 22, 5.5, 5.5 -> 22, 22, 6, 5.
  EXPECT_EQ(share_ranges(3025, 55, {1024, 1024, 256, 256}),
            (std::vector<std::pair<int64_t, int64_t>>{{0, 1210}, {1210, 2420}, {2420, 2750}, {2750, 3025}}));
  // A remainder beats the lower core: 3 units over 1:2 give 1 and 2, not 2 and 1.
  EXPECT_EQ(share_ranges(3, 1, {1, 2}), (std::vector<std::pair<int64_t, int64_t>>{{0, 1}, {1, 3}}));
  // Equal weights of any size give the even split.
  for (int64_t w : {1, 7, 1024}) {
    const auto even = share_ranges(10, 1, {w, w, w, w});
    for (int64_t c = 0; c < 4; ++c) EXPECT_EQ(even[static_cast<size_t>(c)], share_range(10, 1, c, 4));
  }
}

lowering::GemmProblem conv_problem(int64_t batch, int64_t oc, int64_t ho, int64_t wo, int64_t groups = 1) {
  lowering::GemmProblem p;
  p.is_conv = true;
  p.conv.batch = batch, p.conv.oc = oc, p.conv.ho = ho, p.conv.wo = wo, p.conv.groups = groups;
  p.m = batch * ho * wo;
  p.n = oc / groups;
  p.k = 9;
  p.gemms = groups;
  p.m_batch_unit = batch > 1 ? ho * wo : 0;
  return p;
}

TEST(Partition, EachStrategySplitsItsAxisInItsUnit) {
  const ArchSpec arch = testnet::arch(32, 32, Dataflow::kWeightStationary);
  std::string why;
  auto split = [&](const char* name, const lowering::GemmProblem& p) {
    why.clear();
    return partitions().get(name).split(p, arch, 4, &why);
  };
  auto oc = split("output_channels", conv_problem(1, 256, 14, 14));
  ASSERT_TRUE(oc);
  EXPECT_EQ(oc->axis, SplitAxis::kN);
  EXPECT_EQ(oc->granule, 32);  // 256 >= 4 cores x 32 columns
  EXPECT_EQ(split("output_channels", conv_problem(1, 64, 14, 14))->granule, 1);
  auto dw = split("output_channels", conv_problem(1, 32, 14, 14, 32));  // depthwise: n = 1
  ASSERT_TRUE(dw);
  EXPECT_EQ(dw->axis, SplitAxis::kG);
  auto rows = split("spatial", conv_problem(2, 64, 14, 7));
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->axis, SplitAxis::kM);
  EXPECT_EQ(rows->granule, 7);  // whole output rows
  EXPECT_FALSE(split("spatial", conv_problem(1, 64, 1, 7)));
  EXPECT_EQ(why, "one output row to deal out");
  EXPECT_FALSE(split("batch", conv_problem(1, 64, 14, 14)));
  EXPECT_EQ(why, "a batch of 1");
  auto images = split("batch", conv_problem(4, 64, 14, 14));
  ASSERT_TRUE(images);
  EXPECT_EQ(images->axis, SplitAxis::kM);
  EXPECT_EQ(images->granule, 196);
}

// Net: conv (batch 2) -> relu (fused) -> maxpool (vector chunks) -> two 1x1 convs -> concat (a
// copy: data movement).
Network small_net() {
  return load_network_from_string(R"(name: mc
dtype: int8
inputs:
  - {name: x, shape: [2, 8, 16, 16]}
layers:
  - {name: conv, type: conv2d, out_channels: 96, kernel: 3, padding: 1}
  - {name: relu, type: relu}
  - {name: pool, type: pool, mode: max, kernel: 2, stride: 2}
  - {name: a, type: conv2d, out_channels: 16, kernel: 1}
  - {name: b, type: conv2d, input: pool, out_channels: 16, kernel: 1}
  - {name: cat, type: concat, inputs: [a, b], axis: 1}
)",
                                  "mc.yaml");
}

TEST(Partition, EveryStrategyComputesEachOutputOnceAndCoresMeetAtOneBarrierPerLayer) {
  for (const PartitionChoice choice : {PartitionChoice::kAuto, PartitionChoice::kOutputChannels,
                                       PartitionChoice::kSpatial, PartitionChoice::kBatch}) {
    SCOPED_TRACE(to_string(choice));
    ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 16, 16, 16);
    arch.cores.count = 4;
    arch.compiler.partition = choice;
    const Network net = small_net();
    const Program p = compile(arch, net);
    EXPECT_EQ(p.cores, 4);
    std::map<uint32_t, std::map<uint32_t, int>> barriers;  // layer -> core -> count
    std::map<uint32_t, int64_t> macs;
    std::set<uint32_t> cores_used;
    for (const Instruction& in : p.instructions) {
      ASSERT_LT(in.core, 4u);
      for (uint32_t d : in.deps) ASSERT_EQ(p.instructions[d].core, in.core) << "instruction " << in.id;
      cores_used.insert(in.core);
      if (in.op == Opcode::kSync && std::get<SyncOp>(in.payload).barrier >= 0) {
        EXPECT_EQ(std::get<SyncOp>(in.payload).barrier, in.layer);
        ++barriers[in.layer][in.core];
      }
      if (in.op == Opcode::kMatmul)
        macs[in.layer] += static_cast<int64_t>(in.matmul().m * in.matmul().n * in.matmul().k);
    }
    EXPECT_EQ(cores_used.size(), 4u);
    for (const auto& [layer, per_core] : barriers) {
      EXPECT_EQ(per_core.size(), 4u) << "layer " << layer;
      for (const auto& [core, count] : per_core) EXPECT_EQ(count, 1) << "layer " << layer << " core " << core;
    }
    // The convolutions' MACs are all computed (and once: the coverage below).
    EXPECT_EQ(macs[0], net.layers[0].macs);
    expect_output_covered_once(p, "conv");
    expect_output_covered_once(p, "pool");
    expect_output_covered_once(p, "a");
    const MappingRecord& conv = p.mappings[0];
    const std::string want = choice == PartitionChoice::kAuto ? conv.partition : to_string(choice);
    EXPECT_EQ(conv.partition, want);
    EXPECT_EQ(std::count(conv.split.begin(), conv.split.end(), '|'), 3) << conv.split;
    EXPECT_FALSE(conv.partition_reason.empty());
    EXPECT_EQ(p.mappings[2].partition, "chunks");  // the pool
    EXPECT_EQ(p.mappings[5].partition, "core0");   // the concat moves data on core 0
    EXPECT_NE(p.mappings[5].partition_reason.find("not partitioned"), std::string::npos);
    expect_output_covered_once(p, "cat");
    EXPECT_EQ(p.residency.mode, "auto");
    EXPECT_EQ(p.residency.resident_tensors, 0);
  }
}

TEST(Partition, ANamedStrategyThatCannotSplitALayerFallsBackToAutoAndSaysSo) {
  ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 16, 16, 16);
  arch.cores.count = 2;
  arch.compiler.partition = PartitionChoice::kBatch;
  const Program p =
      compile(arch, Builder("b1").input("x", {1, 8, 8, 8}).conv("conv", "x", 16, 3, 3, 1, 1).build());
  EXPECT_NE(p.mappings[0].partition, "batch");
  EXPECT_EQ(p.mappings[0].partition_reason.rfind("batch cannot split it (a batch of 1); ", 0), 0u)
      << p.mappings[0].partition_reason;
}

TEST(Partition, TheProgramTextNamesEachInstructionsCoreAndTheBarriers) {
  ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 16, 16, 16);
  arch.cores.count = 2;
  const Program p =
      compile(arch, Builder("t").input("x", {1, 8, 8, 8}).conv("conv", "x", 16, 3, 3, 1, 1).build());
  const std::string text = to_text(p);
  EXPECT_NE(text.find("# cores 2\n"), std::string::npos);
  EXPECT_NE(text.find(" c1 MATMUL "), std::string::npos);
  EXPECT_NE(text.find(" barrier=0 "), std::string::npos);
  EXPECT_NE(text.find("#   partition: "), std::string::npos);
  const nlohmann::json j = to_json(p);
  EXPECT_EQ(j["cores"], 2);
  EXPECT_TRUE(j["layers"][0].contains("partition"));
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

std::string write_mapping(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(Partition, AMappingFileNamesAStrategyPerLayer) {
  ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 16, 16, 16);
  arch.cores.count = 4;
  const Network net = small_net();
  const std::string path =
      write_mapping("systole_partition_map.yaml", "layers:\n  a: {partition: spatial}\n");
  const UserMapping m = load_user_mapping(path, net);
  const Program p = compile(arch, net, &m);
  EXPECT_EQ(p.mappings[3].partition, "spatial");
  EXPECT_NE(p.mappings[3].partition_reason.find(path + ":2 says spatial"), std::string::npos)
      << p.mappings[3].partition_reason;
  EXPECT_EQ(p.mappings[3].mapper, "heuristic") << "a partition alone leaves the tiling to the search";
  EXPECT_NE(p.mappings[4].partition_reason.find("the cheapest estimate"), std::string::npos);
}

TEST(Partition, BadMappingFilePartitionsNameTheFileLineAndKey) {
  const Network net = small_net();
  auto error_of = [&](const std::string& text, int64_t cores) -> Diagnostic {
    ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 16, 16, 16);
    arch.cores.count = cores;
    const std::string path = write_mapping("systole_bad_partition.yaml", text);
    try {
      const UserMapping m = load_user_mapping(path, net);
      compile(arch, net, &m);
    } catch (const ConfigError& e) {
      return e.diagnostics().front();
    }
    ADD_FAILURE() << "no error for " << text;
    return {};
  };
  const Diagnostic bad = error_of("layers:\n  a: {partition: diagonal}\n", 4);
  EXPECT_EQ(bad.key, "layers.a.partition");
  EXPECT_EQ(bad.value, "diagonal");
  EXPECT_EQ(bad.line, 2);
  EXPECT_NE(bad.rule.find("output_channels, spatial, batch"), std::string::npos) << bad.rule;
  const Diagnostic one = error_of("layers:\n  a: {partition: batch}\n", 1);
  EXPECT_NE(one.rule.find("cores.count is 1"), std::string::npos) << one.rule;
  const Diagnostic pool = error_of("layers:\n  pool: {partition: spatial}\n", 4);
  EXPECT_EQ(pool.key, "layers.pool.partition");
  EXPECT_NE(pool.rule.find("only GEMM layers"), std::string::npos) << pool.rule;
}

}  // namespace
}  // namespace systole
