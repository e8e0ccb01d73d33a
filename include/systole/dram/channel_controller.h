// One channel's memory controller (see memory_system.h for the model's contract): a bounded
// request queue fed in arrival order, FR-FCFS scheduling under a read/write drain policy, the
// page policy, all-bank refresh per rank, and the device timing (channel_timing.h).
//
// Event-driven: next_event() is the cycle of the next thing the controller does — admit a waiting
// request into a free queue entry, or issue one command — assuming no further arrivals; step()
// does it. Between events nothing can change, so the controller jumps from one to the next
// instead of ticking every cycle; the result is the same as a cycle-by-cycle controller that at
// each cycle issues the highest-priority command whose timing is met.
//
// Priority among commands ready at the same cycle: refresh (PREA/REF of a rank whose refresh is
// due), then the scheduler's classes (dram.scheduler, dram/scheduler.h; FR-FCFS, the default:
// column commands that hit an open row, then the rest), oldest request first within each class.
// Each bank offers one candidate, the scheduler's pick of its oldest hit and oldest miss; under
// FR-FCFS a PRE that would close a row some queued request (of the current direction) still hits
// is therefore not issued. While a rank's refresh is due no request command is issued to it.
//
// Activated rows are kept for their request: from the ACT issued for a request until that
// request's RD/WR issues, the bank is reserved for it. No PRE goes to a reserved bank (only a
// refresh's PREA closes it, which drops the reservation), and the reserved request's column
// command is a candidate in either direction, at the class the scheduler gives a lone row hit
// (so a direction switch cannot strand it, nor make its row be opened twice). Hits of the other
// direction to the reserved row may go first. As Ramulator 2's generic controller does with its
// active buffer (src/dram_controller/impl/generic_dram_controller.cpp: requests that issued an
// ACT are served first, and a closing command to their bank is held back).
//
// Read/write drain: the controller serves one direction at a time. It switches to writes when
// queued writes reach the high watermark or when no read is queued; it switches back to reads
// when no write is left, or when reads are waiting and queued writes have fallen to the low
// watermark. The watermarks are fractions of n = min(queue_depth, requests in flight), the
// requests in flight being those queued plus those whose data burst has not ended:
// high = max(1, n / 2), low = n / 4. Writes are not posted (a write holds its requester's slot
// until its burst ends), so with fewer requests in flight than queue entries fixed fractions of
// the queue would never be reached and writes would wait for the reads to run out; n is the
// queue's effective size, queue_depth whenever the requests in flight fill it (the watermarks are
// then queue_depth / 2 and / 4, as before). Within a cycle the controller admits the requests
// arriving at that cycle, then decides the direction, then issues a command: a plan's direction
// is tentative at its first cycle and holds only once an event at a later cycle (or the planned
// command) comes. As bursts end, n falls and queued writes can reach the high watermark with no
// other event: that cycle is an event of its own (kDrain), so the result is still that of a
// controller that decides every cycle.
//
// Queue entries are freed when the request's column command issues; a request that arrives while
// the queue is full waits (in arrival order) and is admitted the cycle an entry frees.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "systole/config/dram_spec.h"
#include "systole/dram/channel_timing.h"
#include "systole/dram/memory_system.h"
#include "systole/dram/scheduler.h"

namespace systole::dram {

class ChannelController {
 public:
  // `stats` and `observers` belong to the caller and outlive the controller.
  ChannelController(const DramDeviceSpec& device, const ControllerOptions& options, int channel,
                    MemoryStats* stats, const std::vector<ICommandObserver*>* observers);

  // Arrivals must be non-decreasing and later than the last event processed (time()).
  void enqueue(const Request& r, const Coordinates& at);
  int64_t next_event() {  // kNever when there is nothing left to do
    if (!m_plan.valid) plan();
    return m_plan.kind == PlanKind::kIdle ? kNever : m_plan.time;
  }
  void step();  // processes the event at next_event()

  bool has_completion() const { return m_done_head < m_done.size(); }
  const Completion& front_completion() const { return m_done[m_done_head].c; }
  bool front_is_write() const { return m_done[m_done_head].is_write; }
  void pop_completion();

