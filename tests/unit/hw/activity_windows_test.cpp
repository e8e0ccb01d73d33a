// activity_windows(): the run's actions spread over fixed windows of cycles (power.csv's input).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "systole/common/error.h"
#include "systole/stats/attribution.h"
#include "unit/hw/program_builder.h"

namespace systole::hw {
namespace {

using hwtest::record;

//   0 LOAD   [0, 10)   64 DRAM bytes, 4 ifmap writes, 1 burst
//   1 MATMUL issued 5, works [10, 50): 1000 MACs, 40 shift bytes, 80 ifmap reads, 20 RMWs
//   2 VECTOR works [50, 55): 10 lane ops (add on accumulators)
//   3 STORE  [55, 55): retires the cycle it issues, 16 DRAM bytes
//   4 SYNC   (no actions)
struct Fixture {
  Program program;
  std::vector<InstructionRecord> records;
  Fixture() {
    hwtest::ProgramBuilder b(1);
    b.load(Buffer::kIfmap, 1, 64, {}, 0);
    b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {0}, 0);
    b.vector(8, 1, {1}, 0);
    b.store(Buffer::kOfmap, 1, 64, {2}, 0);
    b.sync({3}, 0);
    program = b.program();
    records = {record(0, 10), record(5, 50, 10, 40), record(50, 55, 50, 5), record(55, 55), record(55, 55)};
    records[0].dram_read_bytes = 64;
    records[0].actions.ifmap.write_accesses = 4;
    records[0].actions.dma_bursts = 1;
    records[1].macs = 1000;
    records[1].actions.register_shift_bytes = 40;
    records[1].actions.ifmap.read_accesses = 80;
    records[1].actions.ofmap.accumulator_rmw = 20;
    records[2].actions.vector.add_on_accumulator = 10;
    records[3].dram_write_bytes = 16;
  }
};

TEST(ActivityWindows, SpreadsEachInstructionUniformlyOverItsActiveInterval) {
  Fixture f;
  const auto w = activity_windows(f.program, f.records, 60, 20);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].begin_cycle, 0);
  EXPECT_EQ(w[0].end_cycle, 20);
  EXPECT_EQ(w[2].begin_cycle, 40);
  EXPECT_EQ(w[2].end_cycle, 60);
  // The LOAD lies in window 0; the MATMUL's [10, 50) puts 10/40, 20/40, 10/40 in the windows
  // (its issue at 5 does not count: it works from 10).
  EXPECT_DOUBLE_EQ(w[0].dram_read_bytes, 64);
  EXPECT_DOUBLE_EQ(w[0].spm_write_accesses[0], 4);
  EXPECT_DOUBLE_EQ(w[0].dma_bursts, 1);
  EXPECT_DOUBLE_EQ(w[0].macs, 250);
  EXPECT_DOUBLE_EQ(w[1].macs, 500);
  EXPECT_DOUBLE_EQ(w[2].macs, 250);
  EXPECT_DOUBLE_EQ(w[1].register_shift_bytes, 20);
  EXPECT_DOUBLE_EQ(w[2].spm_read_accesses[0], 20);
  EXPECT_DOUBLE_EQ(w[1].accumulator_rmw, 10);
  // The VECTOR and the zero-length STORE fall in the last window.
  EXPECT_DOUBLE_EQ(w[2].vector_add_on_accumulator, 10);
  EXPECT_DOUBLE_EQ(w[2].dram_write_bytes, 16);
}

TEST(ActivityWindows, WindowsSumToTheRunsTotalsForAnyWindowSize) {
  Fixture f;
  for (int64_t size : {1, 3, 7, 20, 59, 60, 1000}) {
    const auto w = activity_windows(f.program, f.records, 60, size);
    EXPECT_EQ(static_cast<int64_t>(w.size()), (60 + size - 1) / size) << size;
    EXPECT_EQ(w.back().end_cycle, 60) << size;
    double macs = 0, shift = 0, rd = 0, wr = 0, vec = 0, rmw = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      if (i > 0) {
        EXPECT_EQ(w[i].begin_cycle, w[i - 1].end_cycle) << size;
      }
      macs += w[i].macs;
      shift += w[i].register_shift_bytes;
      rd += w[i].dram_read_bytes;
      wr += w[i].dram_write_bytes;
      vec += w[i].vector_add_on_accumulator;
      rmw += w[i].accumulator_rmw;
    }
    EXPECT_NEAR(macs, 1000, 1e-9) << size;
    EXPECT_NEAR(shift, 40, 1e-9) << size;
    EXPECT_NEAR(rd, 64, 1e-9) << size;
    EXPECT_NEAR(wr, 16, 1e-9) << size;
    EXPECT_NEAR(vec, 10, 1e-9) << size;
    EXPECT_NEAR(rmw, 20, 1e-9) << size;
  }
}

TEST(ActivityWindows, ClipsToTheRunAndRejectsBadInput) {
  Fixture f;
  f.records[1].busy_cycles = 100;  // reaches past the run's 60 cycles: clipped to [10, 60)
  const auto w = activity_windows(f.program, f.records, 60, 60);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_DOUBLE_EQ(w[0].macs, 1000);
  EXPECT_TRUE(activity_windows(f.program, f.records, 0, 10).empty());
  EXPECT_THROW(activity_windows(f.program, f.records, 60, 0), InternalError);
  f.records.pop_back();
  EXPECT_THROW(activity_windows(f.program, f.records, 60, 10), InternalError);
}

}  // namespace
}  // namespace systole::hw
