// Hand-made InstructionRecords and cause counts for the stall-attribution tests (both rules:
// stall_attribution_test.cpp, critical_path_test.cpp). Cycles are core cycles.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

#include "systole/stats/attribution.h"

namespace systole::hw {

inline InstructionRecord dma(int64_t issue, int64_t retire, int64_t first_data = -1) {
  InstructionRecord r;
  r.issue_cycle = issue;
  r.retire_cycle = retire;
  r.busy_cycles = retire - issue;
  r.first_data_cycle = first_data;
  return r;
}

// A MATMUL occupying the array [work_start, work_start + work + spm_stall + bank_conflict).
inline InstructionRecord matmul(int64_t issue, int64_t work_start, int64_t work, int64_t fill_drain = 0,
                                int64_t spm_stall = 0, int64_t bank_conflict = 0) {
  InstructionRecord r;
  r.issue_cycle = issue;
  r.work_start_cycle = work_start;
  r.work_cycles = work;
  r.fill_drain_cycles = fill_drain;
  r.spm_stall_cycles = spm_stall;
  r.bank_conflict_cycles = bank_conflict;
  r.busy_cycles = work + spm_stall + bank_conflict;
  r.retire_cycle = work_start + r.busy_cycles;
  return r;
}

inline InstructionRecord vector(int64_t issue, int64_t work_start, int64_t work) {
  InstructionRecord r;
  r.issue_cycle = issue;
  r.work_start_cycle = work_start;
  r.work_cycles = work;
  r.busy_cycles = work;
  r.retire_cycle = work_start + work;
  return r;
}

inline InstructionRecord sync(int64_t at) {
  InstructionRecord r;
  r.issue_cycle = at;
  r.retire_cycle = at;
  return r;
}

// A transfer whose scratchpad side ends at spm_end and DRAM side (first burst issued at
// dram_start) ends at dram_end.
inline InstructionRecord transfer(int64_t issue, int64_t retire, int64_t spm_end, int64_t dram_start,
                                  int64_t first_data, int64_t dram_end) {
  InstructionRecord r = dma(issue, retire, first_data);
  r.spm_end_cycle = spm_end;
  r.dram_start_cycle = dram_start;
  r.dram_end_cycle = dram_end;
  return r;
}

// The counts of a breakdown, every cause not named 0.
inline CycleBreakdown counts(std::initializer_list<std::pair<CycleCause, int64_t>> named) {
  CycleBreakdown b;
  for (const auto& [cause, n] : named) b[cause] += n;
  return b;
}

constexpr CycleCause kComp = CycleCause::kCompute, kUnder = CycleCause::kSpatialUnderuse,
                     kPre = CycleCause::kPreload, kFill = CycleCause::kFillDrain,
                     kAPort = CycleCause::kSpmArrayPort, kBank = CycleCause::kBankConflict,
                     kDPort = CycleCause::kSpmDmaPort, kIssue = CycleCause::kDmaIssue,
                     kBw = CycleCause::kDramBandwidth, kLat = CycleCause::kDramLatency,
                     kDep = CycleCause::kDependency, kIdle = CycleCause::kIdle;

// Every cause of `actual` equals `expected`'s, named on failure.
inline void expect_breakdown(const CycleBreakdown& actual, const CycleBreakdown& expected) {
  for (const CycleCauseInfo& c : kCycleCauses) EXPECT_EQ(actual[c.cause], expected[c.cause]) << c.key;
}

}  // namespace systole::hw
