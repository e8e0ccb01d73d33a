// Every cycle to one cause (stats/attribution.h cycle_causes()'s rule) on hand-made records: each
// test writes out the timeline it expects and the count of every cause, and every cause appears.
#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

#include "systole/common/error.h"
#include "systole/stats/attribution.h"
#include "unit/hw/cause_records.h"
#include "unit/hw/program_builder.h"

namespace systole::hw {
namespace {

CycleBreakdown whole_run(const Program& p, const std::vector<InstructionRecord>& r, int64_t total) {
  const CycleBreakdown b = breakdown_by_window(cycle_causes(p, r, total), {total}).front();
  EXPECT_EQ(b.sum(), total);
  return b;
}

TEST(StallAttribution, LoadLatencyBandwidthThenFillComputeArrayPortAndBankConflict) {
  // 0 LOAD   [0, 40), first data at 30
  // 1 MATMUL issue 40, array [40, 98): fill/drain 10, work 50, SPM stall 5 + bank conflict 3
  // 2 VECTOR [98, 110)
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {0});
  b.vector(8, 1, {1});
  const std::vector<InstructionRecord> r = {dma(0, 40, 30), matmul(40, 40, 50, 10, 5, 3), vector(98, 98, 12)};
  const std::vector<CauseSpan> spans = cycle_causes(b.program(), r, 110);
  // [0,30) latency, [30,40) bandwidth, [40,50) fill, [50,90) compute, [90,95) array port,
  // [95,98) bank, [98,110) compute.
  ASSERT_EQ(spans.size(), 7u);
  EXPECT_EQ(spans[0].end, 30);
  EXPECT_EQ(spans[0].cause, CycleCause::kDramLatency);
  EXPECT_EQ(spans[1].cause, CycleCause::kDramBandwidth);
  EXPECT_EQ(spans[2].cause, CycleCause::kFillDrain);
  EXPECT_EQ(spans[3].begin, 50);
  EXPECT_EQ(spans[3].cause, CycleCause::kCompute);
  EXPECT_EQ(spans[4].begin, 50 + (50 - 10));
  EXPECT_EQ(spans[4].cause, CycleCause::kSpmArrayPort);
  EXPECT_EQ(spans[5].begin, 95);
  EXPECT_EQ(spans[5].cause, CycleCause::kBankConflict);
  EXPECT_EQ(spans[6].end, 110);
  expect_breakdown(
      whole_run(b.program(), r, 110),
      counts({{kComp, (50 - 10) + 12}, {kFill, 10}, {kBw, 40 - 30}, {kLat, 30}, {kAPort, 5}, {kBank, 3}}));
}

TEST(StallAttribution, BeforeTheCriticalLoadIssuesTheTransferInFlightNamesTheCause) {
  // 0 LOAD [0, 20) for nobody, first data at 5; 1 LOAD [20, 50), first data at 35; 2 MATMUL on 1
  // at [50, 60).
  hwtest::ProgramBuilder b;
  b.load(Buffer::kWeight, 1, 64);
  b.load(Buffer::kIfmap, 1, 64);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {1});
  const std::vector<InstructionRecord> r = {dma(0, 20, 5), dma(20, 50, 35), matmul(50, 50, 10)};
  // D = load 1, not issued before 20: load 0's causes, [0,5) latency, [5,20) bandwidth; then
  // [20,35) latency, [35,50) bandwidth, [50,60) compute.
  expect_breakdown(whole_run(b.program(), r, 60), counts({{kComp, 10}, {kBw, 15 + 15}, {kLat, 5 + 15}}));
}

TEST(StallAttribution, LoadWithoutBurstsHasNoLatency) {
  // Without a scratchpad side either (a record without it): bandwidth, as a DRAM-bound transfer.
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 0);
  b.vector(8, 1, {0});
  const std::vector<InstructionRecord> r = {dma(0, 4, -1), vector(4, 4, 6)};
  expect_breakdown(whole_run(b.program(), r, 10), counts({{kComp, 6}, {kBw, 4}}));
}

TEST(StallAttribution, StoreDependencyIsBandwidthThenIssueSlackAndStartDelayAreDependency) {
  // 0 MATMUL [0, 10); 1 STORE on 0 [10, 30); 2 MATMUL on 1 issued at 35, works from 38 for 10.
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  b.store(Buffer::kOfmap, 1, 64, {0});
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {1});
  const std::vector<InstructionRecord> r = {matmul(0, 0, 10), dma(10, 30), matmul(35, 38, 10)};
  // [10,30) bandwidth (D = the store); [30,35) D retired: slack; [35,38) issued, not started.
  expect_breakdown(whole_run(b.program(), r, 48),
                   counts({{kComp, 20}, {kBw, 20}, {kDep, (35 - 30) + (38 - 35)}}));
}

