// Every cycle to one cause: the rule of stats/attribution.h cycle_causes(), evaluated on intervals. The
// array's and the vector unit's intervals are sorted once; the cycles they leave uncovered ("gaps") are
// walked in time order against the compute instructions sorted by work start, so the cost is O(n log n) in
// the number of instructions and independent of the number of cycles.
#include <algorithm>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "cause_rules.h"
#include "systole/common/error.h"
#include "systole/stats/attribution.h"

namespace systole::hw {
namespace {

struct Segment {
  int64_t begin;
  int64_t end;
  CycleCause cause;
};

struct Interval {
  int64_t begin;
  int64_t end;
  uint32_t id;
  bool operator<(const Interval& o) const {
    return begin != o.begin ? begin < o.begin : (end != o.end ? end < o.end : id < o.id);
  }
};

// Sorted intervals of one in-order unit; throws when two overlap.
std::vector<Interval> sorted_disjoint(std::vector<Interval> v, const char* unit) {
  std::sort(v.begin(), v.end());
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i].begin < v[i - 1].end) {
      throw InternalError(
          fmt::format("attribution: instructions {} and {} occupy the {} at once ([{}, {}) and "
                      "[{}, {}))",
                      v[i - 1].id, v[i].id, unit, v[i - 1].begin, v[i - 1].end, v[i].begin, v[i].end));
    }
  }
  return v;
}

// Rules a and b: the cycles in which the array is occupied or the vector unit works, sorted and
// disjoint, clipped to [0, total).
std::vector<Segment> covered_segments(const Program& program, const std::vector<InstructionRecord>& records,
                                      int64_t total) {
  std::vector<Interval> array, vector;
  for (size_t i = 0; i < records.size(); ++i) {
    const InstructionRecord& r = records[i];
    const auto id = static_cast<uint32_t>(i);
    if (program.instructions[i].op == Opcode::kMatmul && r.busy_cycles > 0) {
      array.push_back({r.work_start_cycle, r.work_start_cycle + r.busy_cycles, id});
    } else if (program.instructions[i].op == Opcode::kVector && r.work_cycles > 0) {
      vector.push_back({r.work_start_cycle, r.work_start_cycle + r.work_cycles, id});
    }
  }
  array = sorted_disjoint(std::move(array), "array");
  vector = sorted_disjoint(std::move(vector), "vector unit");

  std::vector<Segment> out;
  auto add = [&](int64_t b, int64_t e, CycleCause c) {
    b = std::max<int64_t>(b, 0);
    e = std::min(e, total);
    if (b < e) out.push_back({b, e, c});
  };
  for (const Interval& a : array) {
    const detail::OwnTime own = detail::matmul_own_time(records[a.id]);
    int64_t from = own.begin;
    for (size_t k = 0; k < own.count; ++k) {
      add(from, own.pieces[k].end, own.pieces[k].cause);
      from = own.pieces[k].end;
    }
  }
  // Vector work minus the array's occupancy. Both families are disjoint and sorted, so the
  // overlapping pairs number at most |array| + |vector| and the walk is linear.
  size_t first = 0;
  for (const Interval& v : vector) {
    while (first < array.size() && array[first].end <= v.begin) ++first;
    int64_t cur = v.begin;
    for (size_t k = first; k < array.size() && array[k].begin < v.end; ++k) {
      add(cur, array[k].begin, CycleCause::kCompute);
      cur = std::max(cur, array[k].end);
    }
    add(cur, v.end, CycleCause::kCompute);
  }
  std::sort(out.begin(), out.end(), [](const Segment& x, const Segment& y) { return x.begin < y.begin; });
  return out;
}

