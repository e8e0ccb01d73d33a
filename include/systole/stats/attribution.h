// What the simulator records per instruction, and the rule that turns those records into
// per-layer statistics (sim_result.h states the layer rule, cycle_causes() below the cause rule; ActionRecord
// lives there too, since LayerStats sums it). No SystemC here, so the attribution is unit-testable without
// elaborating a simulation.
#pragma once

#include <cstdint>
#include <vector>

#include "systole/compiler/program.h"
#include "systole/stats/sim_result.h"

namespace systole::hw {

// One executed instruction. All times are core clock cycles since the start of the simulation.
struct InstructionRecord {
  int64_t issue_cycle = -1;   // cycle the controller handed it to its unit
  int64_t retire_cycle = -1;  // cycle its unit finished it
  // Closed-form work on the array (MATMUL: tile_timing cycles) or the vector unit (VECTOR):
  // cycles [work_start_cycle, work_start_cycle + work_cycles). 0 for LOAD / STORE / SYNC.
  int64_t work_start_cycle = 0;
  int64_t work_cycles = 0;
  int64_t busy_cycles = 0;  // cycles its unit was occupied (MATMUL: work + both SPM stalls)
  // MATMUL only. The busy interval [work_start_cycle, work_start_cycle + busy_cycles) is
  // work_cycles of closed-form work, of which fill_drain_cycles (work_cycles - stream_cycles:
  // preload, wavefront fill/drain, accumulator latency) move no new operands, followed by
  // spm_stall_cycles (port bandwidth) + bank_conflict_cycles (several accesses of one operand
  // vector to one bank beyond its ports) of scratchpad stalls.
  int64_t fill_drain_cycles = 0;
  // MATMUL only: the part of fill_drain_cycles that shifts the stationary operand in
  // (TileTiming::preload_cycles; 0 under OS), and the part of the streaming cycles
  // (work_cycles - fill_drain_cycles) in which PEs idle because the tile is smaller than the
  // array: stream - min(stream, ceil(macs / (rows * cols))).
  int64_t preload_cycles = 0;
  int64_t underuse_cycles = 0;
  int64_t spm_stall_cycles = 0;
  int64_t bank_conflict_cycles = 0;
  // LOAD / STORE only (core cycles; -1: that side did nothing). A descriptor runs two sides at
  // once from its issue (hw/dma/dma.h): the scratchpad side (an indexed LOAD's index read, then
  // or alongside the fill / drain transaction) ends at spm_end_cycle, of which
  // spm_conflict_cycles were bank conflicts; the DRAM side issues its first burst at
  // dram_start_cycle, sees it complete at first_data_cycle and the last at dram_end_cycle.
  int64_t first_data_cycle = -1;
  int64_t dram_start_cycle = -1;
  int64_t dram_end_cycle = -1;
  int64_t spm_end_cycle = -1;
  int64_t spm_conflict_cycles = 0;
  // LOAD / STORE only: two lower bounds on the DRAM side after its first data, in cycles.
  // window_bound_cycles = (ceil(bursts / min(max_outstanding, bursts)) - 1) *
  // (first_data_cycle - dram_start_cycle): every round of a full window of bursts waits at least
  // the unloaded latency of the first; peak_bound_cycles = ceil((bytes - first burst's bytes) /
  // the DRAM's peak bytes per core cycle) (0 when unbounded: dram.kind ideal). The side is
  // issue-limited when window_bound_cycles > peak_bound_cycles.
  int64_t window_bound_cycles = 0;
  int64_t peak_bound_cycles = 0;
  // LOAD / STORE behind the NoC (multi-core; 0 otherwise): the core cycles the first burst's
  // request and response spent in the network, part of [dram_start_cycle, first_data_cycle); and
  // the share of [first_data_cycle, dram_end_cycle) its bursts spent there: that interval times
  // (sum of the bursts' network time / sum of their round trips, issue to completion), rounded.
  int64_t noc_latency_cycles = 0;
  int64_t noc_stream_cycles = 0;
  int64_t macs = 0;
  int64_t vector_ops = 0;  // elements * ops_per_element
  int64_t sram_read_bytes = 0;
  int64_t sram_write_bytes = 0;
  int64_t dram_read_bytes = 0;
  int64_t dram_write_bytes = 0;
  // Priced actions (energy model): scratchpad bank word accesses (DMA side for LOAD / STORE, array
  // side for MATMUL, vector side for VECTOR), accumulator RMWs, register shifts, DMA bursts.
  ActionRecord actions;
};

// Layer boundaries B_0 .. B_{L-1} in cycles: B_L = max(B_{L-1}, latest retire of layer L's MATMUL /
// VECTOR instructions) (B_{-1} = 0); a layer with instructions but no compute instruction (data
// movement only: concat, split, gather) uses the latest retire of its instructions instead, and a
// layer without instructions keeps B_{L-1}; the last layer's boundary is max(B_{L-2},
// total_cycles). Monotonic by construction.
// Throws InternalError when records and program disagree or a retire lies beyond total_cycles.
std::vector<int64_t> layer_boundaries(const Program& program, const std::vector<InstructionRecord>& records,
                                      int64_t total_cycles);

// Cycles in [begin, end) covered by the union of the closed-form work intervals of all MATMUL and
// VECTOR records (array and vector unit working at the same time count once).
int64_t compute_cycles_in(const Program& program, const std::vector<InstructionRecord>& records,
                          int64_t begin, int64_t end);

// A run of cycles [begin, end) that all have one cause (cycle_causes() states the rule).
struct CauseSpan {
  int64_t begin = 0;
  int64_t end = 0;
  CycleCause cause = CycleCause::kIdle;
};

// Every cycle of [0, total_cycles) by cause: sorted, adjacent spans (no two neighbours with the
// same cause) that cover [0, total_cycles) exactly. Each cycle t gets the first rule that applies
// (docs/stall-attribution.md has the reasoning and an example):
//  a. A MATMUL occupies the array, t in [work_start, work_start + busy_cycles). Its busy interval
//     is laid out as preload_cycles kPreload, fill_drain_cycles - preload_cycles kFillDrain,
//     stream - underuse_cycles kCompute, underuse_cycles kSpatialUnderuse (stream =
//     work_cycles - fill_drain_cycles), spm_stall_cycles kSpmArrayPort, bank_conflict_cycles
//     kBankConflict.
//  b. A VECTOR works, t in [work_start, work_start + work_cycles): kCompute.
//  c. Otherwise X = the next compute instruction to start work after t (smallest work_start > t;
//     ties: stream order).
//     - No X: dma(t, kIdle).
//     - t >= X.issue: kDependency (issued, work not started).
//     - t < X.issue: D = X's critical dependency (the one retiring last, ties the earliest; a
//       SYNC with dependencies is seen through). X has none, D retired at or before t, or D is a
//       MATMUL, VECTOR or dependency-free SYNC: kDependency. D a LOAD or STORE: dma(t,
//       kDependency).
//  dma(t, fallback): the DMA transfer T in flight at t (issue <= t < retire; transfers never
//  overlap), else `fallback`. With e = max(-1, T.dram_end_cycle): T is scratchpad-bound when
//  T.spm_end_cycle > e: its last min(spm_conflict_cycles, retire - issue) cycles kBankConflict,
//  the rest kSpmDmaPort. Else DRAM-bound, with s = clamp(dram_start, issue, retire) (issue when
//  -1) and f = clamp(first_data, s, retire) (s when -1): [issue, s) kSpmDmaPort (index read),
//  [s, f) kDramLatency, [f, retire) kDmaIssue when window_bound_cycles > peak_bound_cycles, else
//  kDramBandwidth.
// Intervals reaching outside [0, total_cycles) are clipped. Throws InternalError on inconsistent
// records: an instruction not issued or retiring before its issue, a dependency that is not
// earlier in the stream, negative cycle counts, a MATMUL with preload_cycles > fill_drain_cycles
// > work_cycles, underuse_cycles > work_cycles - fill_drain_cycles or busy_cycles != work_cycles +
// spm_stall_cycles + bank_conflict_cycles, two MATMULs (two VECTORs, two LOAD / STOREs) occupying
// their unit at once.
std::vector<CauseSpan> cycle_causes(const Program& program, const std::vector<InstructionRecord>& records,
                                    int64_t total_cycles);

// The run's critical path, in time order: the instruction that retires last (ties: the latest in
// the stream), its predecessor, that one's predecessor, and so on. An instruction's predecessor is
// whichever of its dependencies and the instruction before it on its unit (units run their
// instructions in stream order: the DMA LOAD / STORE, the array MATMUL, the vector unit VECTOR,
// the controller SYNC) retires last, i.e. the one it waited for to issue; ties go to the earliest
// in the stream. None: the path starts there. Throws InternalError on the inconsistent records
// cycle_causes() rejects and when an instruction issues before its predecessor retires.
std::vector<uint32_t> critical_path(const Program& program, const std::vector<InstructionRecord>& records);

// Every cycle of [0, total_cycles) by cause along the critical path (docs/stall-attribution.md, "The
// critical path"), as spans like cycle_causes(). Each instruction X on the path owns [P.retire,
// X.retire), P its predecessor on the path (0 for the first):
//  - X's own time, laid out from its start and named as cycle_causes() names it: a MATMUL's busy
//    interval (rule a), a VECTOR's work (kCompute), a LOAD or STORE's [issue, retire) (dma(t, .)
//    of that transfer); a SYNC has none;
//  - the rest of [P.retire, X.retire) kDependency: issue slack, issued but not started; for the
//    first instruction on the path, the cycles before its issue kIdle.
// After the last retire, kIdle. Intervals reaching outside [0, total_cycles) are clipped. Throws
// as critical_path().
std::vector<CauseSpan> critical_path_causes(const Program& program,
                                            const std::vector<InstructionRecord>& records,
                                            int64_t total_cycles);

// The causes counted over each window [bounds[i-1], bounds[i]) (bounds[-1] = 0) of a timeline from
// cycle_causes(); bounds nondecreasing.
std::vector<CycleBreakdown> breakdown_by_window(const std::vector<CauseSpan>& spans,
                                                const std::vector<int64_t>& bounds);

// Per-layer and total statistics, including every cycle's cause (breakdown). array_pes = rows * cols
// (utilization = macs / (cycles * pes)); a multi-core program's core_pes gives each core's (a
// heterogeneous NPU's differ), else each core has array_pes / cores.
// core_class: each core's class on a heterogeneous NPU (LayerStats::class_actions), else empty.
SimResult attribute(const Program& program, const std::vector<InstructionRecord>& records,
                    int64_t total_cycles, double simulated_ns, int64_t array_pes,
                    const std::vector<int64_t>& core_pes = {}, const std::vector<int>& core_class = {});
// The same with the layers' windows given (bounds[L] = B_L, one per layer) instead of
// layer_boundaries(): how a multi-core run attributes each core over the NPU's windows.
SimResult attribute_in_windows(const Program& program, const std::vector<InstructionRecord>& records,
                               int64_t total_cycles, double simulated_ns, int64_t array_pes,
                               const std::vector<int64_t>& bounds);

// MACs / (cycles x pes): the share of the PEs' cycles that did a MAC; 0 without cycles or PEs.
double utilization(int64_t macs, int64_t cycles, int64_t pes);

// Adds src's counts (MACs, vector ops, bytes, busy cycles, instructions, actions) into dst; not
// its cycles, breakdowns or utilization. add_into adds the cycles and breakdowns too.
void add_counts(LayerStats& dst, const LayerStats& src);
void add_into(LayerStats& dst, const LayerStats& src);

// Core `core`'s part of a multi-core program: its instructions (ids renumbered from 0, deps
// mapped), the program's layers, cores = 1; and their records.
struct CoreView {
  Program program;
  std::vector<InstructionRecord> records;
};
CoreView core_view(const Program& program, const std::vector<InstructionRecord>& records, uint32_t core);

// A multi-core run (program.cores > 1; docs/multicore.md "Statistics"). Each core is attributed
// on its own (core_view) over the NPU's layer windows, B_L = the latest of the cores' own B_L;
// an NPU layer's breakdown (and compute_cycles) is the mean of its cores', apportioned to whole
// cycles by largest remainder (ties to the earlier cause) so that it still sums to the layer's
// cycles; its critical path is that of the core that finished last; counts (MACs, bytes, busy
// cycles, actions) are summed over the cores; utilization is over all cores' PEs (array_pes is
// the NPU's, core_pes each core's). SimResult::cores holds each core's own total.
SimResult attribute_cores(const Program& program, const std::vector<InstructionRecord>& records,
                          int64_t total_cycles, double simulated_ns, int64_t array_pes,
                          const std::vector<int64_t>& core_pes, const std::vector<int>& core_class);

// The cycles [begin, end) an instruction keeps its unit active: MATMUL and VECTOR
// [work_start_cycle, work_start_cycle + busy_cycles), LOAD and STORE [issue_cycle, retire_cycle),
// SYNC [issue_cycle, issue_cycle) (empty).
struct ActiveInterval {
  int64_t begin = 0;
  int64_t end = 0;
};
ActiveInterval active_interval(Opcode op, const InstructionRecord& r);

// One instruction's priced actions as an ActivityWindow (its cycles left 0): macs, actions and DRAM
// bytes, exactly (integers below 2^53).
// `classes` > 0 on a heterogeneous NPU (ActivityWindow::class_spm has that many slots, one per
// core class after the first): the record of a core of class core_class >= 1 also counts its
// scratchpad accesses in that class's slot.
ActivityWindow counts_of(const InstructionRecord& r, int core_class = 0, size_t classes = 0);

// The run's actions by window of `window_cycles` (>= 1) core cycles over [0, total_cycles): one
// window per started block of window_cycles, the last ending at total_cycles. An instruction's
// actions (macs, actions, DRAM bytes) are spread uniformly over its active interval: MATMUL and
// VECTOR [work_start_cycle, work_start_cycle + busy_cycles), LOAD and STORE [issue_cycle,
// retire_cycle); an empty interval puts them all in the window holding its start. Intervals are
// clipped to [0, total_cycles). No windows when total_cycles is 0.
// The most windows one run keeps: report.json carries every window (so that `systole energy` can
// re-price a run) at ~250 bytes each, so 100,000 windows are ~25 MB; power_window_cycles = 1 on
// ResNet-18 would otherwise write ~800 MB.
inline constexpr int64_t kMaxActivityWindows = 100'000;

// core_class (config core_classes; empty when the cores are alike): each core's class, whose
// scratchpad accesses the windows also count apart (ActivityWindow::class_spm).
std::vector<ActivityWindow> activity_windows(const Program& program,
                                             const std::vector<InstructionRecord>& records,
                                             int64_t total_cycles, int64_t window_cycles,
                                             const std::vector<int>& core_class = {});

}  // namespace systole::hw
