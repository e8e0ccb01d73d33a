#include "systole/hw/core/clock.h"

#include <cmath>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::hw {

Clock::Clock(double clock_mhz) : m_period_ps(1e6 / clock_mhz) {
  if (!(clock_mhz > 0.0)) throw InternalError(fmt::format("clock of {} MHz", clock_mhz));
}

sc_core::sc_time Clock::time_of(int64_t cycle) const {
  return sc_core::sc_time(static_cast<double>(std::llround(static_cast<double>(cycle) * m_period_ps)),
                          sc_core::SC_PS);
}

int64_t Clock::cycle_of(const sc_core::sc_time& t) const {
  const double ps = t.to_seconds() * 1e12;
  int64_t c = static_cast<int64_t>(std::ceil(ps / m_period_ps));
  if (c < 0) c = 0;
  while (c > 0 && time_of(c - 1) >= t) --c;
  while (time_of(c) < t) ++c;
  return c;
}

}  // namespace systole::hw
