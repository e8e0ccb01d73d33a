// How the cause rules (stats/attribution.h) name the cycles of one instruction's own time, and the
// timeline they build. Shared by the array's-view rule and the critical-path rule so that both name
// a MATMUL's busy interval, a VECTOR's work and a transfer's [issue, retire) the same way.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "systole/stats/attribution.h"

namespace systole::hw::detail {

// Consecutive pieces of one instruction's own time from `begin`: piece i covers [end of piece
// i - 1 (begin for i = 0), pieces[i].end); the ends are nondecreasing.
struct OwnTime {
  struct Piece {
    int64_t end = 0;
    CycleCause cause = CycleCause::kIdle;
  };
  int64_t begin = 0;
  std::array<Piece, 7> pieces{};
  size_t count = 0;

  int64_t end() const { return count == 0 ? begin : pieces[count - 1].end; }
};

// MATMUL: its busy interval [work_start, work_start + busy_cycles) laid out as preload | fill/drain |
// compute | spatial under-use | scratchpad port (array) | bank conflict.
OwnTime matmul_own_time(const InstructionRecord& r);
// VECTOR: its work [work_start, work_start + work_cycles), compute.
OwnTime vector_own_time(const InstructionRecord& r);
// LOAD / STORE: [issue, retire), named for the side that ends last (attribution.h, dma(t, ...)).
OwnTime transfer_own_time(const InstructionRecord& r);
// Any instruction: the above by opcode; a SYNC has none (empty at its issue), but a barrier SYNC
// (multi-core) has [issue, retire) of barrier wait.
OwnTime own_time(const Instruction& in, const InstructionRecord& r);

// Appends spans in time order, merging neighbours with the same cause; throws InternalError when a
// span does not start where the last ended.
class Timeline {
 public:
  void add(int64_t begin, int64_t end, CycleCause cause);
  // The pieces of `t` inside [lo, hi), in time order (cycles of [lo, hi) outside t are not added).
  void add_clipped(const OwnTime& t, int64_t lo, int64_t hi);
  int64_t end() const { return m_spans.empty() ? 0 : m_spans.back().end; }
  std::vector<CauseSpan> take() { return std::move(m_spans); }

 private:
  std::vector<CauseSpan> m_spans;
};

// Throws InternalError when the records and the program disagree in size or a record is
// inconsistent (attribution.h, cycle_causes()).
void check_records(const Program& program, const std::vector<InstructionRecord>& records);

}  // namespace systole::hw::detail
