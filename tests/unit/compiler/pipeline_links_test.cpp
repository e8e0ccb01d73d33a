// Activations passed core to core on chip under layer pipelining (compiler/pipeline_links.h): which
// tensors become links, where their two slots sit, how the STOREs and LOADs of each step reach them,
// and the credits that keep a slot from being overwritten while it is read.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/compiler.h"
#include "systole/compiler/pipeline_links.h"
#include "systole/compiler/user_mapping.h"
#include "systole/workload/loader.h"
#include "test_networks.h"

namespace systole {
namespace {

using lowering::dma_extent;

// Four equal convolutions of 16 x 16 x 16 int8 (4 KiB per image), one per core, one image per step.
Network chain(int64_t batch) {
  return load_network_from_string(fmt::format(R"(name: chain
dtype: int8
inputs:
  - {{name: x, shape: [{}, 16, 16, 16]}}
layers:
  - {{name: c0, type: conv2d, out_channels: 16, kernel: 3, padding: 1}}
  - {{name: c1, type: conv2d, out_channels: 16, kernel: 3, padding: 1}}
  - {{name: c2, type: conv2d, out_channels: 16, kernel: 3, padding: 1}}
  - {{name: c3, type: conv2d, out_channels: 16, kernel: 3, padding: 1}}
)",
                                              batch),
                                  "chain.yaml");
}

ArchSpec four_cores() {
  ArchSpec arch = testnet::arch(8, 8, Dataflow::kWeightStationary, 64, 64, 64);
  arch.cores.count = 4;
  arch.compiler.partition = PartitionChoice::kPipeline;
  arch.compiler.pipeline_microbatch = 1;
  return arch;
}

// A byte range [begin, end) of a core's tensor store written or read in a step.
using StoreBytes = std::set<std::tuple<uint32_t, int64_t, uint64_t>>;  // (store's core, step, address)

TEST(PipelineLinks, EachStagesOutputGoesToTheNextCoresStoreInAlternatingSlots) {
  const int64_t batch = 5;
  const Program p = compile(four_cores(), chain(batch));
  ASSERT_EQ(p.cores, 4);
  const int64_t capacity = 64 * 1024;
  ASSERT_EQ(p.residency.resident_tensors, 3) << p.residency.choice;  // c0, c1, c2; c3 is the output
  EXPECT_NE(p.residency.choice.find("3 tensors passed core to core on chip"), std::string::npos)
      << p.residency.choice;
  const auto reserved = static_cast<uint64_t>(p.residency.reserved_bytes);
  EXPECT_GE(reserved, 2u * 4096u);

  // Walk each core's stream, tracking its step: a core's step b runs from its wait for token b
  // (core 0: from its previous step's signal) to its signal of token b.
  std::map<uint32_t, int64_t> step;
  StoreBytes written, read;
  std::map<std::pair<uint32_t, int64_t>, uint64_t> lowest;  // (store's core, step) -> its lowest address
  std::map<uint32_t, const SyncOp*> sync_of;                // instruction id -> its SyncOp
  int64_t remote_stores = 0, credit_waits_used = 0;
  std::map<std::tuple<uint32_t, int32_t, int64_t>, int> signals;  // (core, to, token)
  for (const Instruction& in : p.instructions) {
    if (const auto* sync = std::get_if<SyncOp>(&in.payload)) {
      sync_of[in.id] = sync;
      if (sync->wait_core >= 0 && sync->wait_core + 1 == static_cast<int32_t>(in.core))
        step[in.core] = sync->token;
      if (sync->signal_core >= 0) {
        ++signals[{in.core, sync->signal_core, sync->token}];
        if (sync->signal_core == static_cast<int32_t>(in.core) + 1) step[in.core] = sync->token + 1;
      }
      continue;
    }
    if (in.op != Opcode::kLoad && in.op != Opcode::kStore) continue;
    const DmaDescriptor& d = in.dma();
    const int64_t b = step[in.core];
    if (!d.on_chip) {
      // Only the network's input and output, and the weights, stay in DRAM.
      EXPECT_TRUE(in.op == Opcode::kLoad ? (in.layer == 0 || d.buffer == Buffer::kWeight) : in.layer == 3)
          << "instruction " << in.id;
      continue;
    }
    const bool store = in.op == Opcode::kStore;
    // Core s writes its layer's output into core s + 1's store; core s + 1 reads it from its own.
    EXPECT_EQ(d.store_core, store ? static_cast<int32_t>(in.core) + 1 : -1) << "instruction " << in.id;
    const uint32_t owner = store ? in.core + 1 : in.core;
    EXPECT_EQ(in.layer, store ? in.core : in.core) << "instruction " << in.id;
    // Inside the reserved region at the top of the scratchpad (slots checked below).
    const uint64_t extent = dma_extent(d);
    ASSERT_GE(d.store_addr, capacity - reserved) << "instruction " << in.id;
    ASSERT_LE(d.store_addr + extent, static_cast<uint64_t>(capacity)) << "instruction " << in.id;
    uint64_t& low = lowest[{owner, b}];
    low = low == 0 ? d.store_addr : std::min(low, d.store_addr);
    for (uint64_t pl = 0; pl < d.planes; ++pl) {
      for (uint64_t r = 0; r < d.rows; ++r) {
        for (uint64_t x = 0; x < d.row_bytes; ++x)
          (store ? written : read)
              .insert({owner, b, d.store_addr + pl * d.plane_stride_bytes + r * d.row_stride_bytes + x});
      }
    }
    if (store) {
      ++remote_stores;
      // From step 2 on, the STORE waits for the next core's credit for step b - 2.
      bool credited = false;
      for (const uint32_t dep : in.deps) {
        const auto it = sync_of.find(dep);
        if (it != sync_of.end() && it->second->wait_core == static_cast<int32_t>(in.core) + 1) {
          EXPECT_EQ(it->second->token, b - 2) << "instruction " << in.id;
          credited = true;
        }
      }
      EXPECT_EQ(credited, b >= 2) << "instruction " << in.id << " step " << b;
      credit_waits_used += credited ? 1 : 0;
    }
  }
  EXPECT_GT(remote_stores, 0);
  EXPECT_GT(credit_waits_used, 0);
  // Steps alternate between two slots: b and b + 2 share one, b and b + 1 do not.
  for (uint32_t owner = 1; owner < 4; ++owner) {
    for (int64_t b = 0; b + 1 < batch; ++b) {
      const uint64_t here = lowest[{owner, b}], next = lowest[{owner, b + 1}];
      EXPECT_NE(here, next) << owner << " " << b;
      if (b + 2 < batch) {
        const uint64_t after = lowest[{owner, b + 2}];
        EXPECT_EQ(here, after) << owner << " " << b;
      }
    }
  }
  // What each core reads in a step is exactly what the previous core wrote for that step.
  EXPECT_EQ(written, read);
  EXPECT_EQ(written.size(), static_cast<size_t>(3 * batch * 4096));
  // Cores 1..3 send core s - 1 a credit for each step b whose slot core s - 1 will fill again (b + 2 <
  // batch).
  for (uint32_t s = 1; s < 4; ++s) {
    for (int64_t b = 0; b < batch; ++b)
      EXPECT_EQ((signals[{s, static_cast<int32_t>(s - 1), b}]), b + 2 < batch ? 1 : 0) << s << " " << b;
  }
  // The record says which tensors pass on chip.
  for (size_t l = 0; l < 3; ++l)
    EXPECT_EQ(p.mappings[l].residency.rfind("on chip: written by core", 0), 0u) << p.mappings[l].residency;
  EXPECT_EQ(p.mappings[3].residency.rfind("DRAM", 0), 0u) << p.mappings[3].residency;
}

// conv (fused relu) -> conv -> residual add -> pool -> 1x1 conv -> flatten -> fc: a residual edge,
// a view, tensors within a stage and between stages.
Network residual(int64_t batch) {
  return load_network_from_string(fmt::format(R"(name: res
dtype: int8
inputs:
  - {{name: x, shape: [{}, 16, 16, 16]}}
layers:
  - {{name: conv, type: conv2d, out_channels: 16, kernel: 3, padding: 1}}
  - {{name: relu, type: relu}}
  - {{name: conv2, type: conv2d, out_channels: 16, kernel: 3, padding: 1}}
  - {{name: res, type: add, inputs: [conv2, relu]}}
  - {{name: pool, type: pool, mode: max, kernel: 2, stride: 2}}
  - {{name: proj, type: conv2d, out_channels: 16, kernel: 1}}
  - {{name: flat, type: reshape, shape: [-1, 1024]}}
  - {{name: fc, type: fc, out_features: 10}}
)",
                                              batch),
                                  "res.yaml");
}