TEST(StallAttribution, SyncsAreSeenThroughToTheirCriticalDependency) {
  // 0 LOAD [0, 20) first data 8; 1 LOAD [20, 22); 2 SYNC on {0, 1} at 22; 3 SYNC on 2 at 22;
  // 4 VECTOR on 3 at [22, 27). D(4) = SYNC 3 -> SYNC 2 -> load 1 (retires last).
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);
  b.load(Buffer::kIfmap, 1, 64);
  b.sync({0, 1});
  b.sync({2});
  b.vector(8, 1, {3});
  const std::vector<InstructionRecord> r = {dma(0, 20, 8), dma(20, 22, 21), sync(22), sync(22),
                                            vector(22, 22, 5)};
  // Load 1: [0,20) not issued -> load 0's [0,8) latency, [8,20) bandwidth; [20,21) latency,
  // [21,22) bandwidth.
  expect_breakdown(whole_run(b.program(), r, 27), counts({{kComp, 5}, {kBw, 12 + 1}, {kLat, 8 + 1}}));
}

TEST(StallAttribution, DependencyFreeSyncComputeDependencyAndNoDependencyAreDependency) {
  // 0 SYNC at 3; 1 VECTOR on 0 issued 5 at [5, 10); 2 MATMUL without deps issued 12 at [12, 20);
  // 3 MATMUL on 2 issued 20 at [24, 30): [20,24) issued, not started.
  hwtest::ProgramBuilder b;
  b.sync();
  b.vector(8, 1, {0});
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {2});
  const std::vector<InstructionRecord> r = {sync(3), vector(5, 5, 5), matmul(12, 12, 8), matmul(20, 24, 6)};
  // [0,5): D = SYNC 0 without deps -> dependency; [10,12): no deps -> dependency; [20,24).
  expect_breakdown(whole_run(b.program(), r, 30), counts({{kComp, 5 + 8 + 6}, {kDep, 5 + 2 + 4}}));
}

TEST(StallAttribution, TrailingStoreIsBandwidthAndTheRestIdle) {
  // 0 MATMUL [0, 10); 1 STORE on 0 issued at 12, [12, 25); the run ends at 30.
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  b.store(Buffer::kOfmap, 1, 64, {0});
  const std::vector<InstructionRecord> r = {matmul(0, 0, 10), dma(12, 25)};
  expect_breakdown(whole_run(b.program(), r, 30), counts({{kComp, 10}, {kBw, 25 - 12}, {kIdle, 2 + 5}}));
}

TEST(StallAttribution, TheArrayHasPriorityOverTheVectorUnit) {
  // 0 MATMUL [0, 20) with 5 fill/drain; 1 VECTOR [10, 30): only [20, 30) counts for it.
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  b.vector(8, 1);
  const std::vector<InstructionRecord> r = {matmul(0, 0, 20, 5), vector(10, 10, 20)};
  expect_breakdown(whole_run(b.program(), r, 30), counts({{kComp, 15 + 10}, {kFill, 5}}));
}

TEST(StallAttribution, ALayerBoundarySplitsAMatmul) {
  // L0: 0 VECTOR [0, 10). L1: 1 MATMUL [4, 18): fill 4, work 12, bank conflict 2. End 20.
  // B0 = 10 (L0's last compute retire), B1 = 20. Timeline: [0,4) compute (vector), [4,8) fill,
  // [8,16) compute, [16,18) bank conflict, [18,20) idle.
  hwtest::ProgramBuilder b(2);
  b.vector(8, 1, {}, 0);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {}, 1);
  const std::vector<InstructionRecord> r = {vector(0, 0, 10), matmul(4, 4, 12, 4, 0, 2)};
  const SimResult res = attribute(b.program(), r, 20, 20.0, 1);
  ASSERT_EQ(res.layers.size(), 2u);
  expect_breakdown(res.layers[0].breakdown, counts({{kComp, 4 + 2}, {kFill, 4}}));
  expect_breakdown(res.layers[1].breakdown, counts({{kComp, 6}, {kBank, 2}, {kIdle, 2}}));
  expect_breakdown(res.total.breakdown, counts({{kComp, 12}, {kFill, 4}, {kBank, 2}, {kIdle, 2}}));
  EXPECT_EQ(res.layers[0].breakdown.sum(), res.layers[0].cycles);
  EXPECT_EQ(res.layers[1].breakdown.sum(), res.layers[1].cycles);
  EXPECT_EQ(res.total.breakdown.sum(), 20);
}