  size_t outstanding() const;  // waiting + queued + completed but not popped
  // Entries the arrival and completion FIFOs hold in memory, consumed ones not yet compacted
  // included: at most about twice the live ones plus a constant, however long the run.
  size_t retained_entries() const { return m_waiting.size() + m_done.size(); }
  // Admission ages (seq) are renumbered, order kept, when they reach `limit` (default and
  // maximum 2^24, the width packed into a scan key). Lower only to test the renumbering.
  void set_seq_limit(uint64_t limit);
  int64_t time() const { return m_time; }
  bool write_mode() const { return m_write_mode; }
  const ChannelTiming& timing() const { return m_timing; }

 private:
  // Queued requests live in a pool of queue_depth slots. Every slot in use is on the list of its
  // (direction, flat bank) in admission order; `seq` (admission count) is the FR-FCFS age, so
  // "older" is "smaller seq", the same order as the position in one direction's queue.
  struct Entry {
    uint64_t id;
    uint64_t seq;
    int64_t arrival;
    int64_t row;
    int32_t flat, rank, group, bank, column;
    int32_t rg;          // rank * bank_groups + group: index of the floors
    int32_t prev, next;  // neighbours on the bank list (-1: none)
    bool is_write;
    bool activated;  // an ACT was issued for this request
  };
  // One (direction, flat bank) list in admission order, and its FR-FCFS candidates: the oldest
  // entry that hits the bank's open row and the oldest that does not (-1: none). hit and miss are
  // kept up to date at every change (admission, served request, row change); `dirty` concerns
  // only the Candidates row derived from them and the bank's timing.
  struct BankQueue {
    int32_t head = -1, tail = -1;
    int32_t hit = -1, miss = -1;
    bool dirty = false;  // on m_dirty: candidates and their Candidates row must be recomputed
  };
  // Per direction, per flat bank (structure of arrays, so that the scan is one branch-free loop):
  // the bank's one candidate command. A bank with a queued hit offers the oldest hit (its PRE is
  // held back for it, and a precharged bank has no hits); otherwise the oldest miss: ACT when
  // precharged, PRE when another row is open. Its ready cycle is max(m_floor[floor], time), time
  // being the bank's part (kNever: no candidate). key = class << (kSeqBits + m_bank_bits) |
  // seq << m_bank_bits | flat bank, so that (cycle, key) orders like (cycle, class, age) and
  // names the bank. A row changes only with a command to the bank (or PREA/REF of its rank) or
  // with its list.
  struct Candidates {
    std::vector<int64_t> time;
    std::vector<int32_t> floor;
    std::vector<uint64_t> key;
  };
  static constexpr int kSeqBits = 24;  // seq < 2^24: renumbered (order kept) when it would overflow
  struct Waiting {
    Request r;
    Coordinates at;
  };
  struct Done {
    Completion c;
    bool is_write;
  };
  enum class PlanKind { kIdle, kAdmit, kIssue, kDrain };  // kDrain: start draining writes (drain_due)
  struct Plan {
    bool valid = false;
    PlanKind kind = PlanKind::kIdle;
    int64_t time = kNever;
  };
  struct Choice {  // the best command found by a scan
    int64_t time = kNever;
    int cls = 3;      // -1 refresh, 0 row hit, 1 other
    int64_t key = 0;  // tie-break within a class: entry seq, or the rank for refresh
    int slot = -1;    // pool slot of the request; -1 for refresh
    Command cmd = Command::kAct;
    int rank = 0;
    bool final = false;  // a refresh or hit ready at the scan's first cycle: nothing can beat it
  };

  // Priority order of candidate commands: earlier cycle, then class (-1 refresh, 0 row hit,
  // 1 other), then the key (older request, or lower rank for refresh).
  static bool better(int64_t t, int cls, int64_t key, int64_t bt, int bcls, int64_t bkey) {
    return t < bt || (t == bt && (cls < bcls || (cls == bcls && key < bkey)));
  }

