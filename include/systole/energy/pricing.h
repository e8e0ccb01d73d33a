// Pricing: energy = sum over actions of count x energy per action from an EnergyTable, plus the
// clock-tree share. Counts are doubles: a power window holds fractions of an instruction's actions
// (exact for integers below 2^53). Modules only count (ActionCounts); this turns counts into pJ per component
// after the run, so a finished run can be re-priced with another table.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "systole/config/types.h"
#include "systole/energy/energy_table.h"

namespace systole::energy {

struct MacCount {
  DataType input = DataType::kInt8;
  DataType weight = DataType::kInt8;
  double count = 0;
};

// Accesses of one scratchpad built from macros of `capacity_bytes`, `word_bytes` per access.
struct ScratchpadCount {
  std::string name;
  int64_t capacity_bytes = 0;
  int64_t word_bytes = 0;
  double reads = 0;
  double writes = 0;
};

// Read-modify-writes of one accumulator SRAM holding `type` partial sums: each adds one partial
// sum into a stored one. Its word read and write are counted with the scratchpad's reads and
// writes (ScratchpadCount of the same name), so only the add is priced here.
struct AccumulatorCount {
  std::string name;
  DataType type = DataType::kInt32;
  double rmws = 0;
};

struct VectorCount {
  VectorOp op = VectorOp::kAdd;
  DataType type = DataType::kInt32;
  double count = 0;  // element operations
};

// Bytes moved across the DRAM interface. `standard` must have a dram entry in the table when
// read_bytes + write_bytes > 0.
struct DramCount {
  std::string standard;
  double read_bytes = 0;
  double write_bytes = 0;
};

// Flits moved over the network-on-chip of a multi-core NPU (hw/noc/noc_fabric.h). A flit moves
// flit_bits whatever the data it carries (the wires switch as one). Left at zero (no NoC) it needs
// no noc entry in the table.
struct NocCount {
  double flit_bits = 0;          // noc.flit_bytes x 8
  double link_mm = 0;            // noc.link_mm: the length of one router-to-router link
  double flit_hops = 0;          // router-to-router link crossings of flits
  double router_traversals = 0;  // router crossings of flits (a packet over H links crosses H + 1)
};

struct ActionCounts {
  std::vector<MacCount> macs;
  double register_shift_bytes = 0;  // byte-hops between neighbouring PEs
  std::vector<ScratchpadCount> scratchpads;
  std::vector<AccumulatorCount> accumulators;
  std::vector<VectorCount> vector_ops;
  std::vector<MacCount> vector_macs;  // the vector unit's MACs (depthwise convolutions)
  DramCount dram;
  NocCount noc;
};

// Energy per component, pJ. The sum of every field (each map summed over its entries) is total_pj.
struct EnergyBreakdown {
  double array_pj = 0.0;                        // sum MAC_i * mac_pj + shift_bytes * register_shift
  std::map<std::string, double> scratchpad_pj;  // by scratchpad or accumulator name
  double vector_pj = 0.0;                       // sum ops_i * vector_op_pj + vector MACs * mac_pj
  double dram_pj = 0.0;                         // (read_bytes + write_bytes) * 8 * dram_pj_per_bit
  double noc_pj = 0.0;                          // flit bits x (hops x mm x link + traversals x router)
  double clock_tree_pj = 0.0;                   // share / (1 - share) * (array + scratchpads + vector + noc)
  double total_pj = 0.0;

  // Flat component name -> pJ: "array", "scratchpad.<name>", "vector", "noc", "dram", "clock_tree".
  std::map<std::string, double> by_component() const;
};

// Prices `counts` with `table`:
//   array       = sum_i macs_i * mac_pj(in_i, w_i) + register_shift_bytes * register_shift_pj_per_byte
//   scratchpad  = reads * sram_access_pj(C, W, read) + writes * sram_access_pj(C, W, write)
//   accumulator = rmws * vector_op_pj(add, type)             (into scratchpad_pj[name])
//   vector      = sum_i ops_i * vector_op_pj(op_i, type_i) + sum_j vector_macs_j * mac_pj(in_j, w_j)
//   dram        = 8 * (read_bytes + write_bytes) * dram_pj_per_bit(standard)
//   noc         = flit_bits * (flit_hops * link_mm * noc.link + router_traversals * noc.router)
//   clock_tree  = s / (1 - s) * (array + scratchpads + vector + noc), s = clock_tree_share; DRAM
//                 is off-chip and gets no on-chip clock share.
// A name that appears twice (scratchpads and accumulators share one namespace) adds up. Throws
// ConfigError when the table lacks an entry the counts need, InternalError on a negative or
// non-finite count.
EnergyBreakdown price(const ActionCounts& counts, const EnergyTable& table);

}  // namespace systole::energy
