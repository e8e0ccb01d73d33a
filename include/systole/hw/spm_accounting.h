// How the PeArray and the VectorUnit reach a scratchpad: they do not send one TLM transaction per
// element; they report the bytes of a whole tile / operation (counted into the scratchpad's
// counters) and read the port bandwidths to compute their own stalls. In functional simulation
// they read and write the contents directly through storage() (no transaction, no extra time: the
// data moves within the tile's or the operation's own timing).
#pragma once

#include <cstdint>

#include <systemc>

namespace systole::hw {

class ISpmAccounting : public virtual sc_core::sc_interface {
 public:
  virtual void count_direct_access(int64_t read_bytes, int64_t write_bytes) = 0;
  virtual int64_t read_bytes_per_cycle() const = 0;
  virtual int64_t write_bytes_per_cycle() const = 0;
  // The scratchpad's bytes [0, capacity_bytes()) in functional simulation; nullptr when timing-only.
  virtual uint8_t* storage() = 0;
  virtual int64_t capacity_bytes() const = 0;
};

}  // namespace systole::hw
