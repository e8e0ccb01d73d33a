#include "systole/trace/units_vcd_writer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/rtl/vcd_writer.h"
#include "systole/trace/trace_sink.h"

namespace systole::trace {
namespace {

// Core c's DMA, array and vector busy signals and its array layer are VCD identifiers 4c .. 4c + 3
// (core 0: ! " # $).
std::string busy_id(uint32_t core, int unit) {
  return rtl::vcd_id(4 * static_cast<size_t>(core) + static_cast<size_t>(unit));  // 0 DMA, 1 array, 2 vector
}
std::string layer_id(uint32_t core) {
  return rtl::vcd_id(4 * static_cast<size_t>(core) + 3);
}

std::string binary(uint32_t v) {
  std::string s;
  for (int b = 15; b >= 0; --b) s += ((v >> b) & 1U) ? '1' : '0';
  const auto first = s.find('1');
  return first == std::string::npos ? "0" : s.substr(first);
}

}  // namespace

UnitsVcdWriter::UnitsVcdWriter(const std::string& path, const ArchSpec& arch, const TraceOptions& options)
    : m_path(path),
      m_cycle_ps(arch.core.cycle_ns() * 1000.0),
      m_cores(arch.cores.count),
      m_options(options) {}

void UnitsVcdWriter::on_retire(const Instruction& inst, const hw::InstructionRecord& r) {
  uint8_t unit = 0;
  switch (inst.op) {
    case Opcode::kLoad:
    case Opcode::kStore:
      unit = 0;
      break;
    case Opcode::kMatmul:
      unit = 1;
      break;
    case Opcode::kVector:
      unit = 2;
      break;
    case Opcode::kSync:
      return;
  }
  const hw::ActiveInterval span = hw::active_interval(inst.op, r);
  if (span.end <= span.begin || !m_options.covers(inst.layer, span.begin, span.end)) return;
  m_intervals.push_back({span.begin, span.end, inst.layer, static_cast<uint16_t>(inst.core), unit});
}

void UnitsVcdWriter::finish() {
  std::ofstream out(m_path, std::ios::binary | std::ios::trunc);
  if (!out) throw UserError(fmt::format("{}: cannot write the VCD: {}", m_path, std::strerror(errno)));
  out << "$version systole units.vcd $end\n$timescale 1ps $end\n";
  for (uint32_t c = 0; c < static_cast<uint32_t>(m_cores); ++c) {
    out << "$scope module core" << c << " $end\n"
        << "$var wire 1 " << busy_id(c, 0) << " dma_busy $end\n"
        << "$var wire 1 " << busy_id(c, 1) << " array_busy $end\n"
        << "$var wire 1 " << busy_id(c, 2) << " vector_busy $end\n"
        << "$var wire 16 " << layer_id(c) << " array_layer $end\n"
        << "$upscope $end\n";
  }
  out << "$enddefinitions $end\n#0\n$dumpvars\n";
  for (uint32_t c = 0; c < static_cast<uint32_t>(m_cores); ++c) {
    out << "0" << busy_id(c, 0) << "\n0" << busy_id(c, 1) << "\n0" << busy_id(c, 2) << "\nb0 " << layer_id(c)
        << "\n";
  }
  out << "$end\n";
  // Changes: (cycle, order, text); at one cycle a unit's falling edge comes before a rising one,
  // so back-to-back instructions keep it busy.
  struct Change {
    int64_t cycle;
    int order;
    std::string text;
  };
  std::vector<Change> changes;
  changes.reserve(m_intervals.size() * 3);
  for (const Interval& i : m_intervals) {
    changes.push_back({i.end, 0, "0" + busy_id(i.core, i.unit)});
    changes.push_back({i.begin, 1, "1" + busy_id(i.core, i.unit)});
    if (i.unit == 1) changes.push_back({i.begin, 2, "b" + binary(i.layer) + " " + layer_id(i.core)});
  }
  std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    return a.cycle != b.cycle ? a.cycle < b.cycle : a.order < b.order;
  });
  int64_t last_ps = 0;  // "#0" is written above
  for (const Change& c : changes) {
    const auto ps = static_cast<int64_t>(std::llround(static_cast<double>(c.cycle) * m_cycle_ps));
    if (ps != last_ps) {
      out << '#' << ps << '\n';
      last_ps = ps;
    }
    out << c.text << '\n';
  }
  out.close();
  if (!out) throw UserError(fmt::format("{}: writing the VCD failed: {}", m_path, std::strerror(errno)));
}

namespace {

// The vcd format: units.vcd always; in rtl fidelity also array.vcd, every PE register per cycle
// (arrays up to 16x16: rtl::VcdWriter::check_array, checked before the run).
class VcdSink : public ITraceSink {
 public:
  explicit VcdSink(const TraceSinkContext& c)
      : m_units(c.path("units.vcd"), c.arch, c.options), m_array_path(c.path("array.vcd")) {
    if (c.arch.core.array.fidelity != ArrayFidelity::kRtl) return;
    // The register VCD shows core 0's array (hw/core/npu_top.h: the array observer is core 0's).
    rtl::VcdWriter::check_array(c.arch.core_of(0).array.rows, c.arch.core_of(0).array.cols);
    // The stream is ours so that a failed write (a full disk) is seen when the run finishes.
    m_array_file = std::make_unique<std::ofstream>(m_array_path, std::ios::binary | std::ios::trunc);
    if (!*m_array_file) {
      throw UserError(
          fmt::format("{}: cannot write the register VCD: {}", m_array_path, std::strerror(errno)));
    }
    m_array = std::make_unique<rtl::VcdWriter>(*m_array_file, c.arch.core.cycle_ns());
  }
  ~VcdSink() override { m_array.reset(); }  // the writer goes before its stream
  void on_retire(const Instruction& inst, const hw::InstructionRecord& record) override {
    m_units.on_retire(inst, record);
  }
  void on_dram_burst(int, int64_t, int64_t, bool) override {}
  bool wants_dram_bursts() const override { return false; }
  IArrayObserver* array_observer() override { return m_array.get(); }
  std::vector<std::string> finish(const SimResult&) override {
    m_units.finish();
    if (!m_array_file) return {"units.vcd"};
    m_array.reset();
    m_array_file->close();
    if (!*m_array_file) {
      throw UserError(
          fmt::format("{}: writing the register VCD failed: {}", m_array_path, std::strerror(errno)));
    }
    return {"units.vcd", "array.vcd"};
  }

 private:
  UnitsVcdWriter m_units;
  std::string m_array_path;
  std::unique_ptr<std::ofstream> m_array_file;
  std::unique_ptr<rtl::VcdWriter> m_array;
};

}  // namespace

void register_trace_sink_vcd(TraceSinkRegistry& registry) {
  registry.add(
      "vcd", {"units.vcd", "array.vcd"},
      [](const TraceSinkContext& c) -> std::unique_ptr<ITraceSink> { return std::make_unique<VcdSink>(c); });
}

}  // namespace systole::trace
