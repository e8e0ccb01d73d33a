#include "systole/array/bank_conflicts.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/int_math.h"

namespace systole::hw {
namespace {

bool power_of_two(int64_t v) {
  return v > 0 && (v & (v - 1)) == 0;
}

int log2_exact(int64_t v) {
  int s = 0;
  while ((int64_t{1} << s) < v) ++s;
  return s;
}

int64_t conflicts_of(int64_t max_words, int64_t ports) {
  return max_words > 0 ? ceil_div(max_words, ports) - 1 : 0;
}

// min over o in [lo, banks) of (o xor d), o and d below banks (a power of two). Built bit by bit
// from the top while o's prefix equals lo's: where d's bit is 1 and lo's 0, o takes 1 and is
// already above lo, so the rest of o copies d (xor 0); where they are equal, o copies them (xor
// 0); where d's bit is 0 and lo's 1, o must take 1 (xor 1). Ending tight means o == lo.
int64_t min_xor_at_least(int64_t lo, int64_t d, int64_t banks) {
  int64_t v = 0;
  for (int64_t bit = banks >> 1; bit > 0; bit >>= 1) {
    const bool db = (d & bit) != 0, lb = (lo & bit) != 0;
    if (db && !lb) break;
    if (!db && lb) v |= bit;
  }
  return v;
}

}  // namespace

void BankGeometry::check() const {
  if (!power_of_two(banks) || !power_of_two(width_bytes) || ports < 1) {
    throw InternalError(
        fmt::format("scratchpad banking: {} banks of {} B with {} ports (banks and width must be "
                    "powers of two, ports >= 1)",
                    banks, width_bytes, ports));
  }
}

int64_t BankGeometry::bank_of_word(int64_t word) const {
  const int64_t mask = banks - 1;
  if (mapping == BankMapping::kInterleaved) return word & mask;
  return (word ^ (word >> log2_exact(banks))) & mask;
}

int64_t BankGeometry::period_bytes() const {
  return (mapping == BankMapping::kInterleaved ? banks : banks * banks) * width_bytes;
}

// Interleaved: contiguous words visit the banks round-robin, so a bank gets ceil(words / banks).
// Xor: write word x as (row r = x / banks, offset o = x mod banks); its bank is o xor (r mod
// banks), a bijection within a row. The words span rows r0..r1: each full row in between gives
// every bank exactly one word; the first row covers offsets [o0, banks) and the last [0, o1], so a
// bank gets (r1 - r0 - 1) + [its offset in r0 >= o0] + [its offset in r1 <= o1], and the maximum is
// (r1 - r0 - 1) + 1 + [some bank is in both partial rows], i.e. whether min over o >= o0 of
// (o xor d) <= o1 with d = (r0 xor r1) mod banks.
int64_t max_words_per_bank(const BankGeometry& g, int64_t word0, int64_t words) {
  if (words <= 0) return 0;
  if (g.mapping == BankMapping::kInterleaved) return ceil_div(words, g.banks);
  const int64_t last = word0 + words - 1;
  const int64_t r0 = floor_div(word0, g.banks), r1 = floor_div(last, g.banks);
  if (r0 == r1) return 1;
  const int64_t o0 = word0 - r0 * g.banks, o1 = last - r1 * g.banks;
  const int64_t d = (r0 ^ r1) & (g.banks - 1);
  return (r1 - r0 - 1) + 1 + (min_xor_at_least(o0, d, g.banks) <= o1 ? 1 : 0);
}

AccessCost transfer_cost(const BankGeometry& g, int64_t addr, int64_t bytes, int64_t port_bytes) {
  AccessCost c;
  if (bytes <= 0) return c;
  const int64_t w = g.width_bytes;
  if (g.mapping == BankMapping::kInterleaved && port_bytes % w == 0) {
    // Every beat starts at the same offset addr mod w within its first word.
    const int64_t off = ((addr % w) + w) % w;
    auto beat = [&](int64_t len, int64_t n) {
      const int64_t words = (off + len - 1) / w + 1;
      c.accesses += words * n;
      c.conflict_cycles += conflicts_of(ceil_div(words, g.banks), g.ports) * n;
    };
    if (bytes / port_bytes > 0) beat(port_bytes, bytes / port_bytes);
    if (bytes % port_bytes > 0) beat(bytes % port_bytes, 1);
    return c;
  }
  for (int64_t s = addr; s < addr + bytes; s += port_bytes) {
    const int64_t e = std::min(addr + bytes, s + port_bytes);
    const int64_t w0 = floor_div(s, w), words = floor_div(e - 1, w) - w0 + 1;
    c.accesses += words;
    c.conflict_cycles += conflicts_of(max_words_per_bank(g, w0, words), g.ports);
  }
  return c;
}

VectorBankCounter::VectorBankCounter(const BankGeometry& g, int64_t port_bytes)
    : m_g(g), m_port_bytes(port_bytes) {
  g.check();
  if (port_bytes < 0)
    throw InternalError(fmt::format("bank counter: a port of {} bytes per cycle", port_bytes));
  m_width_shift = log2_exact(g.width_bytes);
  m_bank_shift = log2_exact(g.banks);
  m_count.assign(static_cast<size_t>(g.banks), 0);
}

AccessCost VectorBankCounter::group_cost(int64_t base, const int64_t* offsets, size_t n, int64_t elem_bytes) {
  m_words.clear();
  bool sorted = true;  // operand vectors usually run in ascending addresses: no sort needed
  int64_t read = 0;    // elements read
  for (size_t i = 0; i < n; ++i) {
    if (offsets[i] == kPadding) continue;
    ++read;
    const int64_t a = base + offsets[i];
    const int64_t first = a >> m_width_shift, last = (a + elem_bytes - 1) >> m_width_shift;
    for (int64_t x = first; x <= last; ++x) {
      if (!m_words.empty() && x <= m_words.back()) {
        if (x == m_words.back()) continue;  // same word as the previous element
        sorted = false;
      }
      m_words.push_back(x);
    }
  }
  if (m_words.empty()) return {};
  if (!sorted) {
    std::sort(m_words.begin(), m_words.end());
    m_words.erase(std::unique(m_words.begin(), m_words.end()), m_words.end());
  }
  const int64_t mask = m_g.banks - 1;
  const bool xor_map = m_g.mapping == BankMapping::kXor;
  int32_t most = 0;
  for (int64_t x : m_words) {
    const auto b = static_cast<size_t>((xor_map ? x ^ (x >> m_bank_shift) : x) & mask);
    most = std::max(most, ++m_count[b]);
  }
  for (int64_t x : m_words) m_count[static_cast<size_t>((xor_map ? x ^ (x >> m_bank_shift) : x) & mask)] = 0;
  const int64_t bank_cycles = ceil_div(most, m_g.ports);
  const int64_t port_cycles =
      m_port_bytes > 0 ? std::max<int64_t>(1, ceil_div(read * elem_bytes, m_port_bytes)) : 1;
  return {static_cast<int64_t>(m_words.size()), std::max<int64_t>(0, bank_cycles - port_cycles)};
}

AccessCost VectorBankCounter::progression_cost(int64_t base0, int64_t delta, int64_t count,
                                               const std::vector<int64_t>& offsets, int64_t elem_bytes) {
  AccessCost total;
  if (count <= 0) return total;
  const int64_t period = m_g.period_bytes();
  const int64_t step = ((delta % period) + period) % period;
  const int64_t cycle = step == 0 ? 1 : period / std::gcd(step, period);
  const int64_t distinct = std::min(count, cycle);
  for (int64_t q = 0; q < distinct; ++q) {
    const int64_t weight = (count - 1 - q) / cycle + 1;
    total += group_cost(base0 + q * delta, offsets.data(), offsets.size(), elem_bytes).times(weight);
  }
  return total;
}

}  // namespace systole::hw
