// Every cycle to one cause along the run's critical path (stats/attribution.h critical_path_causes()): one
// pass over the stream finds each instruction's predecessor, one walk back from the last retire
// collects the path, and each instruction on it names the cycles from its predecessor's retire to
// its own. O(instructions + dependencies); the number of cycles does not matter.
#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "cause_rules.h"
#include "systole/common/error.h"
#include "systole/stats/attribution.h"

namespace systole::hw {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// The in-order units of the controller (hw/core/controller.h): each runs its queue in stream order.
int unit_of(Opcode op) {
  switch (op) {
    case Opcode::kLoad:
    case Opcode::kStore:
      return 0;
    case Opcode::kMatmul:
      return 1;
    case Opcode::kVector:
      return 2;
    case Opcode::kSync:
      break;
  }
  return 3;
}

}  // namespace

std::vector<uint32_t> critical_path(const Program& program, const std::vector<InstructionRecord>& records) {
  detail::check_records(program, records);
  const auto& insts = program.instructions;
  std::vector<uint32_t> pred(insts.size(), kNone);
  uint32_t last_on_unit[4] = {kNone, kNone, kNone, kNone};
  // The instruction whose retire the run ends with: the latest retire, ties the latest in the
  // stream (an earlier one cannot have waited for a later one).
  uint32_t last = kNone;
  auto retires_later = [&](uint32_t a, uint32_t b) {  // a beats b: later retire, ties the earlier id
    return b == kNone || records[a].retire_cycle > records[b].retire_cycle ||
           (records[a].retire_cycle == records[b].retire_cycle && a < b);
  };
  for (size_t i = 0; i < insts.size(); ++i) {
    const auto id = static_cast<uint32_t>(i);
    const int unit = unit_of(insts[i].op);
    uint32_t best = last_on_unit[unit];
    for (uint32_t dep : insts[i].deps) {
      if (retires_later(dep, best)) best = dep;
    }
    if (best != kNone && records[best].retire_cycle > records[i].issue_cycle) {
      throw InternalError(fmt::format(
          "attribution: instruction {} ({}) issues at cycle {} before instruction {} it waits for retires "
          "at {}",
          id, to_string(insts[i].op), records[i].issue_cycle, best, records[best].retire_cycle));
    }
    pred[i] = best;
    last_on_unit[unit] = id;
    if (last == kNone || records[i].retire_cycle >= records[last].retire_cycle) last = id;
  }
  std::vector<uint32_t> path;
  for (uint32_t x = last; x != kNone; x = pred[x]) path.push_back(x);
  std::reverse(path.begin(), path.end());
  return path;
}

std::vector<CauseSpan> critical_path_causes(const Program& program,
                                            const std::vector<InstructionRecord>& records,
                                            int64_t total_cycles) {
  const std::vector<uint32_t> path = critical_path(program, records);
  detail::Timeline timeline;
  int64_t lo = 0;  // the predecessor's retire
  for (size_t k = 0; k < path.size(); ++k) {
    const InstructionRecord& r = records[path[k]];
    const int64_t hi = std::clamp(r.retire_cycle, lo, total_cycles);
    const detail::OwnTime own = detail::own_time(program.instructions[path[k]], r);
    if (k == 0) timeline.add(lo, std::min(r.issue_cycle, hi), CycleCause::kIdle);  // before the first
    // Issue slack and issued-but-not-started, then the instruction's own time, then (a record whose
    // retire lies beyond its own time) the wait for its retire.
    timeline.add(timeline.end(), std::clamp(own.begin, timeline.end(), hi), CycleCause::kDependency);
    timeline.add_clipped(own, timeline.end(), hi);
    timeline.add(timeline.end(), hi, CycleCause::kDependency);
    lo = hi;
  }
  timeline.add(lo, total_cycles, CycleCause::kIdle);  // after the last retire
  return timeline.take();
}

}  // namespace systole::hw
