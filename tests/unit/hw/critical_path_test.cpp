// Every cycle to one cause (stats/attribution.h critical_path_causes()'s rule: the run's critical path) on
// hand-made records: each test writes out the path and the timeline it expects and the count of
// every cause, and every cause appears.
#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>
#include <vector>

#include "systole/common/error.h"
#include "systole/stats/attribution.h"
#include "unit/hw/cause_records.h"
#include "unit/hw/program_builder.h"

namespace systole::hw {
namespace {

CycleBreakdown whole_run(const Program& p, const std::vector<InstructionRecord>& r, int64_t total) {
  const CycleBreakdown b = breakdown_by_window(critical_path_causes(p, r, total), {total}).front();
  EXPECT_EQ(b.sum(), total);
  return b;
}

TEST(CriticalPath, LoadLatencyBandwidthThenFillComputeArrayPortAndBankConflict) {
  // 0 LOAD   [0, 40), first data at 30
  // 1 MATMUL issue 40, array [40, 98): fill/drain 10, work 50, SPM stall 5 + bank conflict 3
  // 2 VECTOR [98, 110)
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {0});
  b.vector(8, 1, {1});
  const std::vector<InstructionRecord> r = {dma(0, 40, 30), matmul(40, 40, 50, 10, 5, 3), vector(98, 98, 12)};
  const std::vector<CauseSpan> spans = critical_path_causes(b.program(), r, 110);
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

TEST(CriticalPath, TheTransferBeforeOnTheDmaIsOnThePath) {
  // 0 LOAD [0, 20) for nobody, first data at 5; 1 LOAD [20, 50), first data at 35; 2 MATMUL on 1
  // at [50, 60). Path 0 -> 1 -> 2: load 1 waited for the DMA to finish load 0.
  hwtest::ProgramBuilder b;
  b.load(Buffer::kWeight, 1, 64);
  b.load(Buffer::kIfmap, 1, 64);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {1});
  const std::vector<InstructionRecord> r = {dma(0, 20, 5), dma(20, 50, 35), matmul(50, 50, 10)};
  // [0,5) latency, [5,20) bandwidth (load 0); [20,35) latency, [35,50) bandwidth; [50,60) compute.
  EXPECT_EQ(critical_path(b.program(), r), (std::vector<uint32_t>{0, 1, 2}));
  expect_breakdown(whole_run(b.program(), r, 60), counts({{kComp, 10}, {kBw, 15 + 15}, {kLat, 5 + 15}}));
}

TEST(CriticalPath, LoadWithoutBurstsHasNoLatency) {
  // Without a scratchpad side either (a record without it): bandwidth, as a DRAM-bound transfer.
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 0);
  b.vector(8, 1, {0});
  const std::vector<InstructionRecord> r = {dma(0, 4, -1), vector(4, 4, 6)};
  expect_breakdown(whole_run(b.program(), r, 10), counts({{kComp, 6}, {kBw, 4}}));
}

TEST(CriticalPath, StoreDependencyIsBandwidthThenIssueSlackAndStartDelayAreDependency) {
  // 0 MATMUL [0, 10); 1 STORE on 0 [10, 30); 2 MATMUL on 1 issued at 35, works from 38 for 10.
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  b.store(Buffer::kOfmap, 1, 64, {0});
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {1});
  const std::vector<InstructionRecord> r = {matmul(0, 0, 10), dma(10, 30), matmul(35, 38, 10)};
  // Path 0 -> 1 -> 2: [10,30) bandwidth (the store); [30,35) issue slack and [35,38) issued, not
  // started: the MATMUL's dependency.
  expect_breakdown(whole_run(b.program(), r, 48),
                   counts({{kComp, 20}, {kBw, 20}, {kDep, (35 - 30) + (38 - 35)}}));
}

