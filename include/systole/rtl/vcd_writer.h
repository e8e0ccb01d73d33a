// Value change dump of the register-level array: every PE's operand, stationary and partial-sum
// registers and valid bits (the signals of the tile's dataflow, array/array_observer.h), one value per
// clock cycle, in the IEEE 1364 VCD format that GTKWave opens. Scopes: array.pe_<r>_<c>.
// Times: $timescale 1 ps; the registers written at the end of cycle x are dumped at
// (start + x + 1) * clock period, the reset values of a tile at start * period.
// Only arrays up to kMaxDim x kMaxDim are dumped (the file grows with R * C per cycle).
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "systole/array/array_observer.h"

namespace systole::rtl {

// The VCD identifier code of signal n: a base-94 string over the printable characters '!'..'~'
// (0 -> "!", 1 -> "\"", ..., 94 -> "!\"").
std::string vcd_id(size_t n);

class VcdWriter final : public IArrayObserver {
 public:
  static constexpr int64_t kMaxDim = 16;

  // Throws UserError naming the limit when rows or cols exceed kMaxDim (so a caller can refuse
  // before simulating anything).
  static void check_array(int64_t rows, int64_t cols);

  // Writes to `out` (kept by reference) / to a file it creates (UserError if it cannot).
  VcdWriter(std::ostream& out, double clock_period_ns);
  VcdWriter(const std::string& path, double clock_period_ns);

  // The core clock cycle at which the next tile starts (default: where the previous one ended).
  // Must not go backwards.
  void set_start_cycle(int64_t cycle) override;

  void begin(const ArrayStateView& state) override;
  void on_cycle(int64_t cycle, const ArrayStateView& state) override;
  void end(int64_t simulated_cycles) override;

 private:
  struct Var {
    std::string id;
    size_t signal = 0;  // index in the current tile's signals(); npos when it has no such signal
    int64_t r = 0, c = 0;
    SignalKind kind = SignalKind::kInteger;
    int width = 1;
    std::string last;  // last dumped value text, "" before the first dump
  };
  void write_header(const ArrayStateView& state);
  void dump(int64_t cycle_time, const ArrayStateView& state, bool all);
  std::string format(const Var& v, const ArrayStateView& state) const;

  std::unique_ptr<std::ofstream> m_file;
  std::ostream* m_out;
  double m_period_ps;
  bool m_header = false;
  int64_t m_rows = 0, m_cols = 0;
  std::vector<std::string> m_names;  // signal names declared in the header
  std::vector<Var> m_vars;
  int64_t m_start = 0, m_next_start = 0, m_last_time = -1;
};

}  // namespace systole::rtl
