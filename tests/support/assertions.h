// Test support: assertions shared by the tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <sstream>

#include <gtest/gtest.h>

namespace systole::testing {

// |a - b| <= rel * max(|a|, |b|): equal up to a relative rounding difference; the failure message
// prints both values at full precision and their relative difference.
inline ::testing::AssertionResult near_rel(double a, double b, double rel) {
  const double scale = std::max({std::fabs(a), std::fabs(b), 1e-300});
  if (std::fabs(a - b) <= rel * scale) return ::testing::AssertionSuccess();
  std::ostringstream s;
  s.precision(17);
  s << a << " vs " << b << " (relative difference " << std::fabs(a - b) / scale << ")";
  return ::testing::AssertionFailure() << s.str();
}

}  // namespace systole::testing
