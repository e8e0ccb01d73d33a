// The progress display of `systole run` on stderr: layer k of n, simulated cycles, elapsed wall
// time and an estimate of the time left. On a terminal one line is redrawn in place (at most five
// times a second); otherwise a plain line is printed every `interval_s` seconds, so logs stay
// readable. An observer (stats/run_observer.h): it never changes the simulation.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "systole/compiler/program.h"
#include "systole/stats/run_observer.h"

namespace systole::cli {

// A wall time for a progress line: "12.3 s" under a minute, else "m:ss" or "h:mm:ss".
std::string clock_text(double seconds);

class ProgressDisplay : public hw::IRunObserver {
 public:
  ProgressDisplay(std::ostream& out, bool terminal, double interval_s, const Program& program);
  void on_retire(const Instruction& inst, const hw::InstructionRecord& record) override;
  void on_dram_burst(int, int64_t, int64_t, bool) override {}
  bool wants_dram_bursts() const override { return false; }
  // Clears the redrawn line (terminal) so the summary, or an error, starts on a clean line. Safe
  // to call more than once.
  void finish();

  // "layer 12/122 conv2 | 1.23 Mcycles | 45% | 0:03 elapsed, ETA 0:04" (the text of one update).
  static std::string line(uint32_t layer, const Program& program, int64_t cycle, double fraction,
                          double elapsed_s);

 private:
  std::ostream& m_out;
  bool m_terminal;
  double m_interval_s;
  const Program& m_program;
  std::chrono::steady_clock::time_point m_start;
  double m_last_print_s = 0.0;
  uint64_t m_retired = 0;
  bool m_drawn = false;
};

}  // namespace systole::cli
