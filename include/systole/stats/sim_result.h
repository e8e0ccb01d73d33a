// What a simulation returns: per-layer and total statistics. No SystemC here.
//
// Attribution of time to layers: the compute instructions (MATMUL, VECTOR) are taken in stream
// order; layer L's boundary B_L is the latest retire time of its compute instructions (of all its
// instructions when it only moves data) and never earlier than B_{L-1}; the last layer's boundary
// is the end of the simulation, so trailing stores count. cycles(L) = B_L - B_{L-1}, hence the layers' cycles
// sum to the total. compute_cycles(L) = cycles inside (B_{L-1}, B_L] in which the array or the vector unit is
// doing closed-form work; stall_cycles(L) = cycles(L) - compute_cycles(L). Bytes are attributed to the layer
// of the instruction that moved them.
//
// Attribution of every cycle to one cause (docs/stall-attribution.md; stats/attribution.h
// cycle_causes() states the rule on InstructionRecord's fields). breakdown(L) counts the causes
// over [B_{L-1}, B_L), so breakdown(L).sum() == cycles(L), and total.breakdown.sum() ==
// total_cycles. breakdown.compute differs from compute_cycles: it is the array's useful MAC
// cycles plus the vector unit's work while the array is not occupied, without fill/drain,
// preload or spatial under-use. critical_path(L) counts the same windows of the timeline along the
// run's critical path (critical_path_causes()), where a cycle is the cause of the instruction the
// run's end waited for, not the array's.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "systole/isa/isa.h"
#include "systole/numeric/tensor.h"
#include "systole/stats/dram_stats.h"
#include "systole/stats/noc_stats.h"

