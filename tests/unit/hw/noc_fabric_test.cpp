// The NoC fabric between cores and DRAM (hw/noc/noc_fabric.h), through simulate(): a DMA burst's
// round trip and a barrier, each timed exactly from the network's zero-load latency (derived
// here, noc/network.h) and the DRAM model's own timing.
#include <gtest/gtest.h>

#include <cmath>

#include "systole/common/error.h"
#include "systole/hw/core/simulate.h"
#include "unit/hw/program_builder.h"

namespace systole {
namespace {

using hwtest::ProgramBuilder;
using hwtest::test_arch;

// test_arch: 1 ns core cycles; simple DRAM, latency 100 ns, 25.6 GB/s. On a 4x4 mesh (router 2,
// link 1 cycles, 32 B flits, 1000 MHz) with cores.count = 2: cores at nodes 0 and 1, the one DRAM
// channel at node 8 (west edge, row 2).
ArchSpec two_core_arch() {
  ArchSpec a = test_arch();
  a.cores.count = 2;
  return a;
}

// (H + 1) * router + H * link + (F - 1), in NoC cycles = ns.
int64_t zero_load(int64_t hops, int64_t flits) {
  return (hops + 1) * 2 + hops * 1 + (flits - 1);
}

Program for_cores(Program p, int64_t cores) {
  p.cores = cores;
  return p;
}

TEST(NocFabric, ABurstPaysTheRequestTheDramAndTheResponseThroughTheNetwork) {
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);  // one 64 B burst on core 0
  const SimResult r = simulate(two_core_arch(), for_cores(b.program(), 2));
  // The request (one flit) enters at the edge after the DMA issues it (1 ns) and crosses 2 hops
  // to node 8; the DRAM completes 64 B at arrival + 2.5 + 100 ns; the response (64 B: 2 flits)
  // enters at the first edge after that and crosses back.
  const int64_t request = zero_load(2, 1);
  const auto response_enters = static_cast<int64_t>(std::ceil(1.0 + static_cast<double>(request) + 102.5));
  const int64_t response = zero_load(2, 2);
  EXPECT_EQ(r.total_cycles, response_enters + response);
  ASSERT_EQ(r.cores.size(), 2u);
  EXPECT_EQ(r.noc.topology, "mesh");
  EXPECT_EQ(r.noc.packets, 2);
  EXPECT_EQ(r.noc.flits, 3);
  EXPECT_EQ(r.noc.flit_hops, 2 * 1 + 2 * 2);
  ASSERT_EQ(r.noc.cores.size(), 2u);
  EXPECT_EQ(r.noc.cores[0].read_requests, 1);
  EXPECT_EQ(r.noc.cores[0].read_bytes, 64);
  EXPECT_EQ(r.noc.cores[0].network_cycles, request + response);
  EXPECT_EQ(r.noc.cores[1].read_requests, 0);
  ASSERT_EQ(r.noc.flows.size(), 2u);  // 0 -> 8 and 8 -> 0
  EXPECT_EQ(r.noc.flows[0].src, 0);
  EXPECT_EQ(r.noc.flows[0].dst, 8);
  EXPECT_EQ(r.noc.flows[1].bytes, 64);
}

TEST(NocFabric, ABarrierRetiresWhenTheLastArrivalHasReachedCoreZerosNodeAndTheReleaseReturns) {
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);  // core 0 works first; core 1 waits at the barrier
  Program p = b.program();
  for (uint32_t core : {0u, 1u}) {
    Instruction sync;
    sync.id = static_cast<uint32_t>(p.instructions.size());
    sync.op = Opcode::kSync;
    sync.core = core;
    sync.deps = core == 0 ? std::vector<uint32_t>{0} : std::vector<uint32_t>{};
    SyncOp op;
    op.barrier = 0;
    sync.payload = op;
    p.instructions.push_back(sync);
  }
  const SimResult r = simulate(two_core_arch(), for_cores(p, 2));
  // Core 1 arrives at once (its message is in by t = 6). Core 0 arrives when its LOAD retires
  // (t0, the previous test's round trip); its message enters at t0 + 1 and reaches its own node
  // (0 hops) after zero_load(0, 1); the releases enter at the next edge, core 0's first, then core
  // 1's one cycle behind it from the same node, and core 1's crosses 1 hop.
  const int64_t t0 =
      static_cast<int64_t>(std::ceil(1.0 + static_cast<double>(zero_load(2, 1)) + 102.5)) + zero_load(2, 2);
  const int64_t arrived = t0 + 1 + zero_load(0, 1);
  EXPECT_EQ(r.total_cycles, arrived + 2 + zero_load(1, 1));
  EXPECT_EQ(r.noc.cores[0].barriers, 1);
  EXPECT_EQ(r.noc.cores[1].barriers, 1);
  // Core 1 spent the whole run waiting: no instruction of its own kept a unit busy.
  EXPECT_EQ(r.cores[1].total.macs, 0);
  EXPECT_EQ(r.cores[1].total.dma_busy_cycles, 0);
}

