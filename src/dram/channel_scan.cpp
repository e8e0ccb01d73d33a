// ChannelController, part two: each bank's candidate command and the scan that picks the best
// one (channel_controller.h describes the model; channel_controller.cpp holds the queue, the plan
// and command issue).
#include "systole/dram/channel_controller.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "systole/dram/scheduler.h"

namespace systole::dram {

// The oldest hit and the oldest miss of one bank list against the bank's open row, by a full
// walk: after the bank's row changed (ACT, PRE, PREA, auto-precharge).
void ChannelController::find_hit_miss(int dir, int flat) {
  BankQueue& q = m_bq[dir][static_cast<size_t>(flat)];
  const int64_t open = m_timing.bank(flat).open_row;
  q.hit = -1;
  q.miss = -1;
  if (open < 0) {  // precharged: every request misses (rows are >= 0)
    q.miss = q.head;
    return;
  }
  for (int32_t i = q.head; i >= 0 && (q.hit < 0 || q.miss < 0); i = m_pool[static_cast<size_t>(i)].next) {
    if (m_pool[static_cast<size_t>(i)].row == open) {
      if (q.hit < 0) q.hit = i;
    } else if (q.miss < 0) {
      q.miss = i;
    }
  }
}

// The bank's row changed: its hit/miss in both directions, and both candidate rows.
void ChannelController::row_changed(int flat) {
  find_hit_miss(0, flat);
  find_hit_miss(1, flat);
  invalidate_bank(flat);
}

// The bank's Candidates row from its (up to date) hit and miss.
void ChannelController::refresh_candidates(int dir, int flat) {
  const auto f = static_cast<size_t>(flat);
  BankQueue& q = m_bq[dir][f];
  const BankTiming& b = m_timing.bank(flat);
  q.dirty = false;
  Candidates& c = m_cand[dir];
  const auto bank_key = [&](uint64_t cls, int32_t slot) {
    return cls << (kSeqBits + m_bank_bits) | m_pool[static_cast<size_t>(slot)].seq << m_bank_bits | f;
  };
  BankCandidates in;
  in.hit = q.hit;
  in.miss = q.miss;
  if (q.hit >= 0 && q.miss >= 0) {  // the ages matter only when there is a choice
    in.hit_seq = m_pool[static_cast<size_t>(q.hit)].seq;
    in.miss_seq = m_pool[static_cast<size_t>(q.miss)].seq;
  }
  in.row_hits = m_row_hits[f];
  const SchedulerPick pick = m_scheduler->pick(in);
  const auto cls = static_cast<uint64_t>(pick.cls);
  if (pick.slot >= 0 && pick.slot == q.hit) {  // RD / WR
    c.time[f] = dir == 1 ? b.next_wr : b.next_rd;
    c.floor[f] = m_bank_rg[f];
    c.key[f] = bank_key(cls, q.hit);
  } else if (pick.slot >= 0 && (b.open_row < 0 || m_reserved[f] < 0)) {
    // A miss: ACT when precharged, PRE when another row is open, unless that row was activated for
    // a request not yet served (reserved; only its own or other hits may use the bank meanwhile).
    const bool closed = b.open_row < 0;
    c.time[f] = closed ? b.next_act : b.next_pre;
    c.floor[f] = closed ? static_cast<int32_t>(m_rg_count) + m_bank_rg[f]
                        : static_cast<int32_t>(2 * m_rg_count) + m_bank_rank[f];
    c.key[f] = bank_key(cls, pick.slot);
  } else {
    c.time[f] = kNever;
    c.floor[f] = 0;
    c.key[f] = 0;
  }
}

// The request and command of bank `flat`'s candidate, whose key carries `age` (class and seq):
// RD / WR when the scheduler picked the bank's oldest hit, else the miss's ACT (precharged bank)
// or PRE (another row open). Decided by the request, not the class: a policy may give a hit the
// normal class (fcfs).
std::pair<int32_t, Command> ChannelController::candidate_command(int dir, int flat, int64_t age,
                                                                 bool write) const {
  const BankQueue& q = m_bq[dir][static_cast<size_t>(flat)];
  const auto seq = static_cast<uint64_t>(age) & ((uint64_t{1} << kSeqBits) - 1);
  if (q.hit >= 0 && m_pool[static_cast<size_t>(q.hit)].seq == seq)
    return {q.hit, write ? Command::kWr : Command::kRd};
  return {q.miss, m_timing.bank(flat).open_row < 0 ? Command::kAct : Command::kPre};
}

// The best candidate by exact comparison (cycle, key): for the rare scan whose best lies beyond
// the packed range of scan_requests, or that has no candidate. Returns the bank, or -1.
int ChannelController::exact_best(int dir, int64_t t0, int64_t* time, uint64_t* key) const {
  const Candidates& c = m_cand[dir];
  int best = -1;
  *time = kNever;
  *key = ~uint64_t{0};
  for (size_t b = 0; b < c.time.size(); ++b) {
    const int64_t t = std::max({t0, m_floor[static_cast<size_t>(c.floor[b])], c.time[b]});
    if (t < kNever && (t < *time || (t == *time && c.key[b] < *key))) {
      *time = t;
      *key = c.key[b];
      best = static_cast<int>(b);
    }
  }
  return best;
}

// FR-FCFS over the current direction: the minimum of (cycle, class, age) over the banks'
// candidates (unique: ages are distinct), so the order of the loop does not matter. The loop
// packs (cycle - t0, key) into one integer per bank and takes the minimum; a cycle further than
// the packed range from t0 (or no candidate at all) is resolved by exact_best().
void ChannelController::scan_requests(int64_t t0) {
  const bool w = m_plan_write;
  const int dir = w ? 1 : 0;
  for (int32_t flat : m_dirty[dir]) refresh_candidates(dir, flat);
  m_dirty[dir].clear();
  int64_t* floor = m_floor.data();
  m_timing.floors(t0, w, floor + m_rg_count, floor);
  const auto groups = static_cast<size_t>(m_device.org.bank_groups);
  for (size_t r = 0; r < m_refresh_due.size(); ++r) {
    const bool due = m_refresh_due[r] <= t0;
    floor[2 * m_rg_count + r] = due ? kNever : t0;
    if (!due) continue;
    for (size_t g = 0; g < groups; ++g) {  // refresh due: no request command to this rank
      floor[r * groups + g] = kNever;
      floor[m_rg_count + r * groups + g] = kNever;
    }
  }
  const Candidates& c = m_cand[dir];
  const int64_t* time = c.time.data();
  const int32_t* fl = c.floor.data();
  const uint64_t* key = c.key.data();
  const size_t n = c.time.size();
  const int shift = kSeqBits + 1 + m_bank_bits;
  const auto cap = static_cast<int64_t>((uint64_t{1} << (64 - shift)) - 1);
  uint64_t best0 = ~uint64_t{0}, best1 = ~uint64_t{0};  // two chains for the pipeline
  size_t b = 0;
  for (; b + 1 < n; b += 2) {
    const int64_t d0 = std::min(std::max(floor[fl[b]], time[b]) - t0, cap);
    const int64_t d1 = std::min(std::max(floor[fl[b + 1]], time[b + 1]) - t0, cap);
    best0 = std::min(best0, static_cast<uint64_t>(d0) << shift | key[b]);
    best1 = std::min(best1, static_cast<uint64_t>(d1) << shift | key[b + 1]);
  }
  if (b < n) {
    const int64_t d0 = std::min(std::max(floor[fl[b]], time[b]) - t0, cap);
    best0 = std::min(best0, static_cast<uint64_t>(d0) << shift | key[b]);
  }
  const uint64_t best = std::min(best0, best1);
  int64_t bt = 0;
  uint64_t bk = 0;
  int flat = -1;
  if (static_cast<int64_t>(best >> shift) < cap) {
    bt = t0 + static_cast<int64_t>(best >> shift);
    bk = best & ((uint64_t{1} << shift) - 1);
    flat = static_cast<int>(bk & ((uint64_t{1} << m_bank_bits) - 1));
  } else {
    flat = exact_best(dir, t0, &bt, &bk);
  }
  if (flat >= 0) {
    const int cls = static_cast<int>(bk >> (kSeqBits + m_bank_bits));
    const auto age = static_cast<int64_t>(bk >> m_bank_bits);  // class and seq: orders like (class, seq)
    if (better(bt, cls, age, m_best.time, m_best.cls, m_best.key)) {
      const auto [slot, cmd] = candidate_command(dir, flat, age, w);
      m_best = Choice{bt, cls, age, slot, cmd, m_bank_rank[static_cast<size_t>(flat)], false};
    }
  }
  if (m_reserved_count[1 - dir] > 0) scan_reserved(1 - dir, t0);
  m_best.final = m_best.time == t0 && m_best.cls <= 0;
}

// The column commands of requests of direction `dir` (the one not being served) whose rows were
// activated for them: each competes with the scan's best at its exact ready cycle
// (ChannelTiming::ready_rd / ready_wr), with class m_reserved_cls and key (class, seq) like the
// scanned candidates. None goes to a rank whose refresh is due.
void ChannelController::scan_reserved(int dir, int64_t t0) {
  for (size_t f = 0; f < m_reserved.size(); ++f) {
    const int32_t slot = m_reserved[f];
    if (slot < 0) continue;
    const Entry& e = m_pool[static_cast<size_t>(slot)];
    if ((e.is_write ? 1 : 0) != dir || m_refresh_due[static_cast<size_t>(e.rank)] <= t0) continue;
    const int64_t ready =
        e.is_write ? m_timing.ready_wr(e.rank, e.group, e.flat) : m_timing.ready_rd(e.rank, e.group, e.flat);
    const int64_t t = std::max(t0, ready);
    const auto age = static_cast<int64_t>(static_cast<uint64_t>(m_reserved_cls) << kSeqBits | e.seq);
    if (better(t, m_reserved_cls, age, m_best.time, m_best.cls, m_best.key)) {
      m_best = Choice{t, m_reserved_cls, age, slot, e.is_write ? Command::kWr : Command::kRd, e.rank, false};
    }
  }
}

// Keeps seq below 2^kSeqBits: the queued entries are renumbered 0, 1, ... in admission order.
void ChannelController::renumber() {
  std::vector<std::pair<uint64_t, int32_t>> order;
  for (int d = 0; d < 2; ++d) {
    for (size_t f = 0; f < m_bq[d].size(); ++f) {
      for (int32_t i = m_bq[d][f].head; i >= 0; i = m_pool[static_cast<size_t>(i)].next)
        order.emplace_back(m_pool[static_cast<size_t>(i)].seq, i);
      invalidate_bank(static_cast<int>(f));
    }
  }
  std::sort(order.begin(), order.end());
  m_renumbered = true;  // m_best.key is of the old numbering
  m_seq = 0;
  for (const auto& [seq, slot] : order) m_pool[static_cast<size_t>(slot)].seq = m_seq++;
}

}  // namespace systole::dram
