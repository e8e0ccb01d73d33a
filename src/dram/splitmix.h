// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator whose sequence depends only on the
// seed, identical on every platform (unlike std::uniform_*_distribution).
#pragma once

#include <cstdint>

namespace systole::dram {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : m_state(seed) {}
  uint64_t next() {
    uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) from the top 53 bits.
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  uint64_t m_state;
};

}  // namespace systole::dram