TEST(CriticalPath, SyncsAreSeenThroughToTheirCriticalDependency) {
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
  // Path 0 -> 1 -> 2 -> 3 -> 4 (load 1 waited for load 0 on the DMA): [0,8) latency, [8,20)
  // bandwidth, [20,21) latency, [21,22) bandwidth; the SYNCs take no time.
  EXPECT_EQ(critical_path(b.program(), r), (std::vector<uint32_t>{0, 1, 2, 3, 4}));
  expect_breakdown(whole_run(b.program(), r, 27), counts({{kComp, 5}, {kBw, 12 + 1}, {kLat, 8 + 1}}));
}

TEST(CriticalPath, SlackAfterASyncAndAComputeDependencyIsDependency) {
  // 0 SYNC at 0; 1 VECTOR on 0 issued 3, works [5, 10); 2 MATMUL on 1 issued 12, works [12, 20);
  // 3 MATMUL on 2 issued 20, works [24, 30). Path 0 -> 1 -> 2 -> 3.
  hwtest::ProgramBuilder b;
  b.sync();
  b.vector(8, 1, {0});
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {1});
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {2});
  const std::vector<InstructionRecord> r = {sync(0), vector(3, 5, 5), matmul(12, 12, 8), matmul(20, 24, 6)};
  // [0,5) issue slack after the SYNC, then not started; [10,12) slack; [20,24) issued, not started.
  expect_breakdown(whole_run(b.program(), r, 30), counts({{kComp, 5 + 8 + 6}, {kDep, 5 + 2 + 4}}));
}

TEST(CriticalPath, BeforeTheFirstInstructionOnThePathIsIdle) {
  // 0 MATMUL without dependencies, issued at 4 (the controller would issue it at 0): [0,4) idle.
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  const std::vector<InstructionRecord> r = {matmul(4, 6, 10)};
  expect_breakdown(whole_run(b.program(), r, 16), counts({{kIdle, 4}, {kDep, 2}, {kComp, 10}}));
}

TEST(CriticalPath, TrailingStoreIsBandwidthAndTheRestIdle) {
  // 0 MATMUL [0, 10); 1 STORE on 0 issued at 12, [12, 25); the run ends at 30. [10,12) is the
  // store's issue slack (dependency), [25,30) after the last retire (idle).
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  b.store(Buffer::kOfmap, 1, 64, {0});
  const std::vector<InstructionRecord> r = {matmul(0, 0, 10), dma(12, 25)};
  expect_breakdown(whole_run(b.program(), r, 30),
                   counts({{kComp, 10}, {kDep, 2}, {kBw, 25 - 12}, {kIdle, 5}}));
}

TEST(CriticalPath, WorkOffThePathIsNotCounted) {
  // 0 MATMUL [0, 20) with 5 fill/drain; 1 VECTOR without dependencies [0, 8), retired long before
  // the run ends: the path is the MATMUL alone.
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  b.vector(8, 1);
  const std::vector<InstructionRecord> r = {matmul(0, 0, 20, 5), vector(0, 0, 8)};
  EXPECT_EQ(critical_path(b.program(), r), (std::vector<uint32_t>{0}));
  expect_breakdown(whole_run(b.program(), r, 30), counts({{kComp, 15}, {kFill, 5}, {kIdle, 10}}));
}

TEST(CriticalPath, ALayerBoundarySplitsAMatmul) {
  // L0: 0 VECTOR [0, 10), off the path. L1: 1 LOAD [0, 4) (first data 2); 2 MATMUL on 1 [4, 18):
  // fill 4, work 12, bank conflict 2. End 20. B0 = 10 (L0's last compute retire), B1 = 20.
  // Timeline (path 1 -> 2): [0,2) latency, [2,4) bandwidth, [4,8) fill, [8,16) compute, [16,18)
  // bank conflict, [18,20) idle.
  hwtest::ProgramBuilder b(2);
  b.vector(8, 1, {}, 0);
  b.load(Buffer::kIfmap, 1, 64, {}, 1);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {1}, 1);
  const std::vector<InstructionRecord> r = {vector(0, 0, 10), dma(0, 4, 2), matmul(4, 4, 12, 4, 0, 2)};
  const SimResult res = attribute(b.program(), r, 20, 20.0, 1);
  ASSERT_EQ(res.layers.size(), 2u);
  expect_breakdown(res.layers[0].critical_path, counts({{kLat, 2}, {kBw, 2}, {kFill, 4}, {kComp, 2}}));
  expect_breakdown(res.layers[1].critical_path, counts({{kComp, 6}, {kBank, 2}, {kIdle, 2}}));
  expect_breakdown(res.total.critical_path,
                   counts({{kLat, 2}, {kBw, 2}, {kComp, 8}, {kFill, 4}, {kBank, 2}, {kIdle, 2}}));
  EXPECT_EQ(res.layers[0].critical_path.sum(), res.layers[0].cycles);
  EXPECT_EQ(res.layers[1].critical_path.sum(), res.layers[1].cycles);
  EXPECT_EQ(res.total.critical_path.sum(), 20);
}

