// Activation residency (compiler/residency.h): liveness over the network, first-fit placement in
// the on-chip tensor store, spilling, views, and the DMA descriptors that reach resident tensors.
#include <gtest/gtest.h>

#include <map>

#include "systole/common/error.h"
#include "systole/compiler/residency.h"
#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

ArchSpec residency_arch(Residency mode, int64_t resident_kib, int64_t ifmap_kib = 64) {
  ArchSpec a = testnet::arch(8, 8, Dataflow::kWeightStationary, ifmap_kib);
  a.compiler.residency = mode;
  a.compiler.resident_kib = resident_kib;
  return a;
}

const MappingRecord& record(const Program& p, const std::string& layer) {
  for (const MappingRecord& r : p.mappings) {
    if (r.layer == layer) return r;
  }
  throw std::runtime_error("no layer " + layer);
}

const TensorPlacement& tensor(const Program& p, const std::string& name) {
  for (const TensorPlacement& t : p.tensors) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no tensor " + name);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Every LOAD / STORE inside a resident tensor's DRAM home is on chip, inside the store, and every
// other one is not.
void expect_descriptors_follow_residency(const Program& p, int64_t capacity) {
  for (const Instruction& in : p.instructions) {
    const auto* d = std::get_if<DmaDescriptor>(&in.payload);
    if (d == nullptr) continue;
    const TensorPlacement* home = nullptr;
    for (const TensorPlacement& t : p.tensors) {
      if (d->dram_addr >= t.dram_addr && d->dram_addr < t.dram_addr + t.bytes) home = &t;
    }
    ASSERT_NE(home, nullptr) << "instruction " << in.id;
    EXPECT_EQ(d->on_chip, home->on_chip) << "instruction " << in.id << " on " << home->name;
    if (!d->on_chip) continue;
    EXPECT_EQ(d->store_addr, home->store_addr + (d->dram_addr - home->dram_addr));
    EXPECT_GE(d->store_addr, p.residency.store_base);
    EXPECT_LE(d->store_addr + d->bytes(), static_cast<uint64_t>(capacity));
  }
}

int64_t dram_bytes(const Program& p) {
  int64_t b = 0;
  for (const Instruction& in : p.instructions) {
    const auto* d = std::get_if<DmaDescriptor>(&in.payload);
    if (d != nullptr && !d->on_chip) b += static_cast<int64_t>(d->bytes());
  }
  return b;
}

// x -> conv a (+relu, fused) -> conv b -> add(b, a) -> conv c: a residual block.
Network residual_block() {
  return Builder("residual")
      .input("x", {1, 8, 16, 16})
      .conv("a", "x", 8, 3, 3, 1, 1)
      .activation("a_relu", "a")
      .conv("b", "a_relu", 8, 3, 3, 1, 1)
      .add_layer("sum", "b", "a_relu")
      .conv("c", "sum", 8, 1, 1)
      .build();
}

TEST(Residency, AResidualBlockKeepsItsActivationsOnChipAndItsOutputInDram) {
  const ArchSpec a = residency_arch(Residency::kAuto, 16);
  const Program p = compile(a, residual_block());
  EXPECT_EQ(p.residency.reserved_bytes, 16 * 1024);
  EXPECT_EQ(p.residency.store_base, 48u * 1024);
  EXPECT_EQ(p.residency.resident_tensors, 3);  // a (with its fused relu), b, sum
  EXPECT_TRUE(starts_with(record(p, "a").residency, "on chip: 'ifmap'")) << record(p, "a").residency;
  EXPECT_TRUE(starts_with(record(p, "a_relu").residency, "a view of 'a': on chip"));
  EXPECT_TRUE(starts_with(record(p, "sum").residency, "on chip"));
  EXPECT_EQ(record(p, "c").residency, "DRAM: a network output (no layer reads it)");
  EXPECT_FALSE(tensor(p, "x").on_chip);
  EXPECT_TRUE(tensor(p, "a").on_chip);
  EXPECT_TRUE(tensor(p, "a_relu").on_chip);
  EXPECT_EQ(tensor(p, "a_relu").store_addr, tensor(p, "a").store_addr);
  EXPECT_FALSE(tensor(p, "c.weight").on_chip);
  expect_descriptors_follow_residency(p, 64 * 1024);
  // `a` lives until `sum` reads it, so `b` and `sum` cannot take its place.
  EXPECT_NE(tensor(p, "b").store_addr, tensor(p, "a").store_addr);
  EXPECT_NE(tensor(p, "sum").store_addr, tensor(p, "a").store_addr);
  EXPECT_NE(tensor(p, "sum").store_addr, tensor(p, "b").store_addr);

  const Program off = compile(residency_arch(Residency::kOff, 0), residual_block());
  EXPECT_EQ(off.residency.resident_tensors, 0);
  EXPECT_EQ(record(off, "a").residency, "DRAM: compiler.residency is off");
  expect_descriptors_follow_residency(off, 64 * 1024);
  // What stays on chip is what no longer goes to DRAM: a, b and sum written once and read by
  // their consumers (at least once each).
  const int64_t act = 8 * 16 * 16;
  EXPECT_LE(dram_bytes(p), dram_bytes(off) - 3 * act - 4 * act);
}

// t1 = x + x, t2 = t1 + t1, t3 = t2 + t1, t4 = t3 + t3, out = t4 + t4; each 2048 B, a store of
// two: t3 finds t1 and t2 alive and spills; t4 takes the place t1 left.
TEST(Residency, FirstFitInProductionOrderSpillsWhatDoesNotFitAndReusesFreedSpace) {
  const Network net = Builder("chain")
                          .input("x", {1, 8, 16, 16})
                          .add_layer("t1", "x", "x")
                          .add_layer("t2", "t1", "t1")
                          .add_layer("t3", "t2", "t1")
                          .add_layer("t4", "t3", "t3")
                          .add_layer("out", "t4", "t4")
                          .build();
  const Program p = compile(residency_arch(Residency::kAuto, 4), net);
  const uint64_t base = p.residency.store_base;
  EXPECT_EQ(tensor(p, "t1").store_addr, base);
  EXPECT_EQ(tensor(p, "t2").store_addr, base + 2048);
  EXPECT_FALSE(tensor(p, "t3").on_chip);
  EXPECT_TRUE(starts_with(record(p, "t3").residency,
                          "DRAM: spilled: its 2048 B do not fit the on-chip store "
                          "when layer 2 produces it (0 B of 4096 B free"))
      << record(p, "t3").residency;
  EXPECT_EQ(tensor(p, "t4").store_addr, base);
  EXPECT_EQ(p.residency.peak_live_bytes, 3 * 2048);
  expect_descriptors_follow_residency(p, 64 * 1024);
}

TEST(Residency, AutoNeverEstimatesWorseThanOffAndSizesTheStoreToWhatIsLive) {
  const Network net = residual_block();
  const ArchSpec a = residency_arch(Residency::kAuto, 0, 1024);
  const Program p = compile(a, net);
  const Program off = compile(residency_arch(Residency::kOff, 0, 1024), net);
  const lowering::ProgramEstimate e = lowering::estimate_program(a, p);
  const lowering::ProgramEstimate e_off = lowering::estimate_program(a, off);
  EXPECT_LE(e.cycles, e_off.cycles);
  EXPECT_LT(e.dram_bytes, e_off.dram_bytes);
  EXPECT_EQ(e.dram_bytes, dram_bytes(p));
  // The peak of live bytes (a, b and sum's inputs: 3 x 2048 B) is among the sizes tried.
  EXPECT_EQ(p.residency.peak_live_bytes, 3 * 2048);
  EXPECT_NE(p.residency.choice.find("6 KiB:"), std::string::npos) << p.residency.choice;
  EXPECT_EQ(p.residency.resident_tensors, 3);
}

TEST(Residency, AStoreAsLargeAsTheScratchpadIsAConfigErrorNamingTheKey) {
  ArchSpec a = residency_arch(Residency::kAuto, 64);
  a.source_path = "npu.yaml";
  a.key_origins["compiler.resident_kib"] = {"npu.yaml", 7};
  try {
    compile(a, residual_block());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("npu.yaml:7"), std::string::npos) << m;
    EXPECT_NE(m.find("compiler.resident_kib"), std::string::npos) << m;
    EXPECT_NE(m.find("core.scratchpads.ifmap"), std::string::npos) << m;
  }
}

TEST(Residency, AStoreSizeWithResidencyOffIsAConfigError) {
  EXPECT_THROW(compile(residency_arch(Residency::kOff, 8), residual_block()), ConfigError);
  ArchSpec a = testnet::scalesim_arch(8, 8, Dataflow::kWeightStationary, 64);
  a.compiler.residency = Residency::kAuto;
  a.compiler.resident_kib = 8;
  try {
    compile(a, residual_block());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("SCALE-Sim compatibility"), std::string::npos) << e.what();
  }
}

TEST(Residency, ScaleSimCompatibilityKeepsEveryOutputInDram) {
  ArchSpec a = testnet::scalesim_arch(8, 8, Dataflow::kWeightStationary, 64);
  a.compiler.residency = Residency::kAuto;
  const Program p = compile(a, residual_block());
  EXPECT_EQ(p.residency.resident_tensors, 0);
  EXPECT_EQ(p.residency.reserved_bytes, 0);
  EXPECT_TRUE(starts_with(record(p, "b").residency, "DRAM: SCALE-Sim compatibility"));
}

}  // namespace
}  // namespace systole
