#include "cli/run_traces.h"

namespace systole::cli {

RunTraces::RunTraces(const trace::TraceOptions& options, const ArchSpec& arch, const Program& program,
                     const energy::EnergyTable& table, const std::string& dir) {
  const trace::TraceSinkContext context{arch, program, table, options, dir};
  for (const std::string& format : options.formats) {
    m_sinks.push_back(trace::trace_sinks().make(format, context));
    m_list.add(m_sinks.back().get());
    if (m_array_observer == nullptr) m_array_observer = m_sinks.back()->array_observer();
  }
}

std::vector<std::string> RunTraces::finish(const SimResult& result) {
  std::vector<std::string> names;
  for (const auto& sink : m_sinks) {
    for (std::string& name : sink->finish(result)) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace systole::cli