// Rule c and dma(t, fallback), for the cycles no unit covers.
class GapAttributor {
 public:
  GapAttributor(const Program& program, const std::vector<InstructionRecord>& records,
                detail::Timeline& timeline)
      : m_program(program), m_records(records), m_timeline(timeline) {
    const auto& insts = program.instructions;
    for (size_t i = 0; i < insts.size(); ++i) {
      const InstructionRecord& r = records[i];
      const auto id = static_cast<uint32_t>(i);
      if (insts[i].op == Opcode::kMatmul || insts[i].op == Opcode::kVector) {
        m_compute.push_back({r.work_start_cycle, 0, id});
      } else if ((insts[i].op == Opcode::kLoad || insts[i].op == Opcode::kStore) &&
                 r.retire_cycle > r.issue_cycle) {
        m_transfers.push_back({r.issue_cycle, r.retire_cycle, id});
      }
    }
    // Ties in work start: stream order (Interval's order compares end (all 0) and then id).
    std::sort(m_compute.begin(), m_compute.end());
    m_transfers = sorted_disjoint(std::move(m_transfers), "DMA");
    // Critical dependency: the latest retire, ties the earliest in the stream; a SYNC with
    // dependencies is seen through. Dependencies point backwards (checked), so one pass suffices.
    m_critical.assign(insts.size(), kNone);
    for (size_t i = 0; i < insts.size(); ++i) {
      uint32_t best = kNone;
      for (uint32_t dep : insts[i].deps) {
        if (best == kNone || records[dep].retire_cycle > records[best].retire_cycle ||
            (records[dep].retire_cycle == records[best].retire_cycle && dep < best)) {
          best = dep;
        }
      }
      if (best != kNone && insts[best].op == Opcode::kSync && !is_barrier(best) && m_critical[best] != kNone)
        best = m_critical[best];
      m_critical[i] = best;
    }
    // The barrier behind each transfer. The DMA runs its descriptors one at a time in stream
    // order (hw/dma/dma.h), so a transfer starts after the later of its critical dependency and
    // the transfer before it in the stream. When that predecessor ends no earlier than the
    // dependency, the transfer waited in the queue and is held back by whatever held the
    // predecessor; else by its critical dependency: a barrier, or the barrier behind a transfer.
    m_barrier_behind.assign(insts.size(), kNone);
    uint32_t previous = kNone;  // the last LOAD / STORE before i in the stream
    for (size_t i = 0; i < insts.size(); ++i) {
      const bool transfer = insts[i].op == Opcode::kLoad || insts[i].op == Opcode::kStore;
      const uint32_t c = m_critical[i];
      if (transfer && previous != kNone &&
          (c == kNone || records[previous].retire_cycle >= records[c].retire_cycle)) {
        m_barrier_behind[i] = m_barrier_behind[previous];
      } else if (c != kNone && is_barrier(c)) {
        m_barrier_behind[i] = c;
      } else if (c != kNone && (insts[c].op == Opcode::kLoad || insts[c].op == Opcode::kStore)) {
        m_barrier_behind[i] = m_barrier_behind[c];
      }
      if (transfer) previous = static_cast<uint32_t>(i);
    }
  }

  // Attributes [begin, end); successive calls must move forward in time.
  void gap(int64_t begin, int64_t end) {
    while (begin < end) {
      while (m_next < m_compute.size() && m_compute[m_next].begin <= begin) ++m_next;
      if (m_next == m_compute.size()) {
        trailing(begin, end);
        return;
      }
      const int64_t piece_end = std::min(end, m_compute[m_next].begin);
      before_work(begin, piece_end, m_compute[m_next].id);
      begin = piece_end;
    }
  }

 private:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  // [begin, end) precedes the work of X and no compute instruction starts inside it.
  void before_work(int64_t begin, int64_t end, uint32_t x) {
    const int64_t waiting_end = std::clamp(m_records[x].issue_cycle, begin, end);
    waiting(begin, waiting_end, x);
    m_timeline.add(waiting_end, end, CycleCause::kDependency);  // issued, work not started
  }

  bool is_barrier(uint32_t i) const {
    const auto* s = std::get_if<SyncOp>(&m_program.instructions[i].payload);
    return s != nullptr && s->waits_for_cores();
  }

  // [begin, end) precedes X's issue: X waits on its critical dependency.
  void waiting(int64_t begin, int64_t waiting_end, uint32_t x) {
    waiting_on(begin, waiting_end, m_critical[x]);
  }

  // [begin, end) waits on instruction d (kNone: nothing). A barrier: its core's own work until
  // the core arrives (the barrier's critical dependency), then the other cores.
  void waiting_on(int64_t begin, int64_t waiting_end, uint32_t d) {
    if (begin >= waiting_end) return;
    if (d != kNone && is_barrier(d)) {
      const int64_t arrived = std::clamp(m_records[d].issue_cycle, begin, waiting_end);
      const int64_t released = std::clamp(m_records[d].retire_cycle, arrived, waiting_end);
      waiting_on(begin, arrived, m_critical[d]);
      m_timeline.add(arrived, released, CycleCause::kBarrier);
      m_timeline.add(released, waiting_end, CycleCause::kDependency);  // issue slack
      return;
    }
    const Opcode op = d == kNone ? Opcode::kSync : m_program.instructions[d].op;
    if (d != kNone && (op == Opcode::kLoad || op == Opcode::kStore)) {
      const int64_t transfer_end = std::clamp(m_records[d].retire_cycle, begin, waiting_end);
      // A transfer held back by a barrier (m_barrier_behind: its critical dependency, or queued
      // behind a transfer so held): the cycles no transfer fills while its core waits there are
      // barrier wait.
      const uint32_t b = m_barrier_behind[d];
      if (b != kNone && is_barrier(b))
        m_barrier_window = {m_records[b].issue_cycle, m_records[b].retire_cycle, b};
      dma(begin, transfer_end, CycleCause::kDependency);
      m_barrier_window = {0, 0, 0};
      m_timeline.add(transfer_end, waiting_end, CycleCause::kDependency);  // issue slack
    } else {
      m_timeline.add(begin, waiting_end, CycleCause::kDependency);
    }
  }

