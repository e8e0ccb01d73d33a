#include "cli/run_traces.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::cli {

RunTraces::RunTraces(const trace::TraceOptions& options, const ArchSpec& arch, const Program& program,
                     const energy::EnergyTable& table, const std::string& dir)
    : m_dir(dir) {
  if (!options.any()) return;
  if (options.vcd && arch.core.array.fidelity == ArrayFidelity::kRtl) {
    rtl::VcdWriter::check_array(arch.core.array.rows, arch.core.array.cols);
  }
  if (options.perfetto) {
    m_perfetto = std::make_unique<trace::PerfettoWriter>(path("trace.json"), arch, program, table, options);
    m_list.add(m_perfetto.get());
  }
  if (options.csv) {
    m_csv = std::make_unique<trace::EventsCsvWriter>(path("events.csv"), arch, program, table, options);
    m_list.add(m_csv.get());
  }
  if (options.dramsim3) {
    m_dramsim3 = std::make_unique<trace::DramRequestWriter>(path("dram_requests.dramsim3.trace"),
                                                            trace::DramTraceFormat::kDramsim3, arch, options);
    m_list.add(m_dramsim3.get());
  }
  if (options.ramulator2) {
    m_ramulator2 = std::make_unique<trace::DramRequestWriter>(
        path("dram_requests.ramulator2.trace"), trace::DramTraceFormat::kRamulator2, arch, options);
    m_list.add(m_ramulator2.get());
  }
  if (options.vcd) {
    m_units_vcd = std::make_unique<trace::UnitsVcdWriter>(path("units.vcd"), arch, options);
    m_list.add(m_units_vcd.get());
    if (arch.core.array.fidelity == ArrayFidelity::kRtl) {
      // The stream is ours so that a failed write (a full disk) is seen when the run finishes.
      const std::string file = path("array.vcd");
      m_array_vcd_file = std::make_unique<std::ofstream>(file, std::ios::binary | std::ios::trunc);
      if (!*m_array_vcd_file) {
        throw UserError(fmt::format("{}: cannot write the register VCD: {}", file, std::strerror(errno)));
      }
      m_array_vcd = std::make_unique<rtl::VcdWriter>(*m_array_vcd_file, arch.core.cycle_ns());
    }
  }
}

std::string RunTraces::path(const std::string& name) {
  m_names.push_back(name);
  return (std::filesystem::path(m_dir) / name).string();
}

// The files themselves go with the staging folder; the writers go before their stream.
RunTraces::~RunTraces() {
  m_array_vcd.reset();
}

std::vector<std::string> RunTraces::finish(const SimResult& result) {
  if (m_perfetto) m_perfetto->finish(result);
  if (m_csv) m_csv->finish();
  if (m_units_vcd) m_units_vcd->finish();
  if (m_dramsim3) m_dramsim3->finish();
  if (m_ramulator2) m_ramulator2->finish();
  if (m_array_vcd_file) {
    m_array_vcd.reset();
    m_array_vcd_file->close();
    if (!*m_array_vcd_file) {
      throw UserError(fmt::format("{}: writing the register VCD failed: {}",
                                  (std::filesystem::path(m_dir) / "array.vcd").string(),
                                  std::strerror(errno)));
    }
  }
  return m_names;
}

}  // namespace systole::cli