// Each tensor is on chip for every access or for none (else a reader would miss its data): a
// stage's own tensor in its core's store, a link from one core to the next; a tensor of the step
// program's residency that crosses stages goes to DRAM.
TEST(PipelineLinks, AStagesOwnTensorsStayInItsStoreAndNoTensorIsHalfOnChip) {
  ArchSpec arch = four_cores();
  arch.cores.count = 2;
  arch.core.scratchpads.declare("ifmap").capacity_kib = 512;
  // Stage 1 from the residual add: conv's output (relu) is read by conv2 in stage 0 and by res in
  // stage 1, so it crosses stages without being a link.
  UserMapping stages;
  stages.path = "stages.yaml";
  stages.stages["res"] = {1, 2};
  const Program p = compile(arch, residual(3), &stages);
  std::map<uint64_t, const TensorPlacement*> by_home;
  for (const TensorPlacement& t : p.tensors) {
    if (t.bytes > 0 && (by_home.count(t.dram_addr) == 0 || t.bytes > by_home[t.dram_addr]->bytes))
      by_home[t.dram_addr] = &t;
  }
  struct Use {
    int on_chip = 0, dram = 0;
    std::set<std::pair<uint32_t, int32_t>> cores;  // (issuing core, store_core)
  };
  std::map<std::string, Use> uses;
  for (const Instruction& in : p.instructions) {
    const auto* d = std::get_if<DmaDescriptor>(&in.payload);
    if (d == nullptr || d->bytes() == 0) continue;
    auto it = by_home.upper_bound(d->dram_addr);
    ASSERT_NE(it, by_home.begin());
    const TensorPlacement& t = *std::prev(it)->second;
    if (t.name.find(".weight") != std::string::npos) continue;
    Use& u = uses[t.name];
    (d->on_chip ? u.on_chip : u.dram) += 1;
    if (d->on_chip) u.cores.insert({in.core, d->store_core});
  }
  int own = 0;
  for (const auto& [name, u] : uses) {
    EXPECT_TRUE(u.on_chip == 0 || u.dram == 0)
        << name << ": " << u.on_chip << " on chip, " << u.dram << " DRAM";
    if (u.on_chip == 0) continue;
    std::set<uint32_t> stores;  // whose store holds it
    for (const auto& [core, store] : u.cores) stores.insert(store >= 0 ? static_cast<uint32_t>(store) : core);
    EXPECT_EQ(stores.size(), 1u) << name;
    if (u.cores.size() == 1 && u.cores.begin()->second < 0) ++own;
  }
  EXPECT_GT(own, 0) << "some stage keeps a tensor of its own on chip: " << p.residency.choice;
  EXPECT_NE(p.residency.choice.find("a stage's own tensors: each step program's own"), std::string::npos)
      << p.residency.choice;
}

