#include "systole/trace/dram_request_writer.h"

#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/trace/trace_sink.h"

namespace systole::trace {

DramRequestWriter::DramRequestWriter(const std::string& path, DramTraceFormat format, const ArchSpec& arch,
                                     const TraceOptions& options)
    : m_out(path, std::ios::binary | std::ios::trunc),
      m_path(path),
      m_format(format),
      m_clock_ns(arch.dram.device_model() ? arch.dram.device.timing.tck_ps / 1000.0 : arch.core.cycle_ns()),
      m_options(options) {
  if (!m_out)
    throw UserError(fmt::format("{}: cannot write the DRAM request trace: {}", path, std::strerror(errno)));
}

void DramRequestWriter::on_dram_request(const hw::DramRequestEvent& r) {
  if (!m_options.covers(r.layer, r.issue_cycle, r.issue_cycle)) return;
  if (m_format == DramTraceFormat::kDramsim3) {
    // floor, with a nanosecond-scale tolerance so that an issue exactly on a clock edge is that edge.
    const auto cycle = static_cast<int64_t>(std::floor(r.issue_ns / m_clock_ns + 1e-9));
    m_out << fmt::format("{:#x} {} {}\n", r.address, r.write ? "WRITE" : "READ", cycle);
  } else {
    m_out << fmt::format("{} {:#x}\n", r.write ? "ST" : "LD", r.address);
  }
  ++m_lines;
}

void DramRequestWriter::finish() {
  m_out.close();
  if (!m_out)
    throw UserError(
        fmt::format("{}: writing the DRAM request trace failed: {}", m_path, std::strerror(errno)));
}

namespace {

TraceSinkRegistry::Factory dram_request_sink(const char* file, DramTraceFormat format) {
  return [file, format](const TraceSinkContext& c) -> std::unique_ptr<ITraceSink> {
    return std::make_unique<WriterSink<DramRequestWriter>>(
        std::make_unique<DramRequestWriter>(c.path(file), format, c.arch, c.options),
        std::vector<std::string>{file}, [](DramRequestWriter& w, const SimResult&) { w.finish(); });
  };
}

}  // namespace

void register_trace_sink_dramsim3(TraceSinkRegistry& registry) {
  registry.add("dramsim3", {"dram_requests.dramsim3.trace"},
               dram_request_sink("dram_requests.dramsim3.trace", DramTraceFormat::kDramsim3));
}

void register_trace_sink_ramulator2(TraceSinkRegistry& registry) {
  registry.add("ramulator2", {"dram_requests.ramulator2.trace"},
               dram_request_sink("dram_requests.ramulator2.trace", DramTraceFormat::kRamulator2));
}

}  // namespace systole::trace
