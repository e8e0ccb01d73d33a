// What the simulator records per instruction, and the rule that turns those records into
// per-layer statistics (sim_result.h states the rule; ActionRecord lives there too, since
// LayerStats sums it). No SystemC here, so the attribution is
// unit-testable without elaborating a simulation.
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
  int64_t spm_stall_cycles = 0;
  int64_t bank_conflict_cycles = 0;
  // LOAD / STORE only: the cycle the descriptor's first DRAM burst completed (-1: no bursts).
  // Before it the transfer waits on DRAM latency, after it on DRAM bandwidth.
  int64_t first_data_cycle = -1;
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

// A run of cycles [begin, end) that all have one cause (sim_result.h states the rule).
struct CauseSpan {
  int64_t begin = 0;
  int64_t end = 0;
  CycleCause cause = CycleCause::kIdle;
};

// Every cycle of [0, total_cycles) by cause: sorted, adjacent spans (no two neighbours with the
// same cause) that cover [0, total_cycles) exactly. Intervals reaching outside [0, total_cycles)
// are clipped. Throws InternalError on inconsistent records: an instruction not issued or retiring
// before its issue, a dependency that is not earlier in the stream, negative cycle counts, a
// MATMUL with fill_drain_cycles > work_cycles or busy_cycles != work_cycles + spm_stall_cycles +
// bank_conflict_cycles, two MATMULs (or two VECTORs) occupying their unit at once.
std::vector<CauseSpan> cycle_causes(const Program& program, const std::vector<InstructionRecord>& records,
                                    int64_t total_cycles);

// The causes counted over each window [bounds[i-1], bounds[i]) (bounds[-1] = 0) of a timeline from
// cycle_causes(); bounds nondecreasing.
std::vector<CycleBreakdown> breakdown_by_window(const std::vector<CauseSpan>& spans,
                                                const std::vector<int64_t>& bounds);

// Per-layer and total statistics, including every cycle's cause (breakdown). array_pes = rows * cols
// (utilization = macs / (cycles * pes)).
SimResult attribute(const Program& program, const std::vector<InstructionRecord>& records,
                    int64_t total_cycles, double simulated_ns, int64_t array_pes);

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
ActivityWindow counts_of(const InstructionRecord& r);

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

std::vector<ActivityWindow> activity_windows(const Program& program,
                                             const std::vector<InstructionRecord>& records,
                                             int64_t total_cycles, int64_t window_cycles);

}  // namespace systole::hw
