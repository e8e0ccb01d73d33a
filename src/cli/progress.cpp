#include "cli/progress.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace systole::cli {

std::string clock_text(double s) {
  if (s < 60.0) return fmt::format("{:.1f} s", std::max(0.0, s));
  const auto total = static_cast<int64_t>(std::llround(s));
  if (total >= 3600) return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

namespace {

std::string cycles_text(int64_t c) {
  if (c >= 1000000000) return fmt::format("{:.2f} Gcycles", static_cast<double>(c) / 1e9);
  if (c >= 1000000) return fmt::format("{:.2f} Mcycles", static_cast<double>(c) / 1e6);
  if (c >= 1000) return fmt::format("{:.1f} kcycles", static_cast<double>(c) / 1e3);
  return fmt::format("{} cycles", c);
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::ostream& out, bool terminal, double interval_s, const Program& program)
    : m_out(out),
      m_terminal(terminal),
      m_interval_s(terminal ? 0.2 : interval_s),
      m_program(program),
      m_start(std::chrono::steady_clock::now()) {}

std::string ProgressDisplay::line(uint32_t layer, const Program& program, int64_t cycle, double fraction,
                                  double elapsed_s) {
  const std::string name = layer < program.layers.size() ? program.layers[layer].name : "?";
  const std::string eta = fraction > 0.0 ? clock_text(elapsed_s * (1.0 - fraction) / fraction) : "?";
  return fmt::format("layer {}/{} {} | {} simulated | {:.0f}% of instructions | {} elapsed, ETA {}",
                     layer + 1, program.layers.size(), name, cycles_text(cycle), 100.0 * fraction,
                     clock_text(elapsed_s), eta);
}

void ProgressDisplay::on_retire(const Instruction& inst, const hw::InstructionRecord& record) {
  ++m_retired;
  // The wall clock is read every 64 retires: cheap next to simulating them.
  if (m_retired % 64 != 0) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  if (elapsed - m_last_print_s < m_interval_s) return;
  m_last_print_s = elapsed;
  const double fraction =
      m_program.instructions.empty() ? 1.0 : static_cast<double>(m_retired) / m_program.instructions.size();
  const std::string text = line(inst.layer, m_program, record.retire_cycle, fraction, elapsed);
  if (m_terminal) {
    m_out << "\r\033[K" << text << std::flush;  // redraw in place, erasing the previous line
    m_drawn = true;
  } else {
    m_out << "progress: " << text << "\n" << std::flush;
  }
}

void ProgressDisplay::finish() {
  if (m_terminal && m_drawn) m_out << "\r\033[K" << std::flush;
  m_drawn = false;
}

}  // namespace systole::cli
