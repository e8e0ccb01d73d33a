// How the PeArray and the VectorUnit reach a scratchpad: they do not send one TLM transaction per
// element; they report the accesses of a whole tile / operation (counted into the scratchpad's
// counters), read the port bandwidths and the bank geometry to compute their own stalls
// (array/tile_bank_cost.h), and in functional simulation read and write the contents directly
// through storage() (no transaction, no extra time: the data moves within the tile's or the
// operation's own timing).
#pragma once

#include <cstdint>

#include <systemc>

#include "systole/array/bank_conflicts.h"

namespace systole::hw {

// Accesses of one tile or operation, by the array or the vector unit.
struct SpmDirectAccess {
  int64_t read_bytes = 0, write_bytes = 0;
  int64_t read_accesses = 0, write_accesses = 0;  // bank word accesses
  int64_t bank_conflict_cycles = 0;               // stall cycles the unit charged to this scratchpad's banks
  int64_t accumulator_rmw = 0;                    // partial-sum elements read-modified-written
};

class ISpmAccounting : public virtual sc_core::sc_interface {
 public:
  // Contiguous reads / writes of the vector unit: ceil(bytes / bank width) word accesses each; its
  // bank conflicts are not modelled (it streams contiguous runs through its own port).
  virtual void count_direct_access(int64_t read_bytes, int64_t write_bytes) = 0;
  virtual void count_direct_access(const SpmDirectAccess& a) = 0;
  virtual int64_t read_bytes_per_cycle() const = 0;
  virtual int64_t write_bytes_per_cycle() const = 0;
  virtual const BankGeometry& banking() const = 0;
  // The scratchpad's bytes [0, capacity_bytes()) in functional simulation; nullptr when timing-only.
  virtual uint8_t* storage() = 0;
  virtual int64_t capacity_bytes() const = 0;
};

}  // namespace systole::hw
