// The DMA's streaming shortcut (docs/performance.md "DRAM streaming"). A DMA descriptor is a
// stream of equal bursts (all of burst_bytes, but the last of each row, which holds the rest of
// the row) that the DMA issues through a window of `window` outstanding requests: burst i at
// max(start, the completion of burst i - window). A DRAM model whose completions come in
// submission order (the known-timing `simple` model) can serve the whole stream in one call, in
// plain integer time, instead of one submit() and one next_completion() per burst.
//
// Contract: stream() leaves the model exactly as the per-request path would have (the same
// completion times, counters and state, the read-latency sum accumulated in the same order), and
// returns what the DMA needs of the completions. It requires that nothing is outstanding. The
// equality is tested burst for burst on random streams (tests/unit/hw/dram_stream_test.cpp) and
// on whole runs (tests/integration/dram_stream_run_test.cpp).
#pragma once

#include <cstdint>

#include <systemc>

namespace systole::hw {

struct DramStream {
  sc_core::sc_time start;  // when the descriptor's first bursts issue
  uint64_t bursts = 0;
  uint64_t window = 1;   // outstanding requests at most, <= bursts
  uint64_t per_row = 1;  // bursts per row
  uint64_t burst_bytes = 64;
  uint64_t row_bytes = 0;  // > 0; the last burst of a row is row_bytes - (per_row - 1) x burst_bytes
  bool write = false;
};

struct DramStreamResult {
  sc_core::sc_time first_done, last_done;  // of the first and the last burst
  sc_core::sc_time round_trips;            // the sum over bursts of completion - issue
};

class IDramStreamPort {
 public:
  virtual ~IDramStreamPort() = default;
  virtual void stream(const DramStream& s, DramStreamResult* out) = 0;
};

}  // namespace systole::hw
