// The core clock: converts between cycles and sc_time. Units start work on a clock edge, so every
// start and end of closed-form work is an exact cycle; times produced elsewhere (DRAM completions
// in ns) are converted to cycles by rounding UP to the next edge (a result is visible on the edge
// after it arrives).
#pragma once

#include <cstdint>

#include <systemc>

namespace systole::hw {

class Clock {
 public:
  explicit Clock(double clock_mhz = 1000.0);

  double period_ns() const { return m_period_ps / 1000.0; }
  // Time of edge `cycle`: round(cycle * period) to the picosecond.
  sc_core::sc_time time_of(int64_t cycle) const;
  // Smallest cycle whose edge is at or after `t` (rounding up).
  int64_t cycle_of(const sc_core::sc_time& t) const;

 private:
  int64_t edge_ps(int64_t cycle) const;                      // round(cycle * period), ps
  static constexpr int64_t kExactCycles = int64_t{1} << 53;  // doubles hold integers exactly below
  double m_period_ps;
  int64_t m_period_int_ps = 0;  // the period when it is a whole number of ps, else 0
};

}  // namespace systole::hw
