// The cycle-level DRAM model (dram.kind: cycle): one memory controller per channel in front of
// the device's ranks, bank groups and banks, in DRAM command-clock cycles. Pure C++, no SystemC:
// hw/dram/dram_cycle.cpp wraps it as the TLM target; `systole memtest` drives it alone.
//
// Contract (causal, approximately timed): requests are submitted in non-decreasing arrival
// cycle; next_completion() simulates up to the earliest completion of an outstanding request
// assuming nothing else arrives before it, so a caller that submits its next request no earlier
// than the last completion it was given (or than now()) sees exactly what an event-driven
// simulation would have done. Submitting earlier than now() throws InternalError.
//
// Per channel: a request queue of queue_depth entries (arrivals beyond it wait in order for a
// free entry: back-pressure), FR-FCFS (the oldest request that hits an open row first, else the
// oldest request), per-bank row buffers under the page policy, all-bank refresh every tREFI per
// rank (tRFC), read/write bus turnaround, tRRD/tFAW on activates, tCCD per bank group.
// A request is one atom (DramDeviceSpec::atom_bytes, aligned); it completes when its last data
// beat has crossed the bus: RD issue + CL + burst_clocks (read), WR issue + CWL + burst_clocks
// (write).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "systole/config/dram_spec.h"

namespace systole::dram {

enum class Command { kAct, kPre, kRd, kWr, kRef };
const char* to_string(Command c);  // "ACT", "PRE", "RD", "WR", "REF"
inline constexpr int kCommandCount = 5;

// Where a request lands (address_mapping.h decodes it).
struct Coordinates {
  int64_t channel = 0, rank = 0, bank_group = 0, bank = 0;  // bank within its group
  int64_t row = 0, column = 0;                              // column in atoms
};

// One command on a channel's command bus. PRE with bank == -1 precharges every bank of the
// rank (before REF). RD/WR with auto_precharge close the row (closed-page policy) as soon as
// the timing allows (tRTP after RD, tWR after the write data).
struct CommandEvent {
  int64_t cycle = 0;
  Command command = Command::kAct;
  Coordinates at;
  bool auto_precharge = false;
};

class ICommandObserver {
 public:
  virtual ~ICommandObserver() = default;
  virtual void on_command(const CommandEvent& e) = 0;  // in issue order per channel
};

struct ControllerOptions {
  DramPagePolicy page_policy = DramPagePolicy::kOpen;
  DramAddressMapping mapping = DramAddressMapping::kRoCoBaRaCh;
  int64_t queue_depth = 32;  // request queue entries per channel, >= 1
  bool refresh = true;
  DramScheduler scheduler = DramScheduler::kFrfcfs;  // dram/scheduler.h
  int64_t row_hit_cap = 4;                           // kFrfcfsCap: hits per open row before an older miss
};

struct Request {
  uint64_t id = 0;       // the caller's tag, returned in its Completion
  uint64_t address = 0;  // byte address; the atom containing it is accessed
  bool is_write = false;
  int64_t arrival = 0;  // DRAM cycle the request reaches the controller
};

struct Completion {
  uint64_t id = 0;
  int64_t arrival = 0;   // as submitted
  int64_t done = 0;      // DRAM cycle the last data beat crossed the bus
  bool row_hit = false;  // served from an already open row (no ACT of its own)
};

// Of one channel (MemorySystem::channel_stats) or of all of them summed (MemorySystem::stats).
struct MemoryStats {
  int64_t commands[kCommandCount] = {};  // by Command
  int64_t reads = 0, writes = 0;         // completed requests
  int64_t row_hits = 0;                  // completed requests served without their own ACT
  int64_t read_bytes = 0, write_bytes = 0;
  int64_t busy_data_cycles = 0;  // sum over channels of cycles the data bus carried data
  int64_t last_done = 0;         // latest completion cycle

  // Adds o's counts (last_done: the later one).
  MemoryStats& operator+=(const MemoryStats& o);
};

class MemorySystem {
 public:
  MemorySystem(const DramDeviceSpec& device, const ControllerOptions& options);
  ~MemorySystem();
  MemorySystem(const MemorySystem&) = delete;
  MemorySystem& operator=(const MemorySystem&) = delete;

  const DramDeviceSpec& device() const;
  const ControllerOptions& options() const;
  Coordinates decode(uint64_t address) const;

  // Throws InternalError when r.arrival < now() or < the previous arrival.
  void submit(const Request& r);
  // false when nothing is outstanding; else the earliest completion (ties: lower channel, then
  // submission order), simulating every channel up to it.
  bool next_completion(Completion* out);
  // As next_completion, but simulates only commands before cycle `limit` and returns a completion
  // only if it is done at or before `limit`; false otherwise, after which now() >= limit and a
  // request may be submitted at `limit`. For callers that learn of arrivals as time passes (the
  // SystemC wrapper): drain with next_completion_before(current cycle) before sleeping.
  bool next_completion_before(int64_t limit, Completion* out);
  size_t outstanding() const;
  int64_t now() const;  // cycle up to which every channel has been simulated

  // Sum over every rank of every channel of the cycles in [0, until) with at least one bank open
  // or a refresh in progress (ChannelTiming::active_cycles): the active-standby time of the
  // commands issued so far, rows still open counting up to `until` (>= now()). The rest of
  // channels x ranks x until is precharged standby.
  int64_t rank_active_cycles(int64_t until) const;
  // The same for channel c alone.
  int64_t rank_active_cycles(int64_t until, int c) const;

  // Observers see every command of every channel (e.g. dram/timing_checker.h); not owned.
  void add_observer(ICommandObserver* observer);
  // Every channel's counts summed (made from channel_stats on each call).
  const MemoryStats& stats() const;
  // Channel c's counts, 0 <= c < device().org.channels.
  const MemoryStats& channel_stats(int c) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace systole::dram