TEST(CriticalPath, AProgramWithoutLayersStillCoversTheRun) {
  Program p;
  const SimResult res = attribute(p, {}, 7, 7.0, 1);
  expect_breakdown(res.total.critical_path, counts({{kIdle, 7}}));
}

TEST(CriticalPath, IntervalsBeyondTheRunAreClipped) {
  // The MATMUL's record claims work past the end (retire is checked elsewhere; clip anyway).
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  std::vector<InstructionRecord> r = {matmul(0, 0, 10)};
  r[0].retire_cycle = 6;
  expect_breakdown(whole_run(b.program(), r, 6), counts({{kComp, 6}}));
}

TEST(CriticalPath, InconsistentRecordsAreBugs) {
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {0});
  const Program& p = b.program();
  const std::vector<InstructionRecord> good = {matmul(0, 0, 10), matmul(10, 10, 10)};
  EXPECT_NO_THROW(critical_path_causes(p, good, 20));
  auto r = good;
  r[0].fill_drain_cycles = 11;  // more fill/drain than work
  EXPECT_THROW(critical_path_causes(p, r, 20), InternalError);
  r = good;
  r[0].busy_cycles = 9;  // busy < work
  EXPECT_THROW(critical_path_causes(p, r, 20), InternalError);
  r = good;
  r[0].spm_stall_cycles = 2;  // busy != work + stalls
  EXPECT_THROW(critical_path_causes(p, r, 20), InternalError);
  r = good;
  r[0].fill_drain_cycles = 4;
  r[0].preload_cycles = 5;  // more preload than fill/drain
  EXPECT_THROW(critical_path_causes(p, r, 20), InternalError);
  r = good;
  r[0].fill_drain_cycles = 4;
  r[0].underuse_cycles = 7;  // more under-use than the 6 streaming cycles
  EXPECT_THROW(critical_path_causes(p, r, 20), InternalError);
  r = good;
  r[0].underuse_cycles = -1;
  EXPECT_THROW(critical_path_causes(p, r, 20), InternalError);
  r = good;
  r[1] = matmul(8, 8, 10);  // issued before its dependency retired
  EXPECT_THROW(critical_path_causes(p, r, 20), InternalError);
  r = good;
  r[1].retire_cycle = 5;  // retires before it issues
  EXPECT_THROW(critical_path_causes(p, r, 20), InternalError);
  r = good;
  r[1].issue_cycle = -1;  // never issued
  EXPECT_THROW(critical_path_causes(p, r, 20), InternalError);
  EXPECT_THROW(critical_path_causes(p, {good[0]}, 20), InternalError);  // records and program disagree

  hwtest::ProgramBuilder unit;  // no dependency: the second waits for the array only
  unit.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  unit.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  EXPECT_NO_THROW(critical_path_causes(unit.program(), {matmul(0, 0, 10), matmul(10, 10, 10)}, 20));
  EXPECT_THROW(critical_path_causes(unit.program(), {matmul(0, 0, 10), matmul(9, 9, 10)}, 20), InternalError);

  hwtest::ProgramBuilder forward;
  forward.vector(8, 1, {1});
  forward.vector(8, 1);
  EXPECT_THROW(critical_path_causes(forward.program(), {vector(0, 0, 1), vector(1, 1, 1)}, 2), InternalError);
}

