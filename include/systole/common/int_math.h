// Integer division helpers, defined once (they were copied into five files).
#pragma once

#include <cstdint>

namespace systole {

// ceil(a / b) for b > 0, without overflow for any a >= 0 (a + b - 1 could overflow near INT64_MAX).
inline int64_t ceil_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b + (a % b != 0 ? 1 : 0) : (a + b - 1) / b;
}

// floor(a / b) for b > 0 (C++ division truncates toward zero).
inline int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// a mod p in [0, p) for p > 0.
inline int64_t mod(int64_t a, int64_t p) {
  return ((a % p) + p) % p;
}

}  // namespace systole
