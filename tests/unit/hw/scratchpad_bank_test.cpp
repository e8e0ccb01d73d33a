// Scratchpad DMA side: a transaction takes ceil(B / port) beats + bank-conflict cycles + the
// read or write latency, and counts bytes, bank word accesses and conflicts. Ideal DRAM, so the
// descriptor ends when the scratchpad transaction does.
#include <gtest/gtest.h>

#include "systole/hw/core/simulate.h"
#include "unit/hw/program_builder.h"
#include "unit/hw/run_top.h"

namespace systole {
namespace {

using hwtest::ProgramBuilder;
using hwtest::run_top;
using hwtest::test_arch;

ArchSpec ideal_dram_arch() {
  ArchSpec a = test_arch();  // 64 B/cycle ports, 16 banks x 4 B, interleaved, latencies 1 cycle
  a.dram.kind = DramKind::kIdeal;
  return a;
}

TEST(ScratchpadBanks, AlignedLoadPaysBeatsAndWriteLatency) {
  ArchSpec arch = ideal_dram_arch();
  arch.core.scratchpads.declare("ifmap").write_latency_cycles = 3;
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 4096);
  const auto top = run_top(arch, b.program());
  // 4096 / 64 = 64 beats of 16 words in 16 banks (no conflict), + 3 cycles write latency.
  EXPECT_EQ(top->controller().records()[0].retire_cycle, 64 + 3);
  const hw::ScratchpadCounters& c = top->scratchpad(Buffer::kIfmap).counters();
  EXPECT_EQ(c.write_bytes, 4096);
  EXPECT_EQ(c.write_accesses, 4096 / 4);
  EXPECT_EQ(c.bank_conflict_cycles, 0);
  EXPECT_EQ(c.dma_transactions, 1);
}

TEST(ScratchpadBanks, UnalignedLoadConflictsOncePerFullBeat) {
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 1000, {}, 0, /*spm_addr=*/2);
  const auto top = run_top(ideal_dram_arch(), b.program());
  // Beats start at 2 mod 4: a full 64-B beat covers (2 + 63) / 4 + 1 = 17 words, the first bank
  // twice: 1 conflict; 15 full beats and one of 40 B ((2 + 39) / 4 + 1 = 11 words, none).
  // ceil(1000 / 64) = 16 beats + 15 conflicts + 1 write latency.
  EXPECT_EQ(top->controller().records()[0].retire_cycle, 16 + 15 + 1);
  const hw::ScratchpadCounters& c = top->scratchpad(Buffer::kIfmap).counters();
  EXPECT_EQ(c.write_accesses, 15 * 17 + 11);
  EXPECT_EQ(c.bank_conflict_cycles, 15);
  EXPECT_EQ(c.dma_bank_conflict_cycles, 15);
}

TEST(ScratchpadBanks, NarrowBanksConflictOnEveryBeat) {
  ArchSpec arch = ideal_dram_arch();
  arch.core.scratchpads.declare("weight").banks = 4;  // a 64-B beat = 16 words on 4 banks: 4 per bank
  arch.core.scratchpads.declare("weight").ports_per_bank = 2;
  ProgramBuilder b;
  b.load(Buffer::kWeight, 1, 640);
  const auto top = run_top(arch, b.program());
  // 10 beats, each ceil(4 / 2) = 2 cycles: 10 conflicts; + 1 write latency.
  EXPECT_EQ(top->controller().records()[0].retire_cycle, 10 + 10 * (2 - 1) + 1);
  EXPECT_EQ(top->scratchpad(Buffer::kWeight).counters().bank_conflict_cycles, 10);
}

TEST(ScratchpadBanks, StorePaysReadLatency) {
  ArchSpec arch = ideal_dram_arch();
  arch.core.scratchpads.declare("ofmap").read_latency_cycles = 5;
  ProgramBuilder b;
  b.store(Buffer::kOfmap, 1, 1000);
  const auto top = run_top(arch, b.program());
  // ceil(1000 / 64) = 16 beats from address 0 (the last of 40 B), no conflict, + 5.
  EXPECT_EQ(top->controller().records()[0].retire_cycle, 16 + 5);
  const hw::ScratchpadCounters& c = top->scratchpad(Buffer::kOfmap).counters();
  EXPECT_EQ(c.read_bytes, 1000);
  EXPECT_EQ(c.read_accesses, 1000 / 4);
}

}  // namespace
}  // namespace systole
