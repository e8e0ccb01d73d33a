#include "systole/rtl/vcd_writer.h"

#include <cmath>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::rtl {
namespace {

std::string binary(int64_t v, int width) {
  const auto u = static_cast<uint64_t>(v);
  int top = width - 1;
  if (v >= 0) {  // leading zeros may be left out: VCD extends with 0
    while (top > 0 && ((u >> top) & 1) == 0) --top;
  }
  std::string s = "b";
  for (int b = top; b >= 0; --b) s += ((u >> b) & 1) ? '1' : '0';
  return s;
}

}  // namespace

std::string vcd_id(size_t n) {
  std::string s;
  do {
    s += static_cast<char>('!' + n % 94);
    n /= 94;
  } while (n > 0);
  return s;
}

void VcdWriter::check_array(int64_t rows, int64_t cols) {
  if (rows > kMaxDim || cols > kMaxDim) {
    throw UserError(
        fmt::format("VCD trace of the PE array is limited to {}x{} PEs; this array is {}x{} "
                    "(use a smaller core.array.rows/cols or another trace)",
                    kMaxDim, kMaxDim, rows, cols));
  }
}

VcdWriter::VcdWriter(std::ostream& out, double clock_period_ns)
    : m_out(&out), m_period_ps(clock_period_ns * 1000.0) {}

VcdWriter::VcdWriter(const std::string& path, double clock_period_ns)
    : m_file(std::make_unique<std::ofstream>(path)),
      m_out(m_file.get()),
      m_period_ps(clock_period_ns * 1000.0) {
  if (!*m_file) throw UserError(fmt::format("cannot write VCD file '{}'", path));
}

void VcdWriter::set_start_cycle(int64_t cycle) {
  if (cycle < m_next_start) {
    throw InternalError(
        fmt::format("VCD: tile start cycle {} before the previous tile's end {}", cycle, m_next_start));
  }
  m_next_start = cycle;
}

void VcdWriter::write_header(const ArrayStateView& state) {
  m_rows = state.rows();
  m_cols = state.cols();
  std::ostream& o = *m_out;
  o << "$version Systole register-level PE array $end\n";
  o << fmt::format("$comment clock period {} ps; registers after cycle x at (x + 1) periods $end\n",
                   m_period_ps);
  o << "$timescale 1 ps $end\n$scope module array $end\n";
  for (const auto& s : state.signals()) m_names.push_back(s.name);
  size_t n = 0;
  for (int64_t r = 0; r < m_rows; ++r) {
    for (int64_t c = 0; c < m_cols; ++c) {
      o << fmt::format("$scope module pe_{}_{} $end\n", r, c);
      for (size_t s = 0; s < m_names.size(); ++s) {
        const SignalInfo& info = state.signals()[s];
        Var v;
        v.id = vcd_id(n++);
        v.r = r;
        v.c = c;
        v.kind = info.kind;
        v.width = info.kind == SignalKind::kBit ? 1 : info.width_bits;
        const char* type =
            info.kind == SignalKind::kReal ? "real" : (info.kind == SignalKind::kBit ? "wire" : "reg");
        o << fmt::format("$var {} {} {} {} $end\n", type, info.kind == SignalKind::kReal ? 64 : v.width, v.id,
                         info.name);
        m_vars.push_back(std::move(v));
      }
      o << "$upscope $end\n";
    }
  }
  o << "$upscope $end\n$enddefinitions $end\n";
  m_header = true;
}

void VcdWriter::begin(const ArrayStateView& state) {
  check_array(state.rows(), state.cols());
  if (!m_header) write_header(state);
  if (state.rows() != m_rows || state.cols() != m_cols) {
    throw InternalError("VCD: every tile of one trace must run on the same array");
  }
  // Map this tile's signals onto the declared ones by name (another dataflow may lack some).
  const auto& sig = state.signals();
  for (size_t i = 0; i < m_vars.size(); ++i) {
    const std::string& name = m_names[i % m_names.size()];
    m_vars[i].signal = std::string::npos;
    for (size_t s = 0; s < sig.size(); ++s) {
      if (sig[s].name == name) m_vars[i].signal = s;
    }
  }
  m_start = m_next_start;
  dump(m_start, state, m_last_time < 0);
}

void VcdWriter::on_cycle(int64_t cycle, const ArrayStateView& state) {
  dump(m_start + cycle + 1, state, false);
}

void VcdWriter::end(int64_t simulated_cycles) {
  m_next_start = m_start + simulated_cycles;
  m_out->flush();
}

std::string VcdWriter::format(const Var& v, const ArrayStateView& state) const {
  if (v.kind == SignalKind::kReal) return fmt::format("r{:.17g} ", state.real_value(v.signal, v.r, v.c));
  if (v.kind == SignalKind::kBit) return state.int_value(v.signal, v.r, v.c) != 0 ? "1" : "0";
  return binary(state.int_value(v.signal, v.r, v.c), v.width) + " ";
}

void VcdWriter::dump(int64_t cycle_time, const ArrayStateView& state, bool all) {
  const auto t = static_cast<int64_t>(std::llround(static_cast<double>(cycle_time) * m_period_ps));
  bool stamped = false;
  std::ostream& o = *m_out;
  if (all) o << "#" << t << "\n$dumpvars\n";
  for (auto& v : m_vars) {
    if (v.signal == std::string::npos) continue;
    std::string text = format(v, state);
    if (!all && text == v.last) continue;
    if (!all && !stamped) {
      if (t > m_last_time) o << "#" << t << "\n";
      stamped = true;
    }
    o << text << v.id << "\n";
    v.last = std::move(text);
  }
  if (all) o << "$end\n";
  m_last_time = std::max(m_last_time, t);
}

}  // namespace systole::rtl
