// units.vcd: busy/idle signals of the DMA, the PE array and the vector unit, and the layer index
// of the array's current tile, for GTKWave or any VCD viewer (docs/tracing.md); one scope per core
// (core0, core1, ...). Time unit 1 ps of
// simulated time. Instructions retire out of start order across units, so the writer keeps each
// one's interval (24 bytes) and writes the file, sorted, at the end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/config/arch_spec.h"
#include "systole/stats/run_observer.h"
#include "systole/trace/trace_options.h"

namespace systole::trace {

class UnitsVcdWriter : public hw::IRunObserver {
 public:
  UnitsVcdWriter(const std::string& path, const ArchSpec& arch, const TraceOptions& options);
  void on_retire(const Instruction& inst, const hw::InstructionRecord& record) override;
  void on_dram_burst(int, int64_t, int64_t, bool) override {}
  bool wants_dram_bursts() const override { return false; }
  // Writes the file; UserError when it cannot be written.
  void finish();

 private:
  struct Interval {
    int64_t begin = 0, end = 0;
    uint32_t layer = 0;
    uint16_t core = 0;  // cores.count <= 256
    uint8_t unit = 0;   // 0 DMA, 1 array, 2 vector
  };
  std::string m_path;
  double m_cycle_ps = 1000.0;
  int64_t m_cores = 1;
  TraceOptions m_options;
  std::vector<Interval> m_intervals;
};

}  // namespace systole::trace