namespace systole {

enum class CycleCause {
  kCompute,          // the array does useful MACs, or the vector unit works while the array is free
  kSpatialUnderuse,  // the array streams, but the tile leaves PEs idle (smaller than the array)
  kPreload,          // the array shifts in its stationary operand (WS weights, IS inputs)
  kFillDrain,        // wavefront fill and drain, accumulator latency
  kSpmArrayPort,     // the MATMUL stalls on the scratchpads' read / write ports
  kBankConflict,     // bank conflicts: a MATMUL's operand vectors, a DMA transfer's beats
  kSpmDmaPort,       // a transfer waits on its scratchpad port (fill / drain, index read)
  kDmaIssue,         // a transfer is limited by the DMA's max_outstanding bursts in flight
  kDramBandwidth,    // a transfer streams at the DRAM's pace
  kDramLatency,      // a transfer waits for its first burst
  kNoc,              // multi-core: a transfer's first burst crosses the network-on-chip
  kBarrier,          // multi-core: the core waits at a barrier, or for a pipeline stage's signal
  kDependency,       // waiting on another compute instruction, a SYNC, or issue slack
  kIdle              // nothing left to compute and no transfer in flight
};

// Core clock cycles by cause (rule above).
struct CycleBreakdown {
  int64_t compute = 0;
  int64_t spatial_underuse = 0;
  int64_t preload = 0;
  int64_t fill_drain = 0;
  int64_t spm_array_port = 0;
  int64_t bank_conflict = 0;
  int64_t spm_dma_port = 0;
  int64_t dma_issue = 0;
  int64_t dram_bandwidth = 0;
  int64_t dram_latency = 0;
  int64_t noc = 0;
  int64_t barrier = 0;
  int64_t dependency = 0;
  int64_t idle = 0;
  int64_t sum() const {
    return compute + spatial_underuse + preload + fill_drain + spm_array_port + bank_conflict + spm_dma_port +
           dma_issue + dram_bandwidth + dram_latency + noc + barrier + dependency + idle;
  }
  int64_t& operator[](CycleCause c) { return this->*field(c); }
  int64_t operator[](CycleCause c) const { return this->*field(c); }
  static int64_t CycleBreakdown::*field(CycleCause c);
};

// The causes in report order, with their report.json key (layers.csv: "cyc_" + key), a label and
// a short name (summary.txt's per-layer column; its legend spells them out).
struct CycleCauseInfo {
  CycleCause cause;
  const char* key;
  const char* label;
  const char* short_name;
};
inline constexpr CycleCauseInfo kCycleCauses[] = {
    {CycleCause::kCompute, "compute", "compute", "comp"},
    {CycleCause::kSpatialUnderuse, "spatial_underuse", "spatial under-use", "under"},
    {CycleCause::kPreload, "preload", "preload", "pre"},
    {CycleCause::kFillDrain, "fill_drain", "fill/drain", "fill"},
    {CycleCause::kSpmArrayPort, "spm_array_port", "scratchpad port (array)", "aport"},
    {CycleCause::kBankConflict, "bank_conflict", "bank conflict", "bank"},
    {CycleCause::kSpmDmaPort, "spm_dma_port", "scratchpad port (DMA)", "dport"},
    {CycleCause::kDmaIssue, "dma_issue", "DMA issue limit", "issue"},
    {CycleCause::kDramBandwidth, "dram_bandwidth", "DRAM bandwidth", "bw"},
    {CycleCause::kDramLatency, "dram_latency", "DRAM latency", "lat"},
    {CycleCause::kNoc, "noc", "network-on-chip", "noc"},
    {CycleCause::kBarrier, "barrier", "barrier wait", "barr"},
    {CycleCause::kDependency, "dependency", "dependency", "dep"},
    {CycleCause::kIdle, "idle", "idle", "idle"},
};

inline int64_t CycleBreakdown::*CycleBreakdown::field(CycleCause c) {
  switch (c) {
    case CycleCause::kCompute:
      return &CycleBreakdown::compute;
    case CycleCause::kSpatialUnderuse:
      return &CycleBreakdown::spatial_underuse;
    case CycleCause::kPreload:
      return &CycleBreakdown::preload;
    case CycleCause::kFillDrain:
      return &CycleBreakdown::fill_drain;
    case CycleCause::kSpmArrayPort:
      return &CycleBreakdown::spm_array_port;
    case CycleCause::kBankConflict:
      return &CycleBreakdown::bank_conflict;
    case CycleCause::kSpmDmaPort:
      return &CycleBreakdown::spm_dma_port;
    case CycleCause::kDmaIssue:
      return &CycleBreakdown::dma_issue;
    case CycleCause::kDramBandwidth:
      return &CycleBreakdown::dram_bandwidth;
    case CycleCause::kDramLatency:
      return &CycleBreakdown::dram_latency;
    case CycleCause::kNoc:
      return &CycleBreakdown::noc;
    case CycleCause::kBarrier:
      return &CycleBreakdown::barrier;
    case CycleCause::kDependency:
      return &CycleBreakdown::dependency;
    case CycleCause::kIdle:
      break;
  }
  return &CycleBreakdown::idle;
}

// Bank word accesses of one scratchpad (the unit its energy is priced in).
struct SpmActions {
  int64_t read_accesses = 0;    // bank words read: DMA drains + array / vector unit reads
  int64_t write_accesses = 0;   // bank words written: DMA fills + array / vector unit writes
  int64_t accumulator_rmw = 0;  // ofmap only: partial-sum elements read, added and written back
  SpmActions& operator+=(const SpmActions& o) {
    read_accesses += o.read_accesses;
    write_accesses += o.write_accesses;
    accumulator_rmw += o.accumulator_rmw;
    return *this;
  }
};

// The priced actions of an instruction (stats/attribution.h InstructionRecord) or of a layer beyond
// those LayerStats already counts (macs, vector_ops, DRAM bytes). Summed over every instruction
// of a run, each scratchpad's accesses and read-modify-writes equal that scratchpad's whole-run
// counters (SimResult::scratchpads).
// Vector-unit lane operations by the class they are priced as (energy::VectorOp) and the type
// they work on: accumulator_type for fused activations on partial sums, input_type otherwise.
// relu, relu6, add, max and average pooling are priced as adds (compare, select, add); gelu,
// sigmoid, tanh, softmax and layernorm as multiplies (their polynomial / exponential
// approximations are multiply-dominated). A depthwise convolution's multiply-accumulates are
// `mac`: an input_type x weight_type product added at the accumulator width, priced as the
// array's MAC of those types (docs/energy.md).
struct VectorLaneOps {
  int64_t add_on_accumulator = 0, mul_on_accumulator = 0;
  int64_t add_on_input = 0, mul_on_input = 0;
  int64_t mac = 0;
  int64_t sum() const { return add_on_accumulator + mul_on_accumulator + add_on_input + mul_on_input + mac; }
  VectorLaneOps& operator+=(const VectorLaneOps& o) {
    add_on_accumulator += o.add_on_accumulator;
    mul_on_accumulator += o.mul_on_accumulator;
    add_on_input += o.add_on_input;
    mul_on_input += o.mul_on_input;
    mac += o.mac;
    return *this;
  }
};

struct ActionRecord {
  SpmActions ifmap, weight, ofmap;   // by Buffer: at(Buffer)
  int64_t register_shift_bytes = 0;  // MATMUL: bytes moved between neighbouring PEs (hw/array/pe_array.h)
  int64_t dma_bursts = 0;            // LOAD / STORE: DRAM bursts of the descriptor
  VectorLaneOps vector;              // VECTOR: its lane operations (sum == LayerStats::vector_ops)
  // Multi-core runs (hw/noc/noc_fabric.h): the flits of the instruction's NoC messages, LOAD /
  // STORE requests with their responses, a barrier SYNC's arrival and release. Link crossings and
  // router crossings; summed over the run they are the network's own counts (NocStats).
  int64_t noc_flit_hops = 0;
  int64_t noc_router_traversals = 0;
  SpmActions& at(Buffer b) { return b == Buffer::kIfmap ? ifmap : b == Buffer::kWeight ? weight : ofmap; }
  const SpmActions& at(Buffer b) const {
    return b == Buffer::kIfmap ? ifmap : b == Buffer::kWeight ? weight : ofmap;
  }
  ActionRecord& operator+=(const ActionRecord& o) {
    ifmap += o.ifmap;
    weight += o.weight;
    ofmap += o.ofmap;
    register_shift_bytes += o.register_shift_bytes;
    dma_bursts += o.dma_bursts;
    vector += o.vector;
    noc_flit_hops += o.noc_flit_hops;
    noc_router_traversals += o.noc_router_traversals;
    return *this;
  }
};

struct LayerStats {
  std::string name;
  std::string type;
  int64_t macs = 0;
  int64_t vector_ops = 0;
  int64_t cycles = 0;  // core clock cycles
  int64_t compute_cycles = 0;
  int64_t stall_cycles = 0;
  CycleBreakdown breakdown;  // every one of `cycles` by cause; breakdown.sum() == cycles
  // The same cycles by cause along the run's critical path (attribution.h critical_path_causes());
  // critical_path.sum() == cycles.
  CycleBreakdown critical_path;
  double utilization = 0.0;  // macs / (cycles * rows * cols)
  int64_t sram_reads_bytes = 0;
  int64_t sram_writes_bytes = 0;
  int64_t dram_reads_bytes = 0;
  int64_t dram_writes_bytes = 0;
  // Bytes the DMA moved to or from the on-chip tensor store (resident tensors; docs/compiler.md
  // "Activation residency"): traffic that would have gone to DRAM with compiler.residency off.
  int64_t on_chip_bytes = 0;
  int64_t array_busy_cycles = 0;  // cycles the array spent on this layer's tiles (incl. SPM stalls)
  int64_t vector_busy_cycles = 0;
  int64_t dma_busy_cycles = 0;
  int64_t instructions = 0;
  ActionRecord actions;  // summed over the layer's instructions (total: over all layers)
  // A heterogeneous NPU (config core classes): the actions of the cores of class k + 1, which
  // price their scratchpad accesses with their own scratchpads (class 0's are `actions` minus
  // these). Empty when the cores are alike.
  std::vector<ActionRecord> class_actions;
  // Functional simulation (oracle/functional.h): "true" / "false" when the layer's output was
  // compared with the reference, "" when not checked (timing-only runs, layout-only layers).
  std::string verified;
  double max_abs_error = 0.0;  // over the output's elements; 0 for exact integer agreement
  std::string first_mismatch;  // e.g. "conv1[0,3,5,7]: got 12, expected 13"; "" when verified
};

// What one scratchpad counted over the whole run (hw/memory/scratchpad.h ScratchpadCounters).
struct ScratchpadStats {
  std::string name;  // the spec's name: "ifmap", "weight", "ofmap" by default, "unified", ...
  int64_t read_bytes = 0, write_bytes = 0;
  int64_t read_accesses = 0, write_accesses = 0;  // bank word accesses
  int64_t bank_conflict_cycles = 0;               // DMA and array conflicts together
  int64_t accumulator_rmw = 0;                    // partial sums read, added and written back
};

// The priced actions of one window of core cycles [begin_cycle, end_cycle) (power.csv). Each
// instruction's counts are spread uniformly over its active interval, so a window holds fractions
// of counts; summed over all windows each count equals the run's total (up to rounding).
struct ActivityWindow {
  int64_t begin_cycle = 0;
  int64_t end_cycle = 0;
  double macs = 0.0;
  double register_shift_bytes = 0.0;
  double dma_bursts = 0.0;
  double dram_read_bytes = 0.0;
  double dram_write_bytes = 0.0;
  double spm_read_accesses[3] = {0.0, 0.0, 0.0};   // by Buffer: ifmap, weight, ofmap
  double spm_write_accesses[3] = {0.0, 0.0, 0.0};  // by Buffer
  double accumulator_rmw = 0.0;                    // ofmap
  double vector_add_on_accumulator = 0.0, vector_mul_on_accumulator = 0.0;
  double vector_add_on_input = 0.0, vector_mul_on_input = 0.0;
  double vector_mac = 0.0;                                  // depthwise MACs on the vector unit
  double noc_flit_hops = 0.0, noc_router_traversals = 0.0;  // multi-core runs (ActionRecord)
  // A heterogeneous NPU: the scratchpad accesses of the cores of class k + 1 (LayerStats::
  // class_actions), kClassSpm values each: ifmap reads, writes, weight reads, writes, ofmap reads,
  // writes, accumulator read-modify-writes. Empty when the cores are alike.
  static constexpr size_t kClassSpm = 7;
  std::vector<std::array<double, kClassSpm>> class_spm;
};

// One core of a multi-core run: its own statistics over the whole run (stats/attribution.h
// attribute_cores): cycles are the run's, the breakdown is this core's every cycle by cause, the
// counts are its instructions', utilization is over its own PEs.
struct CoreStats {
  int64_t core = 0;
  LayerStats total;
  std::vector<ScratchpadStats> scratchpads;  // this core's (SimResult::scratchpads sums the cores)
};

struct SimResult {
  std::vector<LayerStats> layers;  // same order as Program::layers
  LayerStats total;                // sums; utilization over the whole run
  std::vector<CoreStats> cores;    // multi-core runs only (Program::cores > 1), core 0 first
  NocStats noc;                    // multi-core runs only (noc.topology "" otherwise)
  int64_t total_cycles = 0;
  double simulated_ns = 0.0;
  DramStats dram;                            // the DRAM model's counters for the run
  std::vector<ScratchpadStats> scratchpads;  // ifmap, weight, ofmap
  // Actions over consecutive windows of activity_window_cycles covering [0, total_cycles) (the
  // last window may be shorter); stats/attribution.h activity_windows() states the spreading rule.
  int64_t activity_window_cycles = 0;
  std::vector<ActivityWindow> activity;
  // Functional simulation with SimOptions::keep_tensors: every computed layer's output as it is
  // in DRAM at the end, by layer name (a fused activation's output is its producer's tensor).
  std::map<std::string, Tensor> tensors;
};

}  // namespace systole