TEST(StallAttribution, AProgramWithoutLayersStillCoversTheRun) {
  Program p;
  const SimResult res = attribute(p, {}, 7, 7.0, 1);
  expect_breakdown(res.total.breakdown, counts({{kIdle, 7}}));
}

TEST(StallAttribution, IntervalsBeyondTheRunAreClipped) {
  // The MATMUL's record claims work past the end (retire is checked elsewhere; clip anyway).
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  std::vector<InstructionRecord> r = {matmul(0, 0, 10)};
  r[0].retire_cycle = 6;
  expect_breakdown(whole_run(b.program(), r, 6), counts({{kComp, 6}}));
}

TEST(StallAttribution, InconsistentRecordsAreBugs) {
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {0});
  const Program& p = b.program();
  const std::vector<InstructionRecord> good = {matmul(0, 0, 10), matmul(10, 10, 10)};
  EXPECT_NO_THROW(cycle_causes(p, good, 20));
  auto r = good;
  r[0].fill_drain_cycles = 11;  // more fill/drain than work
  EXPECT_THROW(cycle_causes(p, r, 20), InternalError);
  r = good;
  r[0].busy_cycles = 9;  // busy < work
  EXPECT_THROW(cycle_causes(p, r, 20), InternalError);
  r = good;
  r[0].spm_stall_cycles = 2;  // busy != work + stalls
  EXPECT_THROW(cycle_causes(p, r, 20), InternalError);
  r = good;
  r[0].fill_drain_cycles = 4;
  r[0].preload_cycles = 5;  // more preload than fill/drain
  EXPECT_THROW(cycle_causes(p, r, 20), InternalError);
  r = good;
  r[0].fill_drain_cycles = 4;
  r[0].underuse_cycles = 7;  // more under-use than the 6 streaming cycles
  EXPECT_THROW(cycle_causes(p, r, 20), InternalError);
  r = good;
  r[0].underuse_cycles = -1;
  EXPECT_THROW(cycle_causes(p, r, 20), InternalError);
  r = good;
  r[1] = matmul(8, 8, 10);  // two MATMULs on the array at once
  EXPECT_THROW(cycle_causes(p, r, 20), InternalError);
  r = good;
  r[1].retire_cycle = 5;  // retires before it issues
  EXPECT_THROW(cycle_causes(p, r, 20), InternalError);
  r = good;
  r[1].issue_cycle = -1;  // never issued
  EXPECT_THROW(cycle_causes(p, r, 20), InternalError);
  EXPECT_THROW(cycle_causes(p, {good[0]}, 20), InternalError);  // records and program disagree

  hwtest::ProgramBuilder forward;
  forward.vector(8, 1, {1});
  forward.vector(8, 1);
  EXPECT_THROW(cycle_causes(forward.program(), {vector(0, 0, 1), vector(1, 1, 1)}, 2), InternalError);
}

TEST(StallAttribution, AMatmulIsPreloadFillUsefulUnderuseArrayPortAndBankConflict) {
  // work 40 of which fill/drain 12 (preload 8 of it), stream 28 of which under-use 21; then 6
  // cycles of port stall and 2 of bank conflict: [0,8) preload, [8,12) fill, [12,19) compute,
  // [19,40) under-use, [40,46) array port, [46,48) bank.
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  std::vector<InstructionRecord> r = {matmul(0, 0, 40, 12, 6, 2)};
  r[0].preload_cycles = 8;
  r[0].underuse_cycles = 21;
  const std::vector<CauseSpan> spans = cycle_causes(b.program(), r, 48);
  ASSERT_EQ(spans.size(), 6u);
  const CycleCause order[] = {kPre, kFill, kComp, kUnder, kAPort, kBank};
  const int64_t ends[] = {8, 12, 19, 40, 46, 48};
  for (size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(spans[i].cause, order[i]) << i;
    EXPECT_EQ(spans[i].end, ends[i]) << i;
  }
  expect_breakdown(whole_run(b.program(), r, 48),
                   counts({{kPre, 8}, {kFill, 4}, {kComp, 7}, {kUnder, 21}, {kAPort, 6}, {kBank, 2}}));
}

