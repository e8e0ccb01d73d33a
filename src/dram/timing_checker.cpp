// TimingChecker: keeps its own record of when each bank, bank group, rank and channel last saw
// each command and checks every new command against the JEDEC minimum distances. It shares no
// code with the controller (channel_timing.cpp) on purpose.
#include "systole/dram/timing_checker.h"

#include <algorithm>
#include <array>
#include <string>

#include <fmt/format.h>

namespace systole::dram {
namespace {

constexpr int64_t kLongAgo = INT64_MIN / 4;
constexpr size_t kKeep = 100;
constexpr int64_t kMaxPostponedRefreshes = 8;  // JEDEC DDR4/LPDDR4: up to 8 REF may be postponed

struct BankRecord {
  bool open = false;
  int64_t row = -1;
  int64_t last_act = kLongAgo;
  int64_t closed_at = kLongAgo;  // PRE, PREA or the implicit precharge of RDA/WRA
  int64_t last_rd = kLongAgo;
  int64_t last_wr = kLongAgo;
};

struct GroupRecord {
  int64_t last_act = kLongAgo, last_rd = kLongAgo, last_wr = kLongAgo;
};

struct RankRecord {
  std::array<int64_t, 4> acts = {kLongAgo, kLongAgo, kLongAgo, kLongAgo};  // ring of the last four ACTs
  int acts_pos = 0;
  int64_t last_act = kLongAgo, last_rd = kLongAgo, last_wr = kLongAgo, last_ref = kLongAgo;
  int64_t refs = 0;
  bool refresh_late_reported = false;
};

struct ChannelRecord {
  int64_t last_cmd = kLongAgo;
  int64_t bus_free = kLongAgo;  // end of the last data burst
  int64_t last_rd = kLongAgo;
  std::vector<BankRecord> banks;
  std::vector<GroupRecord> groups;
  std::vector<RankRecord> ranks;
};

}  // namespace

struct TimingChecker::State {
  DramDeviceSpec device;
  bool expect_refresh = true;
  std::vector<ChannelRecord> channels;
  std::vector<std::string> violations;
  int64_t count = 0;
  int64_t seen = 0;