  void plan();
  bool try_incremental();
  void scan_requests(int64_t t0);
  void finish_plan();
  int64_t in_flight(int64_t t) const;
  int64_t high_watermark(int64_t in_flight) const;
  int64_t low_watermark(int64_t in_flight) const;
  bool next_write_mode(bool write_mode, int64_t t) const;
  int64_t drain_due(int64_t t0) const;
  size_t admit_waiting(int64_t t);
  void issue(const Choice& c);
  void notify(int64_t t, Command cmd, const Entry& e, bool auto_precharge);
  bool other_hit(const Entry& me) const;
  void refresh_candidates(int dir, int flat);
  void scan_reserved(int dir, int64_t t0);
  void reserve(int flat, int32_t slot);
  void release(int flat);
  void find_hit_miss(int dir, int flat);
  void row_changed(int flat);
  int exact_best(int dir, int64_t t0, int64_t* time, uint64_t* key) const;
  std::pair<int32_t, Command> candidate_command(int dir, int flat, int64_t age, bool write) const;
  void renumber();
  void mark_dirty(int dir, int flat) {
    BankQueue& q = m_bq[dir][static_cast<size_t>(flat)];
    if (!q.dirty) {
      q.dirty = true;
      m_dirty[dir].push_back(flat);
    }
  }
  void invalidate_bank(int flat) {  // the bank's row or timing changed
    mark_dirty(0, flat);
    mark_dirty(1, flat);
  }
  void unlink(int slot);
  int64_t queued() const { return m_count[0] + m_count[1]; }

  DramDeviceSpec m_device;
  ControllerOptions m_options;
  std::unique_ptr<IDramScheduler> m_scheduler;  // options.scheduler (dram/scheduler.h)
  std::vector<int64_t> m_row_hits;              // per flat bank: hits served since its last ACT
  // Per flat bank: pool slot of the request its open row was activated for, until that request's
  // column command issues (-1: none); m_reserved_count counts them by the request's direction.
  std::vector<int32_t> m_reserved;
  int64_t m_reserved_count[2] = {0, 0};
  int m_reserved_cls = 0;  // class of a reserved request's column command: the scheduler's for a lone hit
  int m_channel;
  MemoryStats* m_stats;
  const std::vector<ICommandObserver*>* m_observers;
  ChannelTiming m_timing;
  int64_t m_burst;

  std::vector<Entry> m_pool;        // queue_depth slots
  std::vector<int32_t> m_free;      // free slots (stack)
  std::vector<BankQueue> m_bq[2];   // [direction: 0 read, 1 write][flat bank]
  Candidates m_cand[2];             // [direction]
  std::vector<int32_t> m_dirty[2];  // [direction]: banks with BankQueue::dirty set
  int64_t m_count[2] = {0, 0};      // queued reads, writes
  uint64_t m_seq = 0;               // seq of the next admission
  uint64_t m_seq_limit = uint64_t{1} << kSeqBits;
  bool m_renumbered = false;                    // since the last plan
  int m_bank_bits = 0;                          // bits of a flat bank index in Candidates::key
  std::vector<int32_t> m_bank_rg, m_bank_rank;  // per flat bank
  std::vector<Waiting> m_waiting;               // FIFO from m_waiting_head
  size_t m_waiting_head = 0;
  std::vector<Done> m_done;  // FIFO from m_done_head, in done order
  size_t m_done_head = 0;

  std::vector<int64_t> m_refresh_due;  // per rank
  // Floors of the last scan: RD/WR per (rank, group), then ACT per (rank, group), then PRE per
  // rank (the scan's first cycle, or kNever while the rank's refresh is due).
  std::vector<int64_t> m_floor;
  size_t m_rg_count = 0;  // ranks * bank_groups

  int64_t m_time = 0;         // cycle of the last event processed
  int64_t m_next_cmd = 0;     // command bus: one command per cycle
  bool m_write_mode = false;  // direction as of the last event processed
  bool m_plan_write = false;  // direction the last plan scanned with, from cycle m_plan_t0 on
  int64_t m_plan_t0 = 0;
  Plan m_plan;
  Choice m_best;                 // best command of the last plan
  int64_t m_scan_t0 = 0;         // first cycle the last scan considered
  int64_t m_next_due = kNever;   // earliest refresh due of a rank not yet pending at the scan's t0
  int64_t m_drain_due = kNever;  // drain_due() of the last plan
};

}  // namespace systole::dram
