// events.csv: one row per executed instruction, streamed as instructions retire: its unit, layer,
// cycles (issue, active interval, retire), MACs, bytes and dynamic energy (docs/tracing.md).
// Summed over a whole run (no window) the columns equal report.json's totals: macs, the byte
// columns, dma_bursts, and energy_pj = total.energy_dynamic_pj.
#pragma once

#include <fstream>
#include <string>

#include "systole/config/arch_spec.h"
#include "systole/energy/energy_table.h"
#include "systole/report/energy_report.h"
#include "systole/stats/run_observer.h"
#include "systole/trace/trace_options.h"

namespace systole::trace {

class EventsCsvWriter : public hw::IRunObserver {
 public:
  // Header line: id,layer,opcode,unit,issue_cycle,start_cycle,end_cycle,retire_cycle,macs,
  // sram_read_bytes,sram_write_bytes,dram_read_bytes,dram_write_bytes,dma_bursts,energy_pj
  // The column names; a multi-core run's rows end with the instruction's core (column `core`).
  static const char* header();

  EventsCsvWriter(const std::string& path, const ArchSpec& arch, const Program& program,
                  const energy::EnergyTable& table, const TraceOptions& options);
  void on_retire(const Instruction& inst, const hw::InstructionRecord& record) override;
  void on_dram_burst(int, int64_t, int64_t, bool) override {}
  bool wants_dram_bursts() const override { return false; }
  // Flushes and closes; UserError when the file could not be written.
  void finish();

 private:
  std::ofstream m_out;
  std::string m_path;
  const Program& m_program;
  const energy::EnergyTable& m_table;
  PricingContext m_pricing;
  std::vector<int> m_core_class;  // each core's class (config core_classes): how its actions are priced
  TraceOptions m_options;
  bool m_multi_core = false;
};

}  // namespace systole::trace
