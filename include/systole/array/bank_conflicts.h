// Bank conflicts of a banked scratchpad (SystemC-free). A scratchpad is `banks` banks of
// `width_bytes`-byte words; byte address a lies in word a / width, and word x in bank
//   kInterleaved: x mod banks
//   kXor:         (x xor (x / banks)) mod banks   (config/arch_spec.h BankMapping)
// so the bank of an address is periodic in a with period period_bytes() = banks * width
// (interleaved) or banks^2 * width (xor). Each bank serves `ports` accesses (distinct words) per
// cycle. A group of accesses issued in one cycle (one port beat of a DMA transfer, one operand
// vector of the array) touching at most L distinct words of any one bank takes ceil(L / ports)
// cycles: conflict_cycles = ceil(L / ports) - 1. Several bytes or elements in one word are one
// access; an element wider than a word is one access per word it covers.
#pragma once

#include <cstdint>
#include <vector>

#include "systole/config/arch_spec.h"

namespace systole::hw {

struct BankGeometry {
  int64_t banks = 16;       // power of two
  int64_t width_bytes = 4;  // power of two
  int64_t ports = 1;        // accesses per bank per cycle
  BankMapping mapping = BankMapping::kInterleaved;

  // Throws InternalError unless banks and width are powers of two and ports >= 1.
  void check() const;
  int64_t bank_of_word(int64_t word) const;
  int64_t period_bytes() const;
};

// Word accesses and the conflict cycles they cost (summed over access groups).
struct AccessCost {
  int64_t accesses = 0;         // bank word accesses (each one word of one bank)
  int64_t conflict_cycles = 0;  // sum over groups of ceil(L / ports) - 1
  AccessCost& operator+=(const AccessCost& o) {
    accesses += o.accesses;
    conflict_cycles += o.conflict_cycles;
    return *this;
  }
  AccessCost times(int64_t n) const { return {accesses * n, conflict_cycles * n}; }
  bool operator==(const AccessCost& o) const {
    return accesses == o.accesses && conflict_cycles == o.conflict_cycles;
  }
};

// The most distinct words of one bank among the contiguous words [word0, word0 + words), O(1)
// (interleaved: ceil(words / banks); xor: see bank_conflicts.cpp) or O(log banks).
int64_t max_words_per_bank(const BankGeometry& g, int64_t word0, int64_t words);

// A DMA transfer of `bytes` contiguous bytes from byte address `addr` through a port of
// `port_bytes` per cycle: beat i moves bytes [addr + i * port_bytes, min(addr + (i + 1) *
// port_bytes, addr + bytes)), ceil(bytes / port_bytes) beats, one group each. Closed form when
// port_bytes is a multiple of the word width under interleaving (every full beat then touches the
// same number of words); otherwise O(beats).
AccessCost transfer_cost(const BankGeometry& g, int64_t addr, int64_t bytes, int64_t port_bytes);

// Cost of single access groups given as element byte addresses; reuses its scratch buffers.
// port_bytes > 0: the groups are an array's operand vectors through a port of that many bytes per
// cycle, whose bandwidth is charged elsewhere (the PE array's port stall), so a group's conflict
// cycles are only what its banks need beyond the port: with v bytes read (padding skipped),
//   conflicts = max(0, ceil(L / ports) - max(1, ceil(v / port_bytes))).
// A contiguous vector twice the port's width then costs the port's two cycles and no conflict.
// port_bytes == 0: ceil(L / ports) - 1.
class VectorBankCounter {
 public:
  static constexpr int64_t kPadding = INT64_MIN;  // an element that is not accessed (implicit zero)

  explicit VectorBankCounter(const BankGeometry& g, int64_t port_bytes = 0);
  const BankGeometry& geometry() const { return m_g; }
  int64_t port_bytes() const { return m_port_bytes; }
  // One group: elements of elem_bytes at base + offsets[i] (offsets[i] == kPadding: skipped).
  AccessCost group_cost(int64_t base, const int64_t* offsets, size_t n, int64_t elem_bytes);
  // Sum over v in [0, count) of group_cost(base0 + v * delta, offsets): the bank pattern depends
  // on the base only modulo period_bytes(), so only min(count, period / gcd(delta, period)) groups
  // are evaluated, each weighted by how many v share its residue.
  AccessCost progression_cost(int64_t base0, int64_t delta, int64_t count,
                              const std::vector<int64_t>& offsets, int64_t elem_bytes);

 private:
  BankGeometry m_g;
  int64_t m_port_bytes = 0;
  int m_width_shift = 0;
  int m_bank_shift = 0;
  std::vector<int64_t> m_words;
  std::vector<int32_t> m_count;
};

}  // namespace systole::hw