TEST(PipelineLinks, WithResidencyOffEveryTensorPassesThroughDram) {
  ArchSpec arch = four_cores();
  arch.compiler.residency = Residency::kOff;
  const Program p = compile(arch, chain(3));
  for (const Instruction& in : p.instructions) {
    if (const auto* d = std::get_if<DmaDescriptor>(&in.payload)) {
      EXPECT_FALSE(d->on_chip) << "instruction " << in.id;
      EXPECT_EQ(d->store_core, -1);
    }
  }
  EXPECT_EQ(p.residency.resident_tensors, 0);
  EXPECT_NE(p.mappings[0].residency.find("compiler.residency is off"), std::string::npos)
      << p.mappings[0].residency;
}

// A hand-made step program of three stages (one layer each) over tensors at 0x1000 steps: which
// become links and why the others do not.
TEST(PipelineLinks, OnlyATensorOneStageWritesAndTheNextAloneReadsAndThatFitsIsALink) {
  Program p;
  auto tensor = [&p](const std::string& name, uint64_t addr, uint64_t bytes) {
    p.tensors.push_back({name, addr, bytes, false, 0});
  };
  tensor("skip", 0x10000, 1024);      // written by stage 0, read by stages 1 and 2
  tensor("next", 0x20000, 1024);      // written by stage 0, read by stage 1: a link
  tensor("big", 0x30000, 40 * 1024);  // written by stage 1, read by stage 2: too large
  tensor("table", 0x40000, 1024);     // written by stage 0, read by stage 1 as a gather table
  tensor("out", 0x50000, 1024);       // written by stage 2, read by nobody: the network's output
  auto dma = [&p](Opcode op, uint32_t layer, uint64_t addr, uint64_t bytes, bool indexed = false) {
    Instruction in;
    in.id = static_cast<uint32_t>(p.instructions.size());
    in.op = op;
    in.layer = layer;
    DmaDescriptor d;
    d.dram_addr = addr;
    d.row_bytes = bytes;
    if (indexed) {
      d.indexed = true;
      d.table_addr = addr;
      d.table_rows = 1;
    }
    in.payload = d;
    p.instructions.push_back(in);
  };
  dma(Opcode::kStore, 0, 0x10000, 1024);
  dma(Opcode::kStore, 0, 0x20000, 1024);
  dma(Opcode::kStore, 0, 0x40000, 1024);
  dma(Opcode::kLoad, 1, 0x10000, 512);
  dma(Opcode::kLoad, 1, 0x20000 + 512, 512);
  dma(Opcode::kLoad, 1, 0x40000, 64, true);
  dma(Opcode::kStore, 1, 0x30000, 40 * 1024);
  dma(Opcode::kLoad, 2, 0x10000 + 512, 512);
  dma(Opcode::kLoad, 2, 0x30000, 40 * 1024);
  dma(Opcode::kStore, 2, 0x50000, 1024);
  std::vector<lowering::LinkStage> stages;
  for (size_t s = 0; s < 3; ++s) stages.push_back({&p, s, s, 64 * 1024, 64});
  const lowering::LinkPlan plan = lowering::plan_links(stages);
  ASSERT_EQ(plan.links.size(), 1u);
  EXPECT_EQ(plan.links[0].tensor, "next");
  EXPECT_EQ(plan.links[0].from, 0u);
  EXPECT_EQ(plan.links[0].bytes, 1024u);
  EXPECT_EQ(plan.links[0].offset, 0u);
  EXPECT_EQ(plan.slot_bytes, (std::vector<uint64_t>{0, 1024, 0}));
  EXPECT_NE(plan.reasons.at("skip").find("read by stage 1, 2"), std::string::npos) << plan.reasons.at("skip");
  EXPECT_NE(plan.reasons.at("big").find("half of its core's tensor-store"), std::string::npos)
      << plan.reasons.at("big");
  EXPECT_NE(plan.reasons.at("table").find("indexed"), std::string::npos) << plan.reasons.at("table");
  EXPECT_EQ(plan.reasons.count("out"), 0u);
  // The index finds a link's bytes, and refuses a range that leaves the tensor.
  const lowering::LinkIndex index(plan, p.tensors);
  const auto hit = index.find(0x20000 + 512, 512);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->first, 0u);
  EXPECT_EQ(hit->second, 512u);
  EXPECT_FALSE(index.find(0x10000, 1024).has_value());
  EXPECT_THROW(index.find(0x20000 + 512, 1024), InternalError);
}

}  // namespace
}  // namespace systole