TEST(CriticalPath, AMatmulIsPreloadFillUsefulUnderuseArrayPortAndBankConflict) {
  // work 40 of which fill/drain 12 (preload 8 of it), stream 28 of which under-use 21; then 6
  // cycles of port stall and 2 of bank conflict: [0,8) preload, [8,12) fill, [12,19) compute,
  // [19,40) under-use, [40,46) array port, [46,48) bank.
  hwtest::ProgramBuilder b;
  b.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  std::vector<InstructionRecord> r = {matmul(0, 0, 40, 12, 6, 2)};
  r[0].preload_cycles = 8;
  r[0].underuse_cycles = 21;
  const std::vector<CauseSpan> spans = critical_path_causes(b.program(), r, 48);
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

TEST(CriticalPath, AScratchpadBoundLoadIsDmaPortThenItsBankConflicts) {
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

TEST(CriticalPath, AnIndexReadPrecedesTheDramSideOfAGather) {
  // 0 LOAD [0, 40): index read [0, 10), bursts from 10, first data 16, last 40.
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);
  b.vector(8, 1, {0});
  const std::vector<InstructionRecord> r = {transfer(0, 40, 10, 10, 16, 40), vector(40, 40, 5)};
  expect_breakdown(whole_run(b.program(), r, 45), counts({{kComp, 5}, {kDPort, 10}, {kLat, 6}, {kBw, 24}}));
}

TEST(CriticalPath, AWindowBoundAbovethePeakBoundIsTheDmaIssueLimit) {
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

TEST(CriticalPath, TheIssueSlackOfALoadIsDependency) {
  // 0 VECTOR [0, 10); 1 LOAD on 0 [15, 25) (first data 18); 2 VECTOR on 1 [25, 30). Path
  // 0 -> 1 -> 2; [10, 15) the LOAD's issue slack after the VECTOR it waited for.
  hwtest::ProgramBuilder b;
  b.vector(8, 1);
  b.load(Buffer::kIfmap, 1, 64, {0});
  b.vector(8, 1, {1});
  const std::vector<InstructionRecord> r = {vector(0, 0, 10), dma(15, 25, 18), vector(25, 25, 5)};
  expect_breakdown(whole_run(b.program(), r, 30), counts({{kComp, 15}, {kDep, 5}, {kLat, 3}, {kBw, 7}}));
}

TEST(CriticalPath, OverlappingTransfersAreBugs) {
  // The second issues on the DMA before the first retired.
  hwtest::ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);
  b.load(Buffer::kWeight, 1, 64);
  EXPECT_NO_THROW(critical_path_causes(b.program(), {dma(0, 10), dma(10, 20)}, 20));
  EXPECT_THROW(critical_path_causes(b.program(), {dma(0, 10), dma(9, 20)}, 20), InternalError);
}

// A weight-streaming chain, as the compiler emits a GEMM's folds with two weight buffers: LOAD w0,
// LOAD w1, MATMUL 0 on w0, LOAD w2 on MATMUL 0 (its buffer), MATMUL 1 on w1, LOAD w3 on MATMUL 1,
// MATMUL 2 on w2, MATMUL 3 on w3, STORE on MATMUL 3. Ids 0..8 in that order.
hwtest::ProgramBuilder weight_stream() {
  hwtest::ProgramBuilder b;
  b.load(Buffer::kWeight, 1, 64);                       // 0 w0
  b.load(Buffer::kWeight, 1, 64);                       // 1 w1
  b.matmul(Dataflow::kWeightStationary, 1, 8, 8, {0});  // 2
  b.load(Buffer::kWeight, 1, 64, {2});                  // 3 w2
  b.matmul(Dataflow::kWeightStationary, 1, 8, 8, {1});  // 4
  b.load(Buffer::kWeight, 1, 64, {4});                  // 5 w3
  b.matmul(Dataflow::kWeightStationary, 1, 8, 8, {3});  // 6
  b.matmul(Dataflow::kWeightStationary, 1, 8, 8, {5});  // 7
  b.store(Buffer::kOfmap, 1, 64, {7});                  // 8
  return b;
}

// A GEMV's MATMUL (m = 1): `preload` of its fill/drain shifts the weights in, 2 streaming cycles.
InstructionRecord gemv(int64_t at, int64_t preload, int64_t fill_drain) {
  InstructionRecord r = matmul(at, at, fill_drain + 2, fill_drain);
  r.preload_cycles = preload;
  return r;
}

TEST(CriticalPath, ADramBoundGemvIsDramBandwidthThoughTheArrayPreloadsAlongside) {
  // LOADs of 100 cycles (first data after 10) back to back on the DMA: [0,100) [100,200)
  // [200,300) [300,400); each MATMUL (90 cycles: 80 preload, 8 fill/drain, 2 streaming) starts
  // when its weights are in and ends before the next LOAD does: [100,190) [200,290) [300,390)
  // [400,490); the STORE [490,510), first data at 500. The array preloads 320 of the 510 cycles
  // while the DMA streams, and the array's view reads 320 preload against 130 DRAM bandwidth.
  // The path: STORE <- MATMUL 3 <- LOAD w3 (400, after MATMUL 1's 290) <- LOAD w2 (300 > 190)
  // <- LOAD w1 <- LOAD w0.
  const hwtest::ProgramBuilder b = weight_stream();
  const std::vector<InstructionRecord> r = {dma(0, 100, 10),    dma(100, 200, 110), gemv(100, 80, 88),
                                            dma(200, 300, 210), gemv(200, 80, 88),  dma(300, 400, 310),
                                            gemv(300, 80, 88),  gemv(400, 80, 88),  dma(490, 510, 500)};
  EXPECT_EQ(critical_path(b.program(), r), (std::vector<uint32_t>{0, 1, 3, 5, 7, 8}));
  // The array's view (cycle_causes()): the array's 4 x 90 cycles, then the transfer in flight.
  expect_breakdown(
      breakdown_by_window(cycle_causes(b.program(), r, 510), {510}).front(),
      counts({{kPre, 4 * 80}, {kFill, 4 * 8}, {kComp, 4 * 2}, {kLat, 10 + 10}, {kBw, 90 + 3 * 10 + 10}}));
  const CycleBreakdown got = whole_run(b.program(), r, 510);
  expect_breakdown(got,
                   counts({{kLat, 4 * 10 + 10}, {kBw, 4 * 90 + 10}, {kPre, 80}, {kFill, 8}, {kComp, 2}}));
  for (const CycleCauseInfo& c : kCycleCauses) EXPECT_LE(got[c.cause], got.dram_bandwidth) << c.key;
}

TEST(CriticalPath, AnArrayBoundChainIsComputeThenPreload) {
  // The same program with LOADs of 20 cycles (first data after 10) and MATMULs of 100 (20
  // preload, 30 fill/drain, 70 streaming): L0 [0,20), L1 [20,40), M0 [20,120), L2 [120,140), M1
  // [120,220), L3 [220,240), M2 [220,320), M3 [320,420), STORE [420,440) first data 430. The
  // path: STORE <- M3 <- M2 (320 > L3's 240) <- M1 (220 > 140) <- M0 (120 > 40) <- L0.
  const hwtest::ProgramBuilder b = weight_stream();
  auto tile = [](int64_t at) {
    InstructionRecord m = matmul(at, at, 100, 30);
    m.preload_cycles = 20;
    return m;
  };
  const std::vector<InstructionRecord> r = {dma(0, 20, 10),     dma(20, 40, 30), tile(20),
                                            dma(120, 140, 130), tile(120),       dma(220, 240, 230),
                                            tile(220),          tile(320),       dma(420, 440, 430)};
  EXPECT_EQ(critical_path(b.program(), r), (std::vector<uint32_t>{0, 2, 4, 6, 7, 8}));
  expect_breakdown(
      whole_run(b.program(), r, 440),
      counts({{kComp, 4 * 70}, {kPre, 4 * 20}, {kFill, 4 * 10}, {kLat, 10 + 10}, {kBw, 10 + 10}}));
}

TEST(CriticalPath, BehindAnIdealDramNoCycleIsTheDrams) {
  // The weight stream behind an ideal DRAM: every burst completes in the cycle it issues, so each
  // transfer is as long as its scratchpad side (write port, then 5 cycles of bank conflicts);
  // the STORE of 0 cycles takes none. LOADs [0,100) .. [300,400) as in the DRAM-bound GEMV.
  const hwtest::ProgramBuilder b = weight_stream();
  auto fill = [](int64_t issue, int64_t retire) {
    InstructionRecord t = transfer(issue, retire, retire, issue, issue, issue);
    t.spm_conflict_cycles = 5;
    return t;
  };
  const std::vector<InstructionRecord> r = {
      fill(0, 100),      fill(100, 200),    gemv(100, 80, 88),
      fill(200, 300),    gemv(200, 80, 88), fill(300, 400),
      gemv(300, 80, 88), gemv(400, 80, 88), transfer(490, 490, -1, 490, 490, 490)};
  expect_breakdown(whole_run(b.program(), r, 490),
                   counts({{kDPort, 4 * 95}, {kBank, 4 * 5}, {kPre, 80}, {kFill, 8}, {kComp, 2}}));
}

TEST(CriticalPath, ScratchpadWritePortsThatStarveTheArrayAreTheDmaPort) {
  // The weight stream with a DRAM side of 40 cycles (first data after 10) and a scratchpad side
  // of 100 (a narrow write port): each LOAD is scratchpad-bound, and the path runs through them.
  const hwtest::ProgramBuilder b = weight_stream();
  auto fill = [](int64_t issue) {
    return transfer(issue, issue + 100, issue + 100, issue, issue + 10, issue + 40);
  };
  const std::vector<InstructionRecord> r = {fill(0),           fill(100),         gemv(100, 80, 88),
                                            fill(200),         gemv(200, 80, 88), fill(300),
                                            gemv(300, 80, 88), gemv(400, 80, 88), dma(490, 510, 500)};
  const CycleBreakdown got = whole_run(b.program(), r, 510);
  expect_breakdown(got, counts({{kDPort, 400}, {kPre, 80}, {kFill, 8}, {kComp, 2}, {kLat, 10}, {kBw, 10}}));
}

TEST(CriticalPath, TiesGoToTheEarliestInTheStreamAndThePathEndsAtTheLatestInTheStream) {
  // LOAD and MATMUL both retire at 10; MATMUL 2 waits for the LOAD (dependency) and the array
  // (MATMUL before it): the earlier of the two in the stream is its predecessor. A SYNC on the
  // MATMUL retires with it at 20 and ends the path.
  hwtest::ProgramBuilder load_first;
  load_first.load(Buffer::kIfmap, 1, 64);
  load_first.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  load_first.matmul(Dataflow::kWeightStationary, 8, 8, 8, {0});
  load_first.sync({2});
  const std::vector<InstructionRecord> r = {dma(0, 10, 4), matmul(0, 0, 10), matmul(10, 10, 10), sync(20)};
  EXPECT_EQ(critical_path(load_first.program(), r), (std::vector<uint32_t>{0, 2, 3}));
  expect_breakdown(whole_run(load_first.program(), r, 20), counts({{kLat, 4}, {kBw, 6}, {kComp, 10}}));

  hwtest::ProgramBuilder matmul_first;
  matmul_first.matmul(Dataflow::kWeightStationary, 8, 8, 8);
  matmul_first.load(Buffer::kIfmap, 1, 64);
  matmul_first.matmul(Dataflow::kWeightStationary, 8, 8, 8, {1});
  matmul_first.sync({2});
  const std::vector<InstructionRecord> s = {matmul(0, 0, 10), dma(0, 10, 4), matmul(10, 10, 10), sync(20)};
  EXPECT_EQ(critical_path(matmul_first.program(), s), (std::vector<uint32_t>{0, 2, 3}));
  expect_breakdown(whole_run(matmul_first.program(), s, 20), counts({{kComp, 20}}));
}

}  // namespace
}  // namespace systole::hw
