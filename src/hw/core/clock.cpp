#include "systole/hw/core/clock.h"

#include <cmath>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::hw {

Clock::Clock(double clock_mhz) : m_period_ps(1e6 / clock_mhz) {
  if (!(clock_mhz > 0.0)) throw InternalError(fmt::format("clock of {} MHz", clock_mhz));
  // A whole number of picoseconds (1 GHz: 1000 ps): round(cycle * period) is cycle * period.
  if (m_period_ps >= 1.0 && m_period_ps < 1e12 && m_period_ps == std::floor(m_period_ps))
    m_period_int_ps = static_cast<int64_t>(m_period_ps);
}

namespace {

// True when the kernel's time resolution is 1 ps (SystemC's default; Systole never changes it):
// then an sc_time's value() is picoseconds and conversions stay in integers. sc_time's
// constructors from a double fix the resolution anyway, so asking for it changes nothing.
bool resolution_is_ps() {
  static const bool ps = sc_core::sc_get_time_resolution() == sc_core::sc_time(1.0, sc_core::SC_PS);
  return ps;
}

}  // namespace

int64_t Clock::edge_ps(int64_t cycle) const {
  // The integer product is exact and equals llround's while cycle * period < 2^53, where the double
  // product is exact too.
  if (m_period_int_ps > 0 && cycle >= 0 && cycle < kExactCycles / m_period_int_ps)
    return cycle * m_period_int_ps;
  return std::llround(static_cast<double>(cycle) * m_period_ps);
}

sc_core::sc_time Clock::time_of(int64_t cycle) const {
  if (resolution_is_ps())
    return sc_core::sc_time::from_value(static_cast<sc_core::sc_time::value_type>(edge_ps(cycle)));
  return sc_core::sc_time(static_cast<double>(edge_ps(cycle)), sc_core::SC_PS);
}

int64_t Clock::cycle_of(const sc_core::sc_time& t) const {
  if (resolution_is_ps()) {
    // The same rule in integers: the smallest c with edge_ps(c) >= t.
    const auto ps = static_cast<int64_t>(t.value());
    if (m_period_int_ps > 0 && ps < kExactCycles) return (ps + m_period_int_ps - 1) / m_period_int_ps;
    int64_t c = static_cast<int64_t>(std::ceil(static_cast<double>(ps) / m_period_ps));
    if (c < 0) c = 0;
    while (c > 0 && edge_ps(c - 1) >= ps) --c;
    while (edge_ps(c) < ps) ++c;
    return c;
  }
  const double ps = t.to_seconds() * 1e12;
  int64_t c = static_cast<int64_t>(std::ceil(ps / m_period_ps));
  if (c < 0) c = 0;
  while (c > 0 && time_of(c - 1) >= t) --c;
  while (time_of(c) < t) ++c;
  return c;
}

}  // namespace systole::hw
