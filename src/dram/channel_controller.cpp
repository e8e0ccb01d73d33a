#include "systole/dram/channel_controller.h"

#include <algorithm>
#include <string>

#include "systole/common/error.h"
#include "systole/dram/scheduler.h"

namespace systole::dram {

ChannelController::ChannelController(const DramDeviceSpec& device, const ControllerOptions& options,
                                     int channel, MemoryStats* stats,
                                     const std::vector<ICommandObserver*>* observers)
    : m_device(device),
      m_options(options),
      m_scheduler(dram_schedulers().make(to_string(options.scheduler), options)),
      m_channel(channel),
      m_stats(stats),
      m_observers(observers),
      m_timing(device),
      m_burst(device.burst_clocks()) {
  if (options.queue_depth < 1) throw InternalError("DRAM controller: queue_depth must be >= 1");
  if (options.row_hit_cap < 1) throw InternalError("DRAM controller: row_hit_cap must be >= 1");
  const auto depth = static_cast<size_t>(options.queue_depth);
  m_pool.resize(depth);
  for (size_t i = depth; i-- > 0;) m_free.push_back(static_cast<int32_t>(i));
  const int64_t ranks = device.org.ranks;
  const auto banks = static_cast<size_t>(ranks * device.org.banks());
  while ((size_t{1} << m_bank_bits) < banks) ++m_bank_bits;
  if (m_bank_bits > 19) throw InternalError("DRAM controller: more than 2^19 banks per channel");
  m_row_hits.assign(banks, 0);
  m_reserved.assign(banks, -1);
  BankCandidates lone_hit;
  lone_hit.hit = 0;
  m_reserved_cls = m_scheduler->pick(lone_hit).cls;
  for (int d = 0; d < 2; ++d) {
    m_bq[d].assign(banks, BankQueue{});
    Candidates& c = m_cand[d];
    c.time.assign(banks, kNever);
    c.floor.assign(banks, 0);
    c.key.assign(banks, 0);
    m_dirty[d].reserve(banks);
  }
  for (int64_t r = 0; r < ranks; ++r) {
    for (int64_t g = 0; g < device.org.bank_groups; ++g) {
      for (int64_t b = 0; b < device.org.banks_per_group; ++b) {
        m_bank_rg.push_back(static_cast<int32_t>(r * device.org.bank_groups + g));
        m_bank_rank.push_back(static_cast<int32_t>(r));
      }
    }
  }
  // Ranks refresh staggered over one interval: rank r first at tREFI * (r + 1) / ranks.
  for (int64_t r = 0; r < ranks; ++r) {
    m_refresh_due.push_back(options.refresh ? device.timing.refi * (r + 1) / ranks : kNever);
  }
  m_rg_count = static_cast<size_t>(ranks * device.org.bank_groups);
  m_floor.assign(2 * m_rg_count + static_cast<size_t>(ranks), 0);
}

namespace {

// A FIFO kept as a vector read from `head`: drops the consumed front once it is at least half the
// vector (amortised O(1) per element), so that under continuous traffic, when the FIFO never
// empties, its memory stays proportional to what is live rather than to the run's length.
template <typename T>
void compact_fifo(std::vector<T>& fifo, size_t& head) {
  if (head == 0) return;
  if (head == fifo.size()) {
    fifo.clear();
    head = 0;
  } else if (head >= 64 && 2 * head >= fifo.size()) {
    fifo.erase(fifo.begin(), fifo.begin() + static_cast<std::ptrdiff_t>(head));
    head = 0;
  }
}

}  // namespace

void ChannelController::enqueue(const Request& r, const Coordinates& at) {
  if (r.arrival < m_time) {
    throw InternalError("DRAM controller: request arrives at cycle " + std::to_string(r.arrival) +
                        ", before the channel's last event at cycle " + std::to_string(m_time));
  }
  compact_fifo(m_waiting, m_waiting_head);
  m_waiting.push_back({r, at});
  // A valid plan stays valid: the new request can only bring the next admission forward.
  if (m_plan.valid) finish_plan();
}

size_t ChannelController::outstanding() const {
  return (m_waiting.size() - m_waiting_head) + static_cast<size_t>(queued()) + (m_done.size() - m_done_head);
}

void ChannelController::set_seq_limit(uint64_t limit) {
  if (limit < static_cast<uint64_t>(m_options.queue_depth) + 1 || limit > uint64_t{1} << kSeqBits)
    throw InternalError("DRAM controller: seq limit must be in [queue_depth + 1, 2^24]");
  m_seq_limit = limit;
}

void ChannelController::pop_completion() {
  ++m_done_head;
  compact_fifo(m_done, m_done_head);
}

// Requests in flight at cycle t: queued, plus those whose column command issued and whose data
// burst has not ended by t (m_done is in done order: the data bus carries one burst at a time;
// a completion handed out has done <= every later decision cycle, so popping does not matter).
int64_t ChannelController::in_flight(int64_t t) const {
  int64_t on_bus = 0;
  for (size_t i = m_done.size(); i > m_done_head && m_done[i - 1].c.done > t; --i) ++on_bus;
  return queued() + on_bus;
}

// Write-drain watermarks for `in_flight` requests: fractions of the queue's effective size
// n = min(queue_depth, in_flight), high = max(1, n / 2), low = n / 4 (so low < high for n >= 1).
int64_t ChannelController::high_watermark(int64_t in_flight) const {
  return std::max<int64_t>(1, std::min(m_options.queue_depth, in_flight) / 2);
}
int64_t ChannelController::low_watermark(int64_t in_flight) const {
  return std::min(m_options.queue_depth, in_flight) / 4;
}

// The read/write drain (channel_controller.h): the direction at cycle t after `write_mode` before
// it, given the queue as it is.
// The watermarks grow with the count, which lies in [queued, queued + bursts], so the bursts are
// counted only when the queue alone cannot decide.
bool ChannelController::next_write_mode(bool write_mode, int64_t t) const {
  const int64_t reads = m_count[0];
  const int64_t writes = m_count[1];
  const int64_t q = queued();
  if (!write_mode) {
    if (writes == 0) return false;
    if (reads == 0 || writes >= high_watermark(m_options.queue_depth)) return true;
    return writes >= high_watermark(q) && writes >= high_watermark(in_flight(t));
  }
  if (writes == 0) return false;
  if (reads == 0 || writes > low_watermark(m_options.queue_depth)) return true;
  return !(writes <= low_watermark(q) || writes <= low_watermark(in_flight(t)));
}

// While reads are served, bursts that end lower the requests in flight and with them the high
// watermark, so queued writes can reach it with no other event: the first such burst end after t0
// (kNever if none). In write mode a lower count only lowers the low watermark: no switch back.
int64_t ChannelController::drain_due(int64_t t0) const {
  // Once every burst has ended the count is queued(): unless that reaches it, none does.
  if (m_plan_write || m_count[1] == 0 || m_count[1] < high_watermark(queued())) return kNever;
  size_t i = m_done.size();
  while (i > m_done_head && m_done[i - 1].c.done > t0) --i;
  for (; i < m_done.size(); ++i) {  // from done_i on, the bursts after i are still on the bus
    const auto on_bus = static_cast<int64_t>(m_done.size() - i - 1);
    if (m_count[1] >= high_watermark(queued() + on_bus)) return m_done[i].c.done;
  }
  return kNever;
}

void ChannelController::plan() {
  int64_t t0 = std::max(m_time, m_next_cmd);
  m_plan_write = next_write_mode(m_write_mode, t0);
  m_plan_t0 = t0;
  const int ranks = static_cast<int>(m_refresh_due.size());
  for (;;) {
    m_best = Choice{};
    m_scan_t0 = t0;
    m_next_due = kNever;
    for (int r = 0; r < ranks; ++r) {  // a rank whose refresh is due: PREA (if a bank is open), then REF
      if (m_refresh_due[static_cast<size_t>(r)] <= t0) {
        const bool open = m_timing.any_open(r);
        const int64_t t = std::max(t0, open ? m_timing.ready_prea(r) : m_timing.ready_ref(r));
        if (better(t, -1, r, m_best.time, m_best.cls, m_best.key)) {
          m_best = Choice{t, -1, r, -1, open ? Command::kPre : Command::kRef, r, t == t0};
        }
      } else {
        m_next_due = std::min(m_next_due, m_refresh_due[static_cast<size_t>(r)]);
      }
    }
    if (!m_best.final) scan_requests(t0);
    m_drain_due = drain_due(t0);
    const int64_t admit_at = (m_waiting_head < m_waiting.size() && queued() < m_options.queue_depth)
                                 ? std::max(m_waiting[m_waiting_head].r.arrival, m_time)
                                 : kNever;
    if (admit_at != kNever && admit_at <= m_best.time && admit_at <= m_next_due) break;
    if (m_drain_due <= m_best.time && m_drain_due <= m_next_due) break;  // the drain starts first
    if (m_next_due != kNever && m_next_due <= m_best.time) {
      t0 = m_next_due;  // that rank's refresh falls due first: plan again with it pending
      continue;
    }
    break;
  }
  finish_plan();
}

// After an admission at m_time nothing but the queue changed, so the last plan's choice still
// stands against the older requests and only the banks that received a request need a look: a
// new request becomes its bank's candidate only if the bank had none, or if it hits the row the
// bank's PRE candidate would close (the PRE is dropped). Exactly what a full plan() would find,
// or false when a full plan() is needed: the direction changes, a refresh falls due, the last
// plan looked beyond this cycle, or the dropped PRE was the choice.
bool ChannelController::try_incremental() {
  const int64_t t0 = std::max(m_time, m_next_cmd);
  const bool renumbered = m_renumbered;
  m_renumbered = false;
  if (renumbered || next_write_mode(m_write_mode, t0) != m_plan_write || m_next_due <= m_time ||
      m_scan_t0 > t0)
    return false;
  m_plan_t0 = t0;
  if (!m_best.final) {  // a final choice cannot be beaten by a younger request
    const int dir = m_plan_write ? 1 : 0;
    Candidates& c = m_cand[dir];
    for (int32_t flat : m_dirty[dir]) {  // only banks that received a request since the scan
      const auto f = static_cast<size_t>(flat);
      const uint64_t old_key = c.key[f];
      const bool was_candidate = c.time[f] != kNever;
      refresh_candidates(dir, flat);
      if (c.time[f] == kNever || (was_candidate && c.key[f] == old_key)) continue;
      if (was_candidate && m_best.slot >= 0 && m_best.cls >= 0 &&
          m_pool[static_cast<size_t>(m_best.slot)].flat == flat) {
        m_dirty[dir].clear();
        return false;  // the planned PRE gives way to the new hit
      }
      const int64_t t = std::max({t0, m_floor[static_cast<size_t>(c.floor[f])], c.time[f]});
      const int cls = static_cast<int>(c.key[f] >> (kSeqBits + m_bank_bits));
      const auto age = static_cast<int64_t>(c.key[f] >> m_bank_bits);
      if (t < kNever && better(t, cls, age, m_best.time, m_best.cls, m_best.key)) {
        const auto [slot, cmd] = candidate_command(dir, flat, age, m_plan_write);
        m_best = Choice{t, cls, age, slot, cmd, m_bank_rank[f], false};
      }
    }
    m_dirty[dir].clear();
  }
  if (m_next_due != kNever && m_next_due <= m_best.time) return false;
  m_drain_due = drain_due(t0);  // the admitted requests changed the count
  finish_plan();
  return true;
}

void ChannelController::finish_plan() {
  const int64_t admit_at = (m_waiting_head < m_waiting.size() && queued() < m_options.queue_depth)
                               ? std::max(m_waiting[m_waiting_head].r.arrival, m_time)
                               : kNever;
  m_plan.valid = true;
  if (admit_at != kNever && admit_at <= m_best.time && admit_at <= m_next_due && admit_at <= m_drain_due) {
    m_plan.kind = PlanKind::kAdmit;  // at the same cycle an admission comes before the drain check
    m_plan.time = admit_at;
  } else if (m_drain_due <= m_best.time) {
    m_plan.kind = PlanKind::kDrain;
    m_plan.time = m_drain_due;
  } else if (m_best.time != kNever) {
    m_plan.kind = PlanKind::kIssue;
    m_plan.time = m_best.time;
  } else {
    m_plan.kind = PlanKind::kIdle;
    m_plan.time = kNever;
  }
}

size_t ChannelController::admit_waiting(int64_t t) {
  size_t admitted = 0;
  while (m_waiting_head < m_waiting.size() && queued() < m_options.queue_depth &&
         m_waiting[m_waiting_head].r.arrival <= t) {
    const Waiting& w = m_waiting[m_waiting_head++];
    const int32_t slot = m_free.back();
    m_free.pop_back();
    Entry& e = m_pool[static_cast<size_t>(slot)];
    if (m_seq >= m_seq_limit) renumber();
    e.id = w.r.id;
    e.seq = m_seq++;
    e.arrival = w.r.arrival;
    e.row = w.at.row;
    e.rank = static_cast<int32_t>(w.at.rank);
    e.group = static_cast<int32_t>(w.at.bank_group);
    e.bank = static_cast<int32_t>(w.at.bank);
    e.column = static_cast<int32_t>(w.at.column);
    e.flat = m_timing.flat_bank(w.at.rank, w.at.bank_group, w.at.bank);
    e.rg = static_cast<int32_t>(w.at.rank * m_device.org.bank_groups + w.at.bank_group);
    e.is_write = w.r.is_write;
    e.activated = false;
    const int dir = e.is_write ? 1 : 0;
    BankQueue& q = m_bq[dir][static_cast<size_t>(e.flat)];
    e.prev = q.tail;
    e.next = -1;
    if (q.tail >= 0) {
      m_pool[static_cast<size_t>(q.tail)].next = slot;
    } else {
      q.head = slot;
    }
    q.tail = slot;
    // Appended as the youngest: it is the bank's hit or miss only if the bank had none.
    const bool hit = e.row == m_timing.bank(e.flat).open_row;
    if (hit && q.hit < 0) q.hit = slot;
    if (!hit && q.miss < 0) q.miss = slot;
    mark_dirty(dir, e.flat);
    ++m_count[dir];
    ++admitted;
  }
  return admitted;
}

// The bank's open row was just activated for the request in `slot`: no PRE until it is served.
void ChannelController::reserve(int flat, int32_t slot) {
  m_reserved[static_cast<size_t>(flat)] = slot;
  ++m_reserved_count[m_pool[static_cast<size_t>(slot)].is_write ? 1 : 0];
}

// The bank's reservation ends: its request's column command issued, or a refresh closed the row.
void ChannelController::release(int flat) {
  int32_t& slot = m_reserved[static_cast<size_t>(flat)];
  if (slot < 0) return;
  --m_reserved_count[m_pool[static_cast<size_t>(slot)].is_write ? 1 : 0];
  slot = -1;
}

// Removes a served request from its bank list and frees its slot.
void ChannelController::unlink(int slot) {
  Entry& e = m_pool[static_cast<size_t>(slot)];
  const int dir = e.is_write ? 1 : 0;
  BankQueue& q = m_bq[dir][static_cast<size_t>(e.flat)];
  // The oldest hit (miss) is preceded only by misses (hits): its successor is the next one found
  // after it.
  const int64_t open = m_timing.bank(e.flat).open_row;
  if (q.hit == slot) {
    q.hit = -1;
    for (int32_t i = e.next; i >= 0; i = m_pool[static_cast<size_t>(i)].next) {
      if (m_pool[static_cast<size_t>(i)].row == open) {
        q.hit = i;
        break;
      }
    }
  } else if (q.miss == slot) {
    q.miss = -1;
    for (int32_t i = e.next; i >= 0; i = m_pool[static_cast<size_t>(i)].next) {
      if (m_pool[static_cast<size_t>(i)].row != open) {
        q.miss = i;
        break;
      }
    }
  }
  if (e.prev >= 0) {
    m_pool[static_cast<size_t>(e.prev)].next = e.next;
  } else {
    q.head = e.next;
  }
  if (e.next >= 0) {
    m_pool[static_cast<size_t>(e.next)].prev = e.prev;
  } else {
    q.tail = e.prev;
  }
  mark_dirty(dir, e.flat);
  --m_count[dir];
  m_free.push_back(slot);
}

bool ChannelController::other_hit(const Entry& me) const {
  for (const auto& lists : m_bq) {
    for (int32_t i = lists[static_cast<size_t>(me.flat)].head; i >= 0;
         i = m_pool[static_cast<size_t>(i)].next) {
      const Entry& e = m_pool[static_cast<size_t>(i)];
      if (&e != &me && e.row == me.row) return true;
    }
  }
  return false;
}

void ChannelController::notify(int64_t t, Command cmd, const Entry& e, bool auto_precharge) {
  ++m_stats->commands[static_cast<int>(cmd)];
  if (m_observers->empty()) return;
  CommandEvent ev;
  ev.cycle = t;
  ev.command = cmd;
  ev.at.channel = m_channel;
  ev.at.rank = e.rank;
  ev.at.bank_group = e.group;
  ev.at.bank = e.bank;
  ev.at.row = e.row;
  ev.at.column = e.column;
  ev.auto_precharge = auto_precharge;
  for (ICommandObserver* o : *m_observers) o->on_command(ev);
}

void ChannelController::issue(const Choice& c) {
  const int64_t t = c.time;
  m_time = t;
  m_next_cmd = t + 1;
  if (c.cls < 0) {  // refresh of rank c.rank: PRE with bank -1 (all banks), then REF
    Entry all{};
    all.rank = c.rank;
    all.group = -1;
    all.bank = -1;
    all.row = -1;
    if (c.cmd == Command::kPre) {
      m_timing.prea(t, c.rank);
      const int n = m_timing.banks_per_rank();
      for (int i = c.rank * n; i < (c.rank + 1) * n; ++i) {
        release(i);  // the refresh closes rows still reserved: those requests will need a new ACT
        row_changed(i);
      }
    } else {
      m_timing.ref(t, c.rank);
      const int n = m_timing.banks_per_rank();
      for (int i = c.rank * n; i < (c.rank + 1) * n; ++i) invalidate_bank(i);  // tRFC: next_act
      m_refresh_due[static_cast<size_t>(c.rank)] += m_device.timing.refi;
    }
    notify(t, c.cmd, all, false);
    return;
  }
  Entry& e = m_pool[static_cast<size_t>(c.slot)];
  switch (c.cmd) {
    case Command::kAct:
      m_timing.act(t, e.rank, e.group, e.flat, e.row);
      e.activated = true;
      m_row_hits[static_cast<size_t>(e.flat)] = 0;
      reserve(e.flat, c.slot);
      row_changed(e.flat);
      notify(t, Command::kAct, e, false);
      return;
    case Command::kPre:
      if (m_reserved[static_cast<size_t>(e.flat)] >= 0)
        throw InternalError("DRAM controller: PRE planned for a row opened for a request not yet served");
      m_timing.pre(t, e.flat);
      row_changed(e.flat);
      notify(t, Command::kPre, e, false);
      return;
    case Command::kRd:
    case Command::kWr: {
      const bool ap = m_options.page_policy == DramPagePolicy::kClosed && !other_hit(e);
      const bool w = c.cmd == Command::kWr;
      if (!e.activated) ++m_row_hits[static_cast<size_t>(e.flat)];
      if (m_reserved[static_cast<size_t>(e.flat)] == c.slot) release(e.flat);
      if (w) {
        m_timing.wr(t, e.rank, e.group, e.flat, ap);
      } else {
        m_timing.rd(t, e.rank, e.group, e.flat, ap);
      }
      invalidate_bank(e.flat);  // next_pre, and the row when auto-precharged
      notify(t, c.cmd, e, ap);
      Done d;
      d.c.id = e.id;
      d.c.arrival = e.arrival;
      d.c.done = t + (w ? m_device.timing.cwl : m_device.timing.cl) + m_burst;
      d.c.row_hit = !e.activated;
      d.is_write = w;
      m_done.push_back(d);
      m_stats->busy_data_cycles += m_burst;
      const int flat = e.flat;
      unlink(c.slot);
      if (ap) row_changed(flat);  // the row closed: every request of the bank misses
      admit_waiting(t);
      return;
    }
    case Command::kRef:
      break;
  }
  throw InternalError("DRAM controller: REF planned for a request");
}

void ChannelController::step() {
  if (!m_plan.valid) plan();
  m_plan.valid = false;
  switch (m_plan.kind) {
    case PlanKind::kIdle:
      throw InternalError("DRAM controller: step() with nothing to do");
    case PlanKind::kAdmit:
      // The plan's direction held from its first cycle on; at that cycle itself the direction is
      // decided after the cycle's arrivals are admitted (try_incremental, plan).
      if (m_plan.time > m_plan_t0) m_write_mode = m_plan_write;
      m_time = m_plan.time;
      admit_waiting(m_time);
      if (!try_incremental()) plan();
      return;
    case PlanKind::kIssue:
      m_write_mode = m_plan_write;
      issue(m_best);
      return;
    case PlanKind::kDrain:
      m_time = m_plan.time;
      m_write_mode = next_write_mode(m_plan_write, m_time);  // true: see drain_due()
      return;
  }
}

}  // namespace systole::dram
