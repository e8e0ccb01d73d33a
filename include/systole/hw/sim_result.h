// What a simulation returns: per-layer and total statistics. No SystemC here.
//
// Attribution of time to layers: the compute instructions (MATMUL, VECTOR) are taken in stream
// order; layer L's boundary B_L is the latest retire time of its compute instructions (and never
// earlier than B_{L-1}); the last layer's boundary is the end of the simulation, so trailing
// stores count. cycles(L) = B_L - B_{L-1}, hence the layers' cycles sum to the total.
// compute_cycles(L) = cycles inside (B_{L-1}, B_L] in which the array or the vector unit is doing
// closed-form work; stall_cycles(L) = cycles(L) - compute_cycles(L). Bytes are attributed to the
// layer of the instruction that moved them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "systole/numeric/tensor.h"

namespace systole {

struct LayerStats {
  std::string name;
  std::string type;
  int64_t macs = 0;
  int64_t vector_ops = 0;
  int64_t cycles = 0;  // core clock cycles
  int64_t compute_cycles = 0;
  int64_t stall_cycles = 0;
  double utilization = 0.0;  // macs / (cycles * rows * cols)
  int64_t sram_reads_bytes = 0;
  int64_t sram_writes_bytes = 0;
  int64_t dram_reads_bytes = 0;
  int64_t dram_writes_bytes = 0;
  int64_t array_busy_cycles = 0;  // cycles the array spent on this layer's tiles (incl. SPM stalls)
  int64_t vector_busy_cycles = 0;
  int64_t dma_busy_cycles = 0;
  int64_t instructions = 0;
  // Functional simulation (hw/functional.h): "true" / "false" when the layer's output was
  // compared with the reference, "" when not checked (timing-only runs, layout-only layers).
  std::string verified;
  double max_abs_error = 0.0;  // over the output's elements; 0 for exact integer agreement
  std::string first_mismatch;  // e.g. "conv1[0,3,5,7]: got 12, expected 13"; "" when verified
};

struct SimResult {
  std::vector<LayerStats> layers;  // same order as Program::layers
  LayerStats total;                // sums; utilization over the whole run
  int64_t total_cycles = 0;
  double simulated_ns = 0.0;
  // Functional simulation with SimOptions::keep_tensors: every computed layer's output as it is
  // in DRAM at the end, by layer name (a fused activation's output is its producer's tensor).
  std::map<std::string, Tensor> tensors;
};

}  // namespace systole
