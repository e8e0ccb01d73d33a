// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator whose sequence depends only on the
// seed, identical on every platform (unlike std::uniform_*_distribution).
#pragma once

#include <cstdint>

#include "systole/numeric/random.h"

namespace systole::dram {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : m_state(seed) {}
  uint64_t next() { return splitmix64_next(&m_state); }  // numeric/random.h: the one implementation
  // Uniform in [0, 1) from the top 53 bits.
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  uint64_t m_state;
};

}  // namespace systole::dram
