// Which traces a run writes and which part of the run they cover: `--trace
// perfetto,csv,vcd,dramsim3,ramulator2`,
// `--trace-window START:END` or the config's trace.formats / trace.window (docs/tracing.md).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "systole/compiler/program.h"

namespace systole::trace {

struct TraceOptions {
  bool perfetto = false;    // trace.json (Chrome / Perfetto trace-event format)
  bool csv = false;         // events.csv (one row per instruction)
  bool vcd = false;         // units.vcd (busy signals) and, in rtl fidelity, array.vcd
  bool dramsim3 = false;    // dram_requests.dramsim3.trace: every DRAM request, DRAMsim3's trace format
  bool ramulator2 = false;  // dram_requests.ramulator2.trace: the same, Ramulator 2's LoadStoreTrace
  // The window: instructions of layers [first_layer, last_layer] whose active interval overlaps
  // cycles [begin_cycle, end_cycle); counters of the windows overlapping those cycles.
  int64_t begin_cycle = 0;
  int64_t end_cycle = std::numeric_limits<int64_t>::max();
  uint32_t first_layer = 0;
  uint32_t last_layer = std::numeric_limits<uint32_t>::max();

  bool any() const { return perfetto || csv || vcd || dramsim3 || ramulator2; }
  // An interval [begin, end) of layer `layer` is written: layer in range and the interval
  // overlaps the cycle window (an empty interval counts when begin lies in the window).
  bool covers(uint32_t layer, int64_t begin, int64_t end) const;
};

// `formats`: "none" or a comma-separated list of perfetto, csv, vcd, dramsim3, ramulator2 (each at
// most once).
// `window`: "all"; "START:END" in cycles (END exclusive; either side may be empty: open); or
// "LAYER:LAYER" by layer name, inclusive (one name alone: that layer). Throws UserError naming
// `formats_origin` / `window_origin` (e.g. "--trace", "arch.yaml:12: trace.window"), the value
// and what was expected; an unknown layer name lists the program's first layers.
TraceOptions parse_trace_options(const std::string& formats, const std::string& window,
                                 const Program& program, const std::string& formats_origin,
                                 const std::string& window_origin);

}  // namespace systole::trace
