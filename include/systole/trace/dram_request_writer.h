// Every DRAM request of a run in the trace format of another DRAM simulator, so that Systole's
// traffic can be replayed there (docs/tracing.md, "DRAM request traces"). One line per request
// (one DMA burst), in submission order:
//   kDramsim3:   "<hex address> READ|WRITE <cycle>"  (DRAMsim3's trace-driven CPU: it issues a
//                request once its clock reaches <cycle>). <cycle> counts command clocks (tCK) of
//                the run's DRAM preset with dram.kind cycle, else core cycles.
//   kRamulator2: "LD|ST <hex address>"  (Ramulator 2's LoadStoreTrace frontend: no times; it
//                sends each request as soon as the memory system accepts it).
// Requests outside the trace window (TraceOptions::covers on the LOAD / STORE's layer and the
// issue cycle) are left out. No header line: neither reader skips one.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include "systole/config/arch_spec.h"
#include "systole/stats/run_observer.h"
#include "systole/trace/trace_options.h"

namespace systole::trace {

enum class DramTraceFormat { kDramsim3, kRamulator2 };

class DramRequestWriter : public hw::IRunObserver {
 public:
  // Throws UserError when `path` cannot be opened.
  DramRequestWriter(const std::string& path, DramTraceFormat format, const ArchSpec& arch,
                    const TraceOptions& options);
  void on_retire(const Instruction&, const hw::InstructionRecord&) override {}
  void on_dram_burst(int, int64_t, int64_t, bool) override {}
  bool wants_dram_bursts() const override { return false; }
  void on_dram_request(const hw::DramRequestEvent& request) override;
  bool wants_dram_requests() const override { return true; }
  // Flushes and closes; UserError when the file could not be written.
  void finish();
  int64_t lines() const { return m_lines; }

 private:
  std::ofstream m_out;
  std::string m_path;
  DramTraceFormat m_format;
  double m_clock_ns;  // the period <cycle> counts (DRAMsim3)
  TraceOptions m_options;
  int64_t m_lines = 0;
};

}  // namespace systole::trace
