// The traces of one `systole run`: one sink per format the run names (trace/trace_sink.h), all
// writing into the run's staging folder, observed together.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "systole/config/arch_spec.h"
#include "systole/energy/energy_table.h"
#include "systole/stats/run_observer.h"
#include "systole/trace/trace_options.h"
#include "systole/trace/trace_sink.h"

namespace systole::cli {

class RunTraces {
 public:
  // Makes the sinks of options.formats, writing into `dir` (an existing folder: the staging
  // folder); UserError when one cannot start (a file it cannot open, an array too large to dump).
  RunTraces(const trace::TraceOptions& options, const ArchSpec& arch, const Program& program,
            const energy::EnergyTable& table, const std::string& dir);

  hw::IRunObserver* observer() { return m_list.empty() ? nullptr : &m_list; }
  IArrayObserver* array_observer() { return m_array_observer; }
  // Completes every file (UserError naming it and the OS's reason when it cannot be written);
  // returns their names.
  std::vector<std::string> finish(const SimResult& result);

 private:
  std::vector<std::unique_ptr<trace::ITraceSink>> m_sinks;
  hw::RunObserverList m_list;
  IArrayObserver* m_array_observer = nullptr;
};

}  // namespace systole::cli