  // dma(t, fallback) over [begin, end): the cause of the transfer in flight, else `fallback`
  // (barrier wait inside m_barrier_window).
  void dma(int64_t begin, int64_t end, CycleCause fallback) {
    int64_t cur = begin;
    while (m_transfer < m_transfers.size() && m_transfers[m_transfer].end <= cur) ++m_transfer;
    for (size_t k = m_transfer; k < m_transfers.size() && m_transfers[k].begin < end; ++k) {
      const int64_t b = std::max(cur, m_transfers[k].begin);
      const int64_t e = std::min(end, m_transfers[k].end);
      add_fallback(cur, b, fallback);
      transfer(b, e, m_transfers[k].id);
      cur = e;
    }
    add_fallback(cur, end, fallback);
  }

  void add_fallback(int64_t begin, int64_t end, CycleCause fallback) {
    const int64_t wb = std::clamp(m_barrier_window.begin, begin, end);
    const int64_t we = std::clamp(m_barrier_window.end, wb, end);
    m_timeline.add(begin, wb, fallback);
    m_timeline.add(wb, we, CycleCause::kBarrier);
    m_timeline.add(we, end, fallback);
  }

  // [begin, end) inside the transfer `id`'s [issue, retire): scratchpad- or DRAM-bound.
  void transfer(int64_t begin, int64_t end, uint32_t id) {
    m_timeline.add_clipped(detail::transfer_own_time(m_records[id]), begin, end);
  }

  // No compute instruction starts after `begin`: the transfer in flight, else idle.
  void trailing(int64_t begin, int64_t end) { dma(begin, end, CycleCause::kIdle); }

  const Program& m_program;
  const std::vector<InstructionRecord>& m_records;
  detail::Timeline& m_timeline;
  std::vector<Interval> m_compute;    // begin = work start
  std::vector<Interval> m_transfers;  // LOAD / STORE [issue, retire), disjoint
  std::vector<uint32_t> m_critical;
  std::vector<uint32_t> m_barrier_behind;  // per instruction: the barrier holding it back, or kNone
  Interval m_barrier_window{0, 0, 0};      // [arrival, release) of the barrier a waited-on transfer waits on
  size_t m_next = 0;
  size_t m_transfer = 0;
};

}  // namespace

std::vector<CauseSpan> cycle_causes(const Program& program, const std::vector<InstructionRecord>& records,
                                    int64_t total_cycles) {
  detail::check_records(program, records);
  detail::Timeline timeline;
  GapAttributor gaps(program, records, timeline);
  int64_t cur = 0;
  for (const Segment& s : covered_segments(program, records, total_cycles)) {
    gaps.gap(cur, s.begin);
    timeline.add(s.begin, s.end, s.cause);
    cur = s.end;
  }
  gaps.gap(cur, total_cycles);
  return timeline.take();
}

std::vector<CycleBreakdown> breakdown_by_window(const std::vector<CauseSpan>& spans,
                                                const std::vector<int64_t>& bounds) {
  std::vector<CycleBreakdown> out(bounds.size());
  size_t first = 0;
  int64_t lo = 0;
  for (size_t w = 0; w < bounds.size(); ++w) {
    const int64_t hi = bounds[w];
    if (hi < lo) throw InternalError(fmt::format("attribution: window bound {} after {}", hi, lo));
    while (first < spans.size() && spans[first].end <= lo) ++first;
    for (size_t k = first; k < spans.size() && spans[k].begin < hi; ++k) {
      out[w][spans[k].cause] += std::min(hi, spans[k].end) - std::max(lo, spans[k].begin);
    }
    lo = hi;
  }
  return out;
}

}  // namespace systole::hw
