// Private to src/rtl: chains of registers that a value enters at one end and shifts along by one
// register per cycle (the PE rows' operand chains, including their skew FIFOs). Each is stored as
// a mirrored ring so that the registers of every age form one contiguous array: window(r)[a] is
// the value that entered line r a cycles ago (a < length), and a cycle costs O(1) per line
// instead of shifting every register.
#pragma once

#include <cstdint>
#include <vector>

namespace systole::rtl::detail {

// `rows` delay lines of one length that advance together (the operand chains of all PE rows,
// each padded to the longest): one head for all, so a cycle's push costs one store pair per row.
template <typename T>
class DelayBank {
 public:
  void reset(int64_t rows, int64_t length, T fill) {
    m_len = length;
    m_head = 0;
    m_buf.assign(static_cast<size_t>(rows * 2 * length), fill);
  }
  // Starts a cycle: every line shifts by one register; then push() fills each line's entry.
  void advance() { m_head = (m_head == 0 ? m_len : m_head) - 1; }
  void push(int64_t row, T v) {
    T* line = m_buf.data() + row * 2 * m_len;
    line[m_head] = v;
    line[m_head + m_len] = v;
  }
  const T* window(int64_t row) const { return m_buf.data() + row * 2 * m_len + m_head; }
  // window(row) == line(row) + head(): line() is fixed for the bank's life (until reset).
  const T* line(int64_t row) const { return m_buf.data() + row * 2 * m_len; }
  int64_t head() const { return m_head; }

 private:
  std::vector<T> m_buf;
  int64_t m_len = 0;
  int64_t m_head = 0;
};

}  // namespace systole::rtl::detail