TEST(StallAttribution, AScratchpadBoundLoadIsDmaPortThenItsBankConflicts) {
  // 0 LOAD [0, 50): DRAM side [0, 12) (first data 6), scratchpad side to 50 with 4 conflict
  // cycles -> [0,46) DMA port, [46,50) bank conflict; 1 MATMUL on 0 [50, 60).
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {0});
  std::vector<InstructionRecord> r = {transfer(0, 50, 50, 0, 6, 12), matmul(50, 50, 10)};
  r[0].spm_conflict_cycles = 4;
  expect_breakdown(whole_run(b.program(), r, 60), counts({{kComp, 10}, {kDPort, 46}, {kBank, 4}}));
  // The same transfer with its DRAM side ending last is DRAM-bound: no cycle to the scratchpad.
  r[0] = transfer(0, 50, 30, 0, 6, 50);
  r[0].spm_conflict_cycles = 4;
  expect_breakdown(whole_run(b.program(), r, 60), counts({{kComp, 10}, {kLat, 6}, {kBw, 44}}));
}

TEST(StallAttribution, AnIndexReadPrecedesTheDramSideOfAGather) {
  // 0 LOAD [0, 40): index read [0, 10), bursts from 10, first data 16, last 40.
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);
  b.vector(8, 1, {0});
  const std::vector<InstructionRecord> r = {transfer(0, 40, 10, 10, 16, 40), vector(40, 40, 5)};
  expect_breakdown(whole_run(b.program(), r, 45), counts({{kComp, 5}, {kDPort, 10}, {kLat, 6}, {kBw, 24}}));
}

TEST(StallAttribution, AWindowBoundAbovethePeakBoundIsTheDmaIssueLimit) {
  // 0 LOAD [0, 100), first data 20: after it, issue-limited when the window's bound (rounds of the
  // first latency) exceeds the DRAM peak's bound.
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);
  b.vector(8, 1, {0});
  std::vector<InstructionRecord> r = {transfer(0, 100, 10, 0, 20, 100), vector(100, 100, 5)};
  r[0].window_bound_cycles = 80;
  r[0].peak_bound_cycles = 40;
  expect_breakdown(whole_run(b.program(), r, 105), counts({{kComp, 5}, {kLat, 20}, {kIssue, 80}}));
  r[0].window_bound_cycles = 40;  // ties: the DRAM
  expect_breakdown(whole_run(b.program(), r, 105), counts({{kComp, 5}, {kLat, 20}, {kBw, 80}}));
}

TEST(StallAttribution, AnIdleDmaBeforeTheCriticalLoadIssuesIsDependency) {
  // 0 VECTOR [0, 10); 1 LOAD on 0 [15, 25) (first data 18); 2 VECTOR on 1 [25, 30). [10, 15):
  // nothing in flight on the DMA, the LOAD waits on its own dependency.
  hwtest::ProgramBuilder b;
  b.vector(8, 1);
  b.load(Buffer::kIfmap, 1, 64, {0});
  b.vector(8, 1, {1});
  const std::vector<InstructionRecord> r = {vector(0, 0, 10), dma(15, 25, 18), vector(25, 25, 5)};
  expect_breakdown(whole_run(b.program(), r, 30), counts({{kComp, 15}, {kDep, 5}, {kLat, 3}, {kBw, 7}}));
}

TEST(StallAttribution, OverlappingTransfersAreBugs) {
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);
  b.load(Buffer::kWeight, 1, 64);
  EXPECT_NO_THROW(cycle_causes(b.program(), {dma(0, 10), dma(10, 20)}, 20));
  EXPECT_THROW(cycle_causes(b.program(), {dma(0, 10), dma(9, 20)}, 20), InternalError);
}

TEST(StallAttribution, WindowsCountTheirPartOfEachSpan) {
  const std::vector<CauseSpan> spans = {{0, 5, CycleCause::kIdle}, {5, 12, CycleCause::kCompute}};
  const std::vector<CycleBreakdown> w = breakdown_by_window(spans, {3, 3, 8, 12});
  ASSERT_EQ(w.size(), 4u);
  expect_breakdown(w[0], counts({{kIdle, 3}}));
  expect_breakdown(w[1], counts({}));
  expect_breakdown(w[2], counts({{kComp, 3}, {kIdle, 2}}));
  expect_breakdown(w[3], counts({{kComp, 4}}));
  EXPECT_THROW(breakdown_by_window(spans, {5, 4}), InternalError);
}

}  // namespace
}  // namespace systole::hw
