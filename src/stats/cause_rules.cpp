#include "cause_rules.h"

#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::hw::detail {
namespace {

void push(OwnTime& t, int64_t end, CycleCause cause) {
  t.pieces[t.count++] = {std::max(end, t.end()), cause};
}

void check_record(const Instruction& inst, const InstructionRecord& r) {
  auto fail = [&](const char* what) {
    throw InternalError(fmt::format(
        "attribution: instruction {} ({}): {} (issue {}, retire {}, work {}+{}, busy {}, fill/drain {}, "
        "preload {}, under-use {}, spm stall {}, bank conflict {}, spm conflict {})",
        inst.id, to_string(inst.op), what, r.issue_cycle, r.retire_cycle, r.work_start_cycle, r.work_cycles,
        r.busy_cycles, r.fill_drain_cycles, r.preload_cycles, r.underuse_cycles, r.spm_stall_cycles,
        r.bank_conflict_cycles, r.spm_conflict_cycles));
  };
  if (r.issue_cycle < 0) fail("never issued");
  if (r.retire_cycle < r.issue_cycle) fail("retires before it issues");
  for (uint32_t dep : inst.deps) {
    if (dep >= inst.id) fail("depends on an instruction that is not earlier in the stream");
  }
  if (r.work_cycles < 0 || r.busy_cycles < 0 || r.fill_drain_cycles < 0 || r.preload_cycles < 0 ||
      r.underuse_cycles < 0 || r.spm_stall_cycles < 0 || r.bank_conflict_cycles < 0 ||
      r.spm_conflict_cycles < 0 || r.window_bound_cycles < 0 || r.peak_bound_cycles < 0) {
    fail("negative cycle count");
  }
  if (inst.op == Opcode::kMatmul) {
    if (r.fill_drain_cycles > r.work_cycles) fail("fill/drain exceeds the work");
    if (r.preload_cycles > r.fill_drain_cycles) fail("preload exceeds the fill/drain");
    if (r.underuse_cycles > r.work_cycles - r.fill_drain_cycles) fail("under-use exceeds the streaming");
    if (r.busy_cycles != r.work_cycles + r.spm_stall_cycles + r.bank_conflict_cycles) {
      fail("busy cycles differ from work + scratchpad stalls + bank conflicts");
    }
  }
}

}  // namespace

OwnTime matmul_own_time(const InstructionRecord& r) {
  OwnTime t;
  t.begin = r.work_start_cycle;
  const int64_t b = r.work_start_cycle;
  push(t, b + r.preload_cycles, CycleCause::kPreload);
  push(t, b + r.fill_drain_cycles, CycleCause::kFillDrain);
  push(t, b + r.work_cycles - r.underuse_cycles, CycleCause::kCompute);
  push(t, b + r.work_cycles, CycleCause::kSpatialUnderuse);
  push(t, b + r.work_cycles + r.spm_stall_cycles, CycleCause::kSpmArrayPort);
  push(t, b + r.busy_cycles, CycleCause::kBankConflict);
  return t;
}

OwnTime vector_own_time(const InstructionRecord& r) {
  OwnTime t;
  t.begin = r.work_start_cycle;
  push(t, r.work_start_cycle + r.work_cycles, CycleCause::kCompute);
  return t;
}

OwnTime transfer_own_time(const InstructionRecord& r) {
  OwnTime t;
  t.begin = r.issue_cycle;
  if (r.spm_end_cycle > std::max<int64_t>(-1, r.dram_end_cycle)) {  // scratchpad-bound
    const int64_t conflicts = std::min(r.spm_conflict_cycles, r.retire_cycle - r.issue_cycle);
    push(t, r.retire_cycle - conflicts, CycleCause::kSpmDmaPort);
    push(t, r.retire_cycle, CycleCause::kBankConflict);
    return t;
  }
  const int64_t s =
      r.dram_start_cycle < 0 ? r.issue_cycle : std::clamp(r.dram_start_cycle, r.issue_cycle, r.retire_cycle);
  const int64_t f = r.first_data_cycle < 0 ? s : std::clamp(r.first_data_cycle, s, r.retire_cycle);
  push(t, s, CycleCause::kSpmDmaPort);  // an indexed LOAD's index read
  push(t, std::min(f, s + std::max<int64_t>(0, r.noc_latency_cycles)), CycleCause::kNoc);
  push(t, f, CycleCause::kDramLatency);
  push(t, std::min(r.retire_cycle, f + std::max<int64_t>(0, r.noc_stream_cycles)), CycleCause::kNoc);
  push(t, r.retire_cycle,
       r.window_bound_cycles > r.peak_bound_cycles ? CycleCause::kDmaIssue : CycleCause::kDramBandwidth);
  return t;
}

OwnTime own_time(const Instruction& in, const InstructionRecord& r) {
  switch (in.op) {
    case Opcode::kMatmul:
      return matmul_own_time(r);
    case Opcode::kVector:
      return vector_own_time(r);
    case Opcode::kLoad:
    case Opcode::kStore:
      return transfer_own_time(r);
    case Opcode::kSync:
      break;
  }
  OwnTime t;
  t.begin = r.issue_cycle;
  if (const auto* s = std::get_if<SyncOp>(&in.payload); s != nullptr && s->waits_for_cores())
    push(t, std::max(r.issue_cycle, r.retire_cycle), CycleCause::kBarrier);
  return t;
}

void Timeline::add(int64_t begin, int64_t end, CycleCause cause) {
  if (begin >= end) return;
  if (!m_spans.empty() && m_spans.back().end != begin) {
    throw InternalError(
        fmt::format("attribution: cycle {} follows cycle {} in the timeline", begin, m_spans.back().end));
  }
  if (!m_spans.empty() && m_spans.back().cause == cause) {
    m_spans.back().end = end;
  } else {
    m_spans.push_back({begin, end, cause});
  }
}

void Timeline::add_clipped(const OwnTime& t, int64_t lo, int64_t hi) {
  int64_t from = t.begin;
  for (size_t i = 0; i < t.count; ++i) {
    add(std::max(from, lo), std::min(t.pieces[i].end, hi), t.pieces[i].cause);
    from = t.pieces[i].end;
  }
}

void check_records(const Program& program, const std::vector<InstructionRecord>& records) {
  if (records.size() != program.instructions.size()) {
    throw InternalError(fmt::format("attribution: {} records for {} instructions", records.size(),
                                    program.instructions.size()));
  }
  for (size_t i = 0; i < records.size(); ++i) check_record(program.instructions[i], records[i]);
}

}  // namespace systole::hw::detail
