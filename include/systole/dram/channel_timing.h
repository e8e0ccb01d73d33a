// The timing state of one channel's device: for every rank, bank group and bank the earliest
// cycle each command may issue, derived from the commands issued so far (the controller's view
// of the JEDEC rules; dram/timing_checker.h re-derives them independently). Pure bookkeeping: the
// caller decides what to issue and when, and must only issue a command at or after its ready_*()
// cycle.
//
// Rules encoded (t = the issue cycle of the earlier command, nCK):
//   ACT  -> ACT same bank: tRC;  same bank group: tRRD_L;  same rank: tRRD_S;  fifth ACT: tFAW
//   ACT  -> RD/WR same bank: tRCD;  ACT -> PRE same bank: tRAS
//   PRE  -> ACT same bank: tRP (PREA: every bank of the rank)
//   RD   -> RD: tCCD_L same bank group, tCCD_S same rank;  RD -> PRE: tRTP
//   WR   -> WR: tCCD_L / tCCD_S;  WR -> PRE: CWL + burst + tWR
//   WR   -> RD same bank group: CWL + burst + tWTR_L; same rank: CWL + burst + tWTR_S
//   RD   -> WR (channel): CL + burst + rtw - CWL
//   data bus (channel): a burst starts when the previous one has ended (RD at t: [t+CL, t+CL+burst))
//   REF  -> any command to the rank: tRFC; REF needs every bank precharged and tRP met.
// Auto-precharge (RDA/WRA) closes the row at max(RD + tRTP or WR + CWL + burst + tWR, ACT + tRAS)
// and the bank may be activated tRP later.
//
// Rank activity (for background power, energy/dram_idd.h): a rank is *active* in every cycle that
// lies in some bank's [ACT, precharge) interval (the precharge cycle being the PRE or PREA issue
// cycle, or the auto-precharge cycle above) or in some [REF, REF + tRFC); otherwise it is
// *precharged*. The union of these intervals is accumulated as commands are recorded.
#pragma once

#include <cstdint>
#include <vector>

#include "systole/config/dram_spec.h"

namespace systole::dram {

inline constexpr int64_t kNever = INT64_MAX / 4;

struct BankTiming {
  int64_t open_row = -1;  // -1: precharged (or precharging)
  int64_t act_time = -kNever;
  int64_t next_act = 0, next_pre = 0, next_rd = 0, next_wr = 0;
};

class ChannelTiming {
 public:
  explicit ChannelTiming(const DramDeviceSpec& device);

  // Flat bank index within the channel: (rank * bank_groups + bank_group) * banks_per_group + bank.
  int flat_bank(int64_t rank, int64_t bank_group, int64_t bank) const {
    return static_cast<int>((rank * m_groups + bank_group) * m_banks_per_group + bank);
  }
  int banks_per_rank() const { return static_cast<int>(m_groups * m_banks_per_group); }
  const BankTiming& bank(int flat) const { return m_banks[flat]; }

  int64_t ready_act(int rank, int group, int flat) const;
  int64_t ready_pre(int flat) const { return m_banks[flat].next_pre; }
  int64_t ready_rd(int rank, int group, int flat) const;
  int64_t ready_wr(int rank, int group, int flat) const;
  int64_t ready_prea(int rank) const;  // every open bank of the rank may be precharged
  int64_t ready_ref(int rank) const;   // every bank precharged and tRP met
  bool any_open(int rank) const;
  // Cycles in [0, until) during which `rank` was active (see above), given the commands recorded
  // so far; an interval still open (a row left open) counts up to `until`. `until` must be at
  // least the last recorded command's cycle.
  int64_t active_cycles(int rank, int64_t until) const;

  // Per (rank, bank group) index rank * bank_groups + group: the earliest ACT and the earliest
  // RD (or WR when `write`) allowed by the bank-group, rank and channel rules, at least t0. The
  // ready time of a command to bank b is then max(floor, bank(b).next_act / next_rd / next_wr).
  void floors(int64_t t0, bool write, int64_t* act_floor, int64_t* col_floor) const;

  void act(int64_t t, int rank, int group, int flat, int64_t row);
  void pre(int64_t t, int flat);
  void prea(int64_t t, int rank);
  void rd(int64_t t, int rank, int group, int flat, bool auto_precharge);
  void wr(int64_t t, int rank, int group, int flat, bool auto_precharge);
  void ref(int64_t t, int rank);

 private:
  struct GroupTiming {
    int64_t next_act = 0, next_rd = 0, next_wr = 0;
  };
  struct RankTiming {
    int64_t next_act = 0, next_rd = 0, next_wr = 0;
    int64_t faw[4] = {-kNever, -kNever, -kNever, -kNever};  // last four ACT cycles, ring
    int faw_pos = 0;
  };
  // The union of a rank's active intervals. Intervals begin in non-decreasing cycle order
  // (commands are recorded in issue order); the current merged interval is [start, end), open
  // while `open` > 0 (its end not known yet); `done` sums the merged intervals before it.
  struct RankActivity {
    int64_t open = 0;
    int64_t start = 0, end = 0;
    int64_t done = 0;
  };
  void activity_begin(int rank, int64_t t);
  void activity_end(int rank, int64_t t);
  void close_after(int flat, int64_t precharge_at);

  DramTiming m_t;
  int64_t m_burst = 0;
  int64_t m_groups = 1, m_banks_per_group = 1;
  std::vector<BankTiming> m_banks;
  std::vector<GroupTiming> m_group_state;  // rank * groups + group
  std::vector<RankTiming> m_ranks;
  std::vector<RankActivity> m_activity;  // per rank
  int64_t m_next_rd = 0, m_next_wr = 0;  // channel: data bus and read-to-write turnaround
};

}  // namespace systole::dram
