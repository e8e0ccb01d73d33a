// Activation residency (docs/compiler.md "Activation residency"): which layer outputs stay on chip
// for their consumers instead of going to DRAM and back, and where.
//
// The on-chip tensor store is a region of `reserved` bytes at the top of the scratchpad that holds
// the kTensorStore role (isa.h: the activations' home, a TPU's Unified Buffer); the compiler's
// working buffers (double-buffered tiles and chunks) use the rest. A tensor is a candidate when a
// layer produces it (not a view, not a network input) and some layer reads it (an unread output
// is the network's result and goes to DRAM). Its lifetime is [producer, last reader], readers of
// its views (reshape, transpose, fused activations) included.
//
// Policy, in production order: free the tensors whose last reader came before this producer, then
// place the tensor at the lowest offset where it fits (first fit, offsets aligned to the store's
// bank row and to 64 B); a tensor that fits nowhere is spilled to DRAM for its whole life (never
// split). Deterministic. The DMA reaches a resident tensor through its LOADs and STOREs, which the
// compiler marks on_chip (isa.h DmaDescriptor) after lowering, so operators lower as before.
// No SystemC here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "systole/compiler/lowering.h"
#include "systole/compiler/program.h"
#include "systole/workload/network.h"

namespace systole::lowering {

struct TensorResidency {
  bool on_chip = false;
  uint64_t store_addr = 0;                // scratchpad address of its first byte (on_chip)
  int first_layer = -1, last_layer = -1;  // producer and last reader (-1: none)
  std::string reason;                     // where it lives and why, for the mapping record
};

struct ResidencyPlan {
  int64_t reserved_bytes = 0;  // the store's size
  uint64_t store_base = 0;     // its first scratchpad address (capacity - reserved_bytes)
  std::string scratchpad;      // the name of the scratchpad holding it
  // Per tensor placed by the memory plan (inputs and layer outputs, views by their own name).
  std::map<std::string, TensorResidency> tensors;
  int64_t peak_live_bytes = 0;  // the most bytes of candidates alive at once (all resident or not)
};

// Plans residency for a store of `reserved_bytes` at the top of kTensorStore's scratchpad of
// `arch` (reserved_bytes 0: every tensor in DRAM, each reason saying why).
ResidencyPlan plan_residency(const ArchSpec& arch, const Network& net, const MemoryPlan& plan,
                             int64_t reserved_bytes, const std::string& off_reason);

// Marks every LOAD and STORE whose DRAM range lies in a resident tensor on_chip, with its
// store_addr. InternalError when a descriptor straddles a resident tensor's bounds.
void place_resident_transfers(const ResidencyPlan& residency, const std::vector<TensorPlacement>& tensors,
                              std::vector<Instruction>* instructions);

// A closed-form estimate of a whole program, by which compiler.residency auto sizes the store: per
// layer the larger of its compute (the array's tile_timing cycles of its MATMULs plus its VECTORs'
// ceil(elements x ops / lanes)) and its DMA time (per descriptor the larger of its far side, DRAM
// bytes / DRAM bytes per cycle or, on chip, a port beat per row, and its scratchpad side, bytes /
// port bytes per cycle), summed over layers; and the DRAM bytes the program moves.
struct ProgramEstimate {
  int64_t cycles = 0;
  int64_t dram_bytes = 0;
  std::vector<int64_t> layer_cycles;      // per layer of the program: the larger of its compute and DMA
  std::vector<int64_t> layer_dram_bytes;  // per layer of the program: the DRAM bytes its DMA moves
};
ProgramEstimate estimate_program(const ArchSpec& arch, const Program& program);

}  // namespace systole::lowering