  std::string where(const CommandEvent& e) const {
    if (e.at.bank < 0) return fmt::format("cycle {} ch{} ra{}", e.cycle, e.at.channel, e.at.rank);
    return fmt::format("cycle {} ch{} ra{} bg{} ba{}", e.cycle, e.at.channel, e.at.rank, e.at.bank_group,
                       e.at.bank);
  }
  void report(const CommandEvent& e, const std::string& what) {
    ++count;
    if (violations.size() < kKeep) violations.push_back(where(e) + ": " + what);
  }
  // The command at e.cycle must come at least `min` nCK after `since`.
  void need(const CommandEvent& e, int64_t since, int64_t min, const char* after, const char* rule) {
    if (since == kLongAgo) return;
    const int64_t gap = e.cycle - since;
    if (gap < min)
      report(e, fmt::format("{} {} nCK after {}, {} = {}", to_string(e.command), gap, after, rule, min));
  }
};

TimingChecker::TimingChecker(const DramDeviceSpec& device, bool expect_refresh)
    : m_state(std::make_unique<State>()) {
  State& s = *m_state;
  s.device = device;
  s.expect_refresh = expect_refresh;
  const DramOrganization& o = device.org;
  s.channels.resize(static_cast<size_t>(o.channels));
  for (auto& ch : s.channels) {
    ch.banks.resize(static_cast<size_t>(o.ranks * o.banks()));
    ch.groups.resize(static_cast<size_t>(o.ranks * o.bank_groups));
    ch.ranks.resize(static_cast<size_t>(o.ranks));
  }
}

TimingChecker::~TimingChecker() = default;
TimingChecker::TimingChecker(TimingChecker&&) noexcept = default;
TimingChecker& TimingChecker::operator=(TimingChecker&&) noexcept = default;
const std::vector<std::string>& TimingChecker::violations() const {
  return m_state->violations;
}
int64_t TimingChecker::violation_count() const {
  return m_state->count;
}
int64_t TimingChecker::commands_seen() const {
  return m_state->seen;
}

void TimingChecker::on_command(const CommandEvent& e) {
  State& s = *m_state;
  ++s.seen;
  const DramOrganization& o = s.device.org;
  const DramTiming& t = s.device.timing;
  const int64_t burst = s.device.burst_clocks();
  if (e.at.channel < 0 || e.at.channel >= o.channels || e.at.rank < 0 || e.at.rank >= o.ranks) {
    s.report(e, "command outside the device");
    return;
  }
  ChannelRecord& ch = s.channels[static_cast<size_t>(e.at.channel)];
  RankRecord& rank = ch.ranks[static_cast<size_t>(e.at.rank)];
  const bool all_banks = e.command == Command::kRef || (e.command == Command::kPre && e.at.bank < 0);
  if (!all_banks && (e.at.bank_group < 0 || e.at.bank_group >= o.bank_groups || e.at.bank < 0 ||
                     e.at.bank >= o.banks_per_group)) {
    s.report(e, "command outside the device");
    return;
  }
  if (e.cycle <= ch.last_cmd) {
    s.report(e, fmt::format("{} on the command bus at or before the previous command (cycle {})",
                            to_string(e.command), ch.last_cmd));
  }
  ch.last_cmd = std::max(ch.last_cmd, e.cycle);

  // Refresh on average every tREFI: at most kMaxPostponedRefreshes intervals without their REF.
  if (s.expect_refresh && !rank.refresh_late_reported) {
    const int64_t owed = e.cycle / t.refi - rank.refs;
    if (owed > kMaxPostponedRefreshes) {
      s.report(e, fmt::format("only {} REF by cycle {} (tREFI = {}: at most {} may be postponed)", rank.refs,
                              e.cycle, t.refi, kMaxPostponedRefreshes));
      rank.refresh_late_reported = true;
    }
  }

  const int64_t rank_first = e.at.rank * o.banks();
  auto bank_at = [&](int64_t group, int64_t bank) -> BankRecord& {
    return ch.banks[static_cast<size_t>(rank_first + group * o.banks_per_group + bank)];
  };
  // The implicit precharge of an auto-precharge column command.
  auto close_bank = [&](BankRecord& b, int64_t at) {
    b.open = false;
    b.closed_at = at;
  };

  if (all_banks) {
    for (int64_t i = 0; i < o.banks(); ++i) {
      BankRecord& b = ch.banks[static_cast<size_t>(rank_first + i)];
      if (e.command == Command::kPre) {
        if (!b.open) continue;
        s.need(e, b.last_act, t.ras, "ACT", "tRAS");
        s.need(e, b.last_rd, t.rtp, "RD", "tRTP");
        s.need(e, b.last_wr == kLongAgo ? kLongAgo : b.last_wr + t.cwl + burst, t.wr, "the end of write data",
               "tWR");
        close_bank(b, e.cycle);
      } else {
        if (b.open) s.report(e, fmt::format("REF while bank {} is open", i));
        s.need(e, b.closed_at, t.rp, "PRE", "tRP");
        s.need(e, b.last_act, t.rc, "ACT", "tRC");
      }
    }
    if (e.command == Command::kRef) {
      s.need(e, rank.last_ref, t.rfc, "REF", "tRFC");
      rank.last_ref = e.cycle;
      ++rank.refs;
      rank.refresh_late_reported = false;
    }
    return;
  }

  BankRecord& b = bank_at(e.at.bank_group, e.at.bank);
  GroupRecord& g = ch.groups[static_cast<size_t>(e.at.rank * o.bank_groups + e.at.bank_group)];
  switch (e.command) {
    case Command::kAct: {
      if (b.open) s.report(e, fmt::format("ACT to a bank with row {} open", b.row));
      s.need(e, b.closed_at, t.rp, "PRE", "tRP");
      s.need(e, b.last_act, t.rc, "ACT to the same bank", "tRC");
      s.need(e, g.last_act, t.rrd_l, "ACT in the same bank group", "tRRD_L");
      s.need(e, rank.last_act, t.rrd_s, "ACT in the same rank", "tRRD_S");
      s.need(e, rank.acts[static_cast<size_t>(rank.acts_pos)], t.faw, "the fourth-last ACT", "tFAW");
      s.need(e, rank.last_ref, t.rfc, "REF", "tRFC");
      b.open = true;
      b.row = e.at.row;
      b.last_act = e.cycle;
      b.last_rd = kLongAgo;
      b.last_wr = kLongAgo;
      g.last_act = e.cycle;
      rank.last_act = e.cycle;
      rank.acts[static_cast<size_t>(rank.acts_pos)] = e.cycle;
      rank.acts_pos = (rank.acts_pos + 1) % 4;
      return;
    }
    case Command::kPre:
      if (b.open) {
        s.need(e, b.last_act, t.ras, "ACT", "tRAS");
        s.need(e, b.last_rd, t.rtp, "RD", "tRTP");
        s.need(e, b.last_wr == kLongAgo ? kLongAgo : b.last_wr + t.cwl + burst, t.wr, "the end of write data",
               "tWR");
        close_bank(b, e.cycle);
      }
      return;
    case Command::kRd:
    case Command::kWr: {
      const bool is_rd = e.command == Command::kRd;
      if (!b.open) {
        s.report(e, fmt::format("{} to a precharged bank", to_string(e.command)));
      } else if (b.row != e.at.row) {
        s.report(e, fmt::format("{} to row {} while row {} is open", to_string(e.command), e.at.row, b.row));
      }
      s.need(e, b.last_act, t.rcd, "ACT", "tRCD");
      if (is_rd) {
        s.need(e, g.last_rd, t.ccd_l, "RD in the same bank group", "tCCD_L");
        s.need(e, rank.last_rd, t.ccd_s, "RD in the same rank", "tCCD_S");
        s.need(e, g.last_wr == kLongAgo ? kLongAgo : g.last_wr + t.cwl + burst, t.wtr_l,
               "the end of write data in the same bank group", "tWTR_L");
        s.need(e, rank.last_wr == kLongAgo ? kLongAgo : rank.last_wr + t.cwl + burst, t.wtr_s,
               "the end of write data in the same rank", "tWTR_S");
      } else {
        s.need(e, g.last_wr, t.ccd_l, "WR in the same bank group", "tCCD_L");
        s.need(e, rank.last_wr, t.ccd_s, "WR in the same rank", "tCCD_S");
        s.need(e, ch.last_rd, t.cl + burst + t.rtw - t.cwl, "RD on the channel", "CL + burst + rtw - CWL");
      }
      const int64_t data_start = e.cycle + (is_rd ? t.cl : t.cwl);
      if (data_start < ch.bus_free) {
        s.report(e, fmt::format("{} data at cycle {} overlaps the previous burst (bus busy until {})",
                                to_string(e.command), data_start, ch.bus_free));
      }
      ch.bus_free = std::max(ch.bus_free, data_start + burst);
      if (is_rd) {
        b.last_rd = e.cycle;
        g.last_rd = e.cycle;
        rank.last_rd = e.cycle;
        ch.last_rd = e.cycle;
      } else {
        b.last_wr = e.cycle;
        g.last_wr = e.cycle;
        rank.last_wr = e.cycle;
      }
      if (e.auto_precharge) {
        // The row closes when tRAS, and tRTP (read) or the write recovery (write), allow.
        const int64_t ready = is_rd ? e.cycle + t.rtp : e.cycle + t.cwl + burst + t.wr;
        close_bank(b, std::max(ready, b.last_act + t.ras));
      }
      return;
    }
    case Command::kRef:
      return;
  }
}

}  // namespace systole::dram