// Refused at elaboration (the controller checks its program), before any process runs.
// Core 0 STOREs 64 B into core 1's tensor store (the ifmap scratchpad): the write crosses one hop
// as a request of 2 flits, is written there when its tail arrives, and a one-flit
// acknowledgement comes back; no DRAM traffic.
TEST(NocFabric, ARemoteStoreIsWrittenIntoTheOtherCoresStoreAndAcknowledged) {
  ProgramBuilder b;
  const uint32_t st = b.store(Buffer::kOfmap, 1, 64);
  Program p = for_cores(b.program(), 2);
  DmaDescriptor& d = std::get<DmaDescriptor>(p.instructions[st].payload);
  d.on_chip = true;
  d.store_addr = 4096;
  d.store_core = 1;
  const SimResult r = simulate(two_core_arch(), p);
  // The request enters at the edge after the DMA issues it (t = 1) and is delivered at
  // 1 + zero_load(1, 2); the write takes 1 port cycle + 1 write-latency cycle; the acknowledgement
  // enters at the first edge strictly after that and crosses back.
  const int64_t delivered = 1 + zero_load(1, 2);
  const int64_t written = delivered + 1 + 1;
  EXPECT_EQ(r.total_cycles, written + 1 + zero_load(1, 1));
  ASSERT_EQ(r.noc.cores.size(), 2u);
  EXPECT_EQ(r.noc.cores[0].remote_store_requests, 1);
  EXPECT_EQ(r.noc.cores[0].remote_store_bytes, 64);
  EXPECT_EQ(r.noc.cores[0].write_requests, 0) << "not DRAM traffic";
  EXPECT_EQ(r.noc.cores[0].network_cycles, r.total_cycles - 1) << "the whole round trip is network";
  EXPECT_EQ(r.dram.write_bytes, 0);
  EXPECT_EQ(r.total.dram_writes_bytes, 0);
  EXPECT_EQ(r.total.on_chip_bytes, 64);
  ASSERT_EQ(r.noc.flows.size(), 2u);  // 0 -> 1 (the data) and 1 -> 0 (the acknowledgement)
  EXPECT_EQ(r.noc.flows[0].bytes, 64);
  EXPECT_EQ(r.noc.flows[1].bytes, 0);
  EXPECT_EQ(r.noc.flit_hops, 2 + 1);
  EXPECT_EQ(r.total.actions.noc_flit_hops, 2 + 1) << "charged to the STORE, so priced";
  // Core 1's tensor store took the write; the STORE's record counts it at the tensor-store role.
  ASSERT_EQ(r.cores.size(), 2u);
  int64_t accesses = 0;
  for (const ScratchpadStats& s : r.cores[1].scratchpads) {
    EXPECT_EQ(s.write_bytes, s.name == "ifmap" ? 64 : 0) << s.name;
    if (s.name == "ifmap") accesses = s.write_accesses;
  }
  EXPECT_GT(accesses, 0);
  EXPECT_EQ(r.total.actions.at(kTensorStore).write_accesses, accesses);
}

// One process per case (SystemC elaborates once): 0 a LOAD, 1 a STORE not on chip, 2 a STORE to
// its own core, 3 to a core the program does not have.
class RemoteStoreMisuse : public ::testing::TestWithParam<int> {};

TEST_P(RemoteStoreMisuse, IsRefusedBeforeTheRun) {
  const int variant = GetParam();
  ProgramBuilder b;
  const uint32_t id = variant == 0 ? b.load(Buffer::kIfmap, 1, 64) : b.store(Buffer::kOfmap, 1, 64);
  Program p = for_cores(b.program(), 2);
  DmaDescriptor& d = std::get<DmaDescriptor>(p.instructions[id].payload);
  d.on_chip = variant != 1;
  d.store_core = variant == 2 ? 0 : variant == 3 ? 2 : 1;
  try {
    simulate(two_core_arch(), p);
    ADD_FAILURE() << "ran";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("tensor store"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, RemoteStoreMisuse, ::testing::Values(0, 1, 2, 3));

TEST(NocFabric, SingleCoreProgramsCannotHoldABarrier) {
  ProgramBuilder b;
  b.sync();
  Program p = b.program();
  std::get<SyncOp>(p.instructions[0].payload).barrier = 0;
  EXPECT_THROW(simulate(test_arch(), p), InternalError);
}

}  // namespace
}  // namespace systole
