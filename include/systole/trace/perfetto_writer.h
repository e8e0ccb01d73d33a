// trace.json: the run as Chrome trace-event JSON (opens in ui.perfetto.dev and chrome://tracing),
// streamed to disk as instructions retire (docs/tracing.md).
//
// Process 1 is the core, with one track (thread) per unit: controller (SYNCs), DMA, array, vector
// unit, per scratchpad one track per port (DMA side, array side; the vector unit's side of ofmap),
// and a track of the layers as report.json attributes time to them (written at the end). Every instruction is
// a complete ("X") slice on its unit's track and on the scratchpad ports it uses, with args (layer,
// instruction id, tile index within the layer and sizes, bytes, dataflow, double-buffer slots, dynamic
// energy). Process 2 is the DRAM: a bandwidth
// counter per channel. The core's counters (array utilisation, DRAM bandwidth, power per component) are
// written at the end, one sample per activity window. Timestamps ("ts", "dur") are microseconds of simulated
// time; displayTimeUnit is ns.
//
// Memory: the output is streamed; what is kept is one accumulator per DRAM channel and window.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "systole/config/arch_spec.h"
#include "systole/energy/energy_table.h"
#include "systole/report/energy_report.h"
#include "systole/stats/run_observer.h"
#include "systole/trace/trace_options.h"

namespace systole::trace {

class PerfettoWriter : public hw::IRunObserver {
 public:
  // NoC links with a track of their own: the busiest by flits, those that moved any.
  static constexpr size_t kMaxLinkTracks = 16;

  // Opens `path` for writing (UserError when it cannot) and writes the header and track names.
  // `arch`, `program`, `table` must outlive the writer.
  PerfettoWriter(const std::string& path, const ArchSpec& arch, const Program& program,
                 const energy::EnergyTable& table, const TraceOptions& options);

  void on_retire(const Instruction& inst, const hw::InstructionRecord& record) override;
  void on_dram_burst(int channel, int64_t done_cycle, int64_t bytes, bool write) override;

  // Writes the counter tracks from the run's activity windows (and, in a multi-core run, those of
  // its kMaxLinkTracks busiest NoC links) and closes the JSON; UserError when the file cannot be
  // written.
  void finish(const SimResult& result);

 private:
  void slice(int pid, int tid, const std::string& name, int64_t begin, int64_t end, const std::string& args);
  // A multi-core run's busiest links: a process "NoC" with a utilisation counter per link.
  void noc_links(const NocStats& noc);
  std::string ts(int64_t cycle) const;

  std::ofstream m_out;
  std::string m_path;
  const ArchSpec& m_arch;
  const Program& m_program;
  const energy::EnergyTable& m_table;
  PricingContext m_pricing;
  std::vector<int> m_core_class;  // each core's class (config core_classes): how its actions are priced
  TraceOptions m_options;
  double m_cycle_us = 0.001;
  int64_t m_window_cycles = 1;
  std::vector<int64_t> m_tiles_of_layer;  // MATMULs seen so far per layer: a tile's index
  // DRAM bytes by (channel, window index): read, write.
  std::map<std::pair<int, int64_t>, std::pair<int64_t, int64_t>> m_dram_bins;
  int m_channels = 1;
};

}  // namespace systole::trace
