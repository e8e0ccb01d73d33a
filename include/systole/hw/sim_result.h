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
#include <string>
#include <vector>

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
};

struct SimResult {
  std::vector<LayerStats> layers;  // same order as Program::layers
  LayerStats total;                // sums; utilization over the whole run
  int64_t total_cycles = 0;
  double simulated_ns = 0.0;
};

}  // namespace systole
