#include "systole/dram/channel_timing.h"

#include <algorithm>

namespace systole::dram {

ChannelTiming::ChannelTiming(const DramDeviceSpec& device)
    : m_t(device.timing),
      m_burst(device.burst_clocks()),
      m_groups(device.org.bank_groups),
      m_banks_per_group(device.org.banks_per_group),
      m_banks(static_cast<size_t>(device.org.ranks * device.org.banks())),
      m_group_state(static_cast<size_t>(device.org.ranks * device.org.bank_groups)),
      m_ranks(static_cast<size_t>(device.org.ranks)),
      m_activity(static_cast<size_t>(device.org.ranks)) {}

void ChannelTiming::activity_begin(int rank, int64_t t) {
  RankActivity& a = m_activity[rank];
  if (a.open == 0 && t >= a.end) {  // a new merged interval
    a.done += a.end - a.start;
    a.start = t;
    a.end = t;
  }
  ++a.open;
}

void ChannelTiming::activity_end(int rank, int64_t t) {
  RankActivity& a = m_activity[rank];
  --a.open;
  a.end = std::max(a.end, t);
}

int64_t ChannelTiming::active_cycles(int rank, int64_t until) const {
  const RankActivity& a = m_activity[rank];
  const int64_t end = a.open > 0 ? until : std::min(a.end, until);
  return a.done + std::max<int64_t>(0, end - a.start);
}

int64_t ChannelTiming::ready_act(int rank, int group, int flat) const {
  const RankTiming& r = m_ranks[rank];
  return std::max({m_banks[flat].next_act, m_group_state[rank * m_groups + group].next_act, r.next_act,
                   r.faw[r.faw_pos] + m_t.faw});
}

int64_t ChannelTiming::ready_rd(int rank, int group, int flat) const {
  return std::max({m_banks[flat].next_rd, m_group_state[rank * m_groups + group].next_rd,
                   m_ranks[rank].next_rd, m_next_rd});
}

int64_t ChannelTiming::ready_wr(int rank, int group, int flat) const {
  return std::max({m_banks[flat].next_wr, m_group_state[rank * m_groups + group].next_wr,
                   m_ranks[rank].next_wr, m_next_wr});
}

int64_t ChannelTiming::ready_prea(int rank) const {
  int64_t t = 0;
  const int n = banks_per_rank();
  for (int i = rank * n; i < (rank + 1) * n; ++i) {
    if (m_banks[i].open_row >= 0) t = std::max(t, m_banks[i].next_pre);
  }
  return t;
}

int64_t ChannelTiming::ready_ref(int rank) const {
  int64_t t = 0;
  const int n = banks_per_rank();
  for (int i = rank * n; i < (rank + 1) * n; ++i) t = std::max(t, m_banks[i].next_act);
  return t;
}

bool ChannelTiming::any_open(int rank) const {
  const int n = banks_per_rank();
  for (int i = rank * n; i < (rank + 1) * n; ++i) {
    if (m_banks[i].open_row >= 0) return true;
  }
  return false;
}

void ChannelTiming::floors(int64_t t0, bool write, int64_t* act_floor, int64_t* col_floor) const {
  const int64_t ch_col = std::max(t0, write ? m_next_wr : m_next_rd);
  for (size_t r = 0; r < m_ranks.size(); ++r) {
    const RankTiming& rk = m_ranks[r];
    const int64_t rank_act = std::max({t0, rk.next_act, rk.faw[rk.faw_pos] + m_t.faw});
    const int64_t rank_col = std::max(ch_col, write ? rk.next_wr : rk.next_rd);
    for (int64_t g = 0; g < m_groups; ++g) {
      const size_t i = r * static_cast<size_t>(m_groups) + static_cast<size_t>(g);
      const GroupTiming& gt = m_group_state[i];
      act_floor[i] = std::max(rank_act, gt.next_act);
      col_floor[i] = std::max(rank_col, write ? gt.next_wr : gt.next_rd);
    }
  }
}

void ChannelTiming::act(int64_t t, int rank, int group, int flat, int64_t row) {
  BankTiming& b = m_banks[flat];
  if (b.open_row < 0) activity_begin(rank, t);
  b.open_row = row;
  b.act_time = t;
  b.next_act = std::max(b.next_act, t + m_t.rc);
  b.next_pre = std::max(b.next_pre, t + m_t.ras);
  b.next_rd = std::max(b.next_rd, t + m_t.rcd);
  b.next_wr = std::max(b.next_wr, t + m_t.rcd);
  GroupTiming& g = m_group_state[rank * m_groups + group];
  g.next_act = std::max(g.next_act, t + m_t.rrd_l);
  RankTiming& r = m_ranks[rank];
  r.next_act = std::max(r.next_act, t + m_t.rrd_s);
  r.faw[r.faw_pos] = t;  // overwrite the oldest; the new oldest is at the next position
  r.faw_pos = (r.faw_pos + 1) & 3;
}

void ChannelTiming::close_after(int flat, int64_t precharge_at) {
  BankTiming& b = m_banks[flat];
  if (b.open_row >= 0) activity_end(flat / banks_per_rank(), precharge_at);
  b.open_row = -1;
  b.next_act = std::max(b.next_act, precharge_at + m_t.rp);
}

void ChannelTiming::pre(int64_t t, int flat) {
  close_after(flat, t);
}

void ChannelTiming::prea(int64_t t, int rank) {
  const int n = banks_per_rank();
  for (int i = rank * n; i < (rank + 1) * n; ++i) close_after(i, t);
}

void ChannelTiming::rd(int64_t t, int rank, int group, int flat, bool auto_precharge) {
  BankTiming& b = m_banks[flat];
  b.next_pre = std::max(b.next_pre, t + m_t.rtp);
  GroupTiming& g = m_group_state[rank * m_groups + group];
  g.next_rd = std::max(g.next_rd, t + m_t.ccd_l);
  RankTiming& r = m_ranks[rank];
  r.next_rd = std::max(r.next_rd, t + m_t.ccd_s);
  m_next_rd = std::max(m_next_rd, t + m_burst);                               // data bus
  m_next_wr = std::max(m_next_wr, t + m_t.cl + m_burst + m_t.rtw - m_t.cwl);  // RD -> WR turnaround
  if (auto_precharge) close_after(flat, b.next_pre);
}

void ChannelTiming::wr(int64_t t, int rank, int group, int flat, bool auto_precharge) {
  const int64_t data_end = t + m_t.cwl + m_burst;
  BankTiming& b = m_banks[flat];
  b.next_pre = std::max(b.next_pre, data_end + m_t.wr);
  GroupTiming& g = m_group_state[rank * m_groups + group];
  g.next_wr = std::max(g.next_wr, t + m_t.ccd_l);
  g.next_rd = std::max(g.next_rd, data_end + m_t.wtr_l);
  RankTiming& r = m_ranks[rank];
  r.next_wr = std::max(r.next_wr, t + m_t.ccd_s);
  r.next_rd = std::max(r.next_rd, data_end + m_t.wtr_s);
  m_next_wr = std::max(m_next_wr, t + m_burst);        // data bus, WR -> WR
  m_next_rd = std::max(m_next_rd, data_end - m_t.cl);  // data bus, WR -> RD of another rank
  if (auto_precharge) close_after(flat, b.next_pre);
}

void ChannelTiming::ref(int64_t t, int rank) {
  activity_begin(rank, t);
  activity_end(rank, t + m_t.rfc);
  const int n = banks_per_rank();
  for (int i = rank * n; i < (rank + 1) * n; ++i)
    m_banks[i].next_act = std::max(m_banks[i].next_act, t + m_t.rfc);
}

}  // namespace systole::dram
