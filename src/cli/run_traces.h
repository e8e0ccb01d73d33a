// The traces of one `systole run` (docs/tracing.md): builds the writers the options ask for and
// hands the simulation one observer for all of them. The files stream into the run's staging
// folder (docs/output-safety.md), which is installed whole once the run has succeeded and removed
// if it failed, so no half-written trace is ever left behind.
#pragma once

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "systole/config/arch_spec.h"
#include "systole/energy/energy_table.h"
#include "systole/hw/run_observer.h"
#include "systole/rtl/vcd_writer.h"
#include "systole/trace/dram_request_writer.h"
#include "systole/trace/events_csv_writer.h"
#include "systole/trace/perfetto_writer.h"
#include "systole/trace/trace_options.h"
#include "systole/trace/units_vcd_writer.h"

namespace systole::cli {

class RunTraces {
 public:
  // Writes into `dir` (an existing folder: the staging folder). With options.vcd in rtl fidelity
  // the register VCD array.vcd is written too (arrays up to 16x16: rtl::VcdWriter::check_array).
  RunTraces(const trace::TraceOptions& options, const ArchSpec& arch, const Program& program,
            const energy::EnergyTable& table, const std::string& dir);
  ~RunTraces();

  hw::IRunObserver* observer() { return m_list.empty() ? nullptr : &m_list; }
  rtl::IArrayObserver* array_observer() { return m_array_vcd.get(); }
  // Completes every file (UserError naming it and the OS's reason when it cannot be written);
  // returns their names.
  std::vector<std::string> finish(const SimResult& result);

 private:
  std::string path(const std::string& name);

  std::unique_ptr<trace::PerfettoWriter> m_perfetto;
  std::unique_ptr<trace::EventsCsvWriter> m_csv;
  std::unique_ptr<trace::UnitsVcdWriter> m_units_vcd;
  std::unique_ptr<trace::DramRequestWriter> m_dramsim3, m_ramulator2;
  std::unique_ptr<std::ofstream> m_array_vcd_file;
  std::unique_ptr<rtl::VcdWriter> m_array_vcd;
  hw::RunObserverList m_list;
  std::string m_dir;
  std::vector<std::string> m_names;
};

}  // namespace systole::cli
