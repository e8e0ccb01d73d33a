// Clock: edge k at round(k * period) ps, and the smallest edge at or after a time. A period of a
// whole number of picoseconds converts in integers; the test derives every edge from the formula
// in floating point, as the general path does, so both paths are held to the same rule.
#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "systole/hw/core/clock.h"

namespace systole::hw {
namespace {

std::vector<int64_t> sample_cycles() {
  std::vector<int64_t> out;
  for (int64_t c = 0; c < 2000; ++c) out.push_back(c);
  for (int64_t c = 1; c < int64_t{1} << 40; c = c * 7 + 3) out.push_back(c);
  return out;
}

int64_t formula_ps(double mhz, int64_t cycle) {
  return std::llround(static_cast<double>(cycle) * (1e6 / mhz));
}

TEST(Clock, EdgesFollowTheRoundedPeriodForWholeAndFractionalPeriods) {
  // 1000 ps, 1250 ps, 4000 ps (whole); 1428.57 ps, 333.33 ps, 1071.43 ps (fractional).
  for (double mhz : {1000.0, 800.0, 250.0, 700.0, 3000.0, 933.33}) {
    const Clock clock(mhz);
    for (int64_t c : sample_cycles()) {
      const int64_t ps = formula_ps(mhz, c);
      ASSERT_EQ(static_cast<int64_t>(clock.time_of(c).value()), ps) << mhz << " MHz, cycle " << c;
      ASSERT_EQ(clock.cycle_of(clock.time_of(c)), c) << mhz << " MHz, cycle " << c;
      // Just after an edge: the next one; just before: this one (edges are > 1 ps apart).
      const sc_core::sc_time after =
          sc_core::sc_time::from_value(static_cast<sc_core::sc_time::value_type>(ps + 1));
      ASSERT_EQ(clock.cycle_of(after), c + 1) << mhz << " MHz, cycle " << c;
      if (c > 0) {
        const sc_core::sc_time before =
            sc_core::sc_time::from_value(static_cast<sc_core::sc_time::value_type>(ps - 1));
        ASSERT_EQ(clock.cycle_of(before), c) << mhz << " MHz, cycle " << c;
      }
    }
  }
}

TEST(Clock, TimeZeroIsCycleZero) {
  EXPECT_EQ(Clock(1000.0).cycle_of(sc_core::SC_ZERO_TIME), 0);
  EXPECT_EQ(Clock(700.0).cycle_of(sc_core::SC_ZERO_TIME), 0);
}

}  // namespace
}  // namespace systole::hw
