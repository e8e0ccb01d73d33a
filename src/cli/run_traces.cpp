#include "cli/run_traces.h"

#include <filesystem>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::cli {

RunTraces::RunTraces(const trace::TraceOptions& options, const ArchSpec& arch, const Program& program,
                     const energy::EnergyTable& table, const std::string& out_dir)
    : m_dir(out_dir) {
  if (!options.any()) return;
  if (options.vcd && arch.core.array.fidelity == ArrayFidelity::kRtl) {
    rtl::VcdWriter::check_array(arch.core.array.rows, arch.core.array.cols);
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw UserError(fmt::format("{}: cannot create output directory: {}", out_dir, ec.message()));
  if (options.perfetto) {
    m_perfetto =
        std::make_unique<trace::PerfettoWriter>(temporary("trace.json"), arch, program, table, options);
    m_list.add(m_perfetto.get());
  }
  if (options.csv) {
    m_csv = std::make_unique<trace::EventsCsvWriter>(temporary("events.csv"), arch, program, table, options);
    m_list.add(m_csv.get());
  }
  if (options.vcd) {
    m_units_vcd = std::make_unique<trace::UnitsVcdWriter>(temporary("units.vcd"), arch, options);
    m_list.add(m_units_vcd.get());
    if (arch.core.array.fidelity == ArrayFidelity::kRtl) {
      m_array_vcd = std::make_unique<rtl::VcdWriter>(temporary("array.vcd"), arch.core.cycle_ns());
    }
  }
}

std::string RunTraces::temporary(const std::string& name) {
  const std::string final_path = (std::filesystem::path(m_dir) / name).string();
  m_files.emplace_back(final_path + ".tmp", final_path);
  return m_files.back().first;
}

RunTraces::~RunTraces() {
  if (m_finished) return;
  m_perfetto.reset();
  m_csv.reset();
  m_array_vcd.reset();
  std::error_code ec;
  for (const auto& [tmp, final_path] : m_files) std::filesystem::remove(tmp, ec);
}

std::vector<std::string> RunTraces::finish(const SimResult& result) {
  if (m_perfetto) m_perfetto->finish(result);
  if (m_csv) m_csv->finish();
  if (m_units_vcd) m_units_vcd->finish();
  m_array_vcd.reset();  // flushes and closes the file
  std::vector<std::string> written;
  for (const auto& [tmp, final_path] : m_files) {
    std::error_code ec;
    std::filesystem::rename(tmp, final_path, ec);
    if (ec) throw UserError(fmt::format("{}: cannot rename into place: {}", final_path, ec.message()));
    written.push_back(final_path);
  }
  m_finished = true;
  return written;
}

}  // namespace systole::cli
