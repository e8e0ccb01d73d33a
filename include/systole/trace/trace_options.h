// Which traces a run writes and which part of the run they cover: `--trace
// perfetto,csv,vcd,dramsim3,ramulator2`,
// `--trace-window START:END` or the config's trace.formats / trace.window (docs/tracing.md).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "systole/compiler/program.h"

namespace systole::trace {

struct TraceOptions {
  // The trace formats to write, as named (trace/trace_sink.h registers them: perfetto, csv, vcd,
  // dramsim3, ramulator2), each once, in the order given.
  std::vector<std::string> formats;
  // The window: instructions of layers [first_layer, last_layer] whose active interval overlaps
  // cycles [begin_cycle, end_cycle); counters of the windows overlapping those cycles.
  int64_t begin_cycle = 0;
  int64_t end_cycle = std::numeric_limits<int64_t>::max();
  uint32_t first_layer = 0;
  uint32_t last_layer = std::numeric_limits<uint32_t>::max();

  bool any() const { return !formats.empty(); }
  bool has(const std::string& format) const;
  // An interval [begin, end) of layer `layer` is written: layer in range and the interval
  // overlaps the cycle window (an empty interval counts when begin lies in the window).
  bool covers(uint32_t layer, int64_t begin, int64_t end) const;
};

// `formats`: "none" or a comma-separated list of registered trace formats (each at most once; an
// unknown one lists them).
// `window`: "all"; "START:END" in cycles (END exclusive; either side may be empty: open); or
// "LAYER:LAYER" by layer name, inclusive (one name alone: that layer). Throws UserError naming
// `formats_origin` / `window_origin` (e.g. "--trace", "arch.yaml:12: trace.window"), the value
// and what was expected; an unknown layer name lists the program's first layers.
TraceOptions parse_trace_options(const std::string& formats, const std::string& window,
                                 const Program& program, const std::string& formats_origin,
                                 const std::string& window_origin);

}  // namespace systole::trace
