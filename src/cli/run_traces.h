// The traces of one `systole run` (docs/tracing.md): builds the writers the options ask for,
// hands the simulation one observer for all of them, and installs their files atomically: each
// streams to "<name>.tmp" in the output directory and is renamed once the run has succeeded, or
// removed if it failed, so no half-written trace is ever left behind.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "systole/config/arch_spec.h"
#include "systole/energy/energy_table.h"
#include "systole/hw/run_observer.h"
#include "systole/rtl/vcd_writer.h"
#include "systole/trace/events_csv_writer.h"
#include "systole/trace/perfetto_writer.h"
#include "systole/trace/trace_options.h"
#include "systole/trace/units_vcd_writer.h"

namespace systole::cli {

class RunTraces {
 public:
  // Creates `out_dir` when a trace is asked for. With options.vcd in rtl fidelity the register
  // VCD array.vcd is written too (arrays up to 16x16: rtl::VcdWriter::check_array).
  RunTraces(const trace::TraceOptions& options, const ArchSpec& arch, const Program& program,
            const energy::EnergyTable& table, const std::string& out_dir);
  ~RunTraces();  // removes the temporary files of a run that did not finish

  hw::IRunObserver* observer() { return m_list.empty() ? nullptr : &m_list; }
  rtl::IArrayObserver* array_observer() { return m_array_vcd.get(); }
  // Completes every file and renames it into place; returns the final paths.
  std::vector<std::string> finish(const SimResult& result);

 private:
  std::string temporary(const std::string& name);

  std::unique_ptr<trace::PerfettoWriter> m_perfetto;
  std::unique_ptr<trace::EventsCsvWriter> m_csv;
  std::unique_ptr<trace::UnitsVcdWriter> m_units_vcd;
  std::unique_ptr<rtl::VcdWriter> m_array_vcd;
  hw::RunObserverList m_list;
  std::string m_dir;
  std::vector<std::pair<std::string, std::string>> m_files;  // (temporary, final)
  bool m_finished = false;
};

}  // namespace systole::cli
