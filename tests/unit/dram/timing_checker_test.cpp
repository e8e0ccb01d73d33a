// The checker against hand-made command streams on the toy device (dram_test_util.h): burst 4,
// CL 10, CWL 8, tRCD 10, tRP 10, tRAS 24, tRC 36, tRTP 6, tWR 12, tCCD_S/L 4/6, tRRD_S/L 4/6,
// tFAW 20, tWTR_S/L 3/7, rtw 2, tRFC 100, tREFI 2000.
#include <gtest/gtest.h>

#include "dram_test_util.h"
#include "systole/dram/timing_checker.h"

namespace systole::dram {
namespace {

struct Cmd {
  int64_t cycle;
  Command command;
  int64_t bg, bank, row;
  bool ap = false;
  int64_t rank = 0;
};

TimingChecker run(const std::vector<Cmd>& cmds, DramDeviceSpec d = test::toy_device(), bool refresh = false) {
  TimingChecker c(d, refresh);
  for (const Cmd& x : cmds) {
    CommandEvent e;
    e.cycle = x.cycle;
    e.command = x.command;
    e.at.rank = x.rank;
    e.at.bank_group = x.bg;
    e.at.bank = x.bank;
    e.at.row = x.row;
    e.auto_precharge = x.ap;
    c.on_command(e);
  }
  return c;
}

std::string all(const TimingChecker& c) {
  std::string out;
  for (const auto& v : c.violations()) out += v + "\n";
  return out;
}

// Exactly one violation, naming `rule`.
void expect_only(const std::vector<Cmd>& cmds, const std::string& rule) {
  TimingChecker c = run(cmds);
  EXPECT_EQ(c.violation_count(), 1) << all(c);
  EXPECT_NE(all(c).find(rule), std::string::npos) << all(c);
}

constexpr auto A = Command::kAct;
constexpr auto P = Command::kPre;
constexpr auto R = Command::kRd;
constexpr auto W = Command::kWr;
constexpr auto F = Command::kRef;

TEST(TimingChecker, LegalStreamPasses) {
  // ACT, RD after tRCD, PRE after tRAS, ACT after tRP and tRC; WR after the RD->WR turnaround.
  TimingChecker c = run({{0, A, 0, 0, 1},
                         {10, R, 0, 0, 1},
                         {18, W, 0, 0, 1},
                         {42, P, 0, 0, 1},
                         {52, A, 0, 0, 2},
                         {62, R, 0, 0, 2}});
  EXPECT_EQ(c.violation_count(), 0) << all(c);
  EXPECT_EQ(c.commands_seen(), 6);
}

TEST(TimingChecker, RowRules) {
  expect_only({{0, A, 0, 0, 1}, {9, R, 0, 0, 1}}, "tRCD = 10");
  expect_only({{0, A, 0, 0, 1}, {23, P, 0, 0, 1}}, "tRAS = 24");
  expect_only({{0, A, 0, 0, 1}, {30, P, 0, 0, 1}, {39, A, 0, 0, 2}}, "tRP = 10");
  expect_only({{0, A, 0, 0, 1}, {24, P, 0, 0, 1}, {35, A, 0, 0, 2}}, "tRC = 36");
  expect_only({{0, A, 0, 0, 1}, {20, R, 0, 0, 1}, {25, P, 0, 0, 1}}, "tRTP = 6");
  // WR at 10: data ends at 10 + 8 + 4 = 22; PRE needs 22 + 12 = 34.
  expect_only({{0, A, 0, 0, 1}, {10, W, 0, 0, 1}, {33, P, 0, 0, 1}}, "tWR = 12");
}

TEST(TimingChecker, ActivateRules) {
  expect_only({{0, A, 0, 0, 1}, {3, A, 1, 0, 1}}, "tRRD_S = 4");
  expect_only({{0, A, 0, 0, 1}, {5, A, 0, 1, 1}}, "tRRD_L = 6");
  // Four ACTs at 0, 4, 10, 14; a fifth at 18 is inside the 20-cycle window of the first.
  expect_only({{0, A, 0, 0, 1}, {4, A, 1, 0, 1}, {10, A, 0, 1, 1}, {14, A, 1, 1, 1}, {18, A, 0, 2, 1}},
              "tFAW = 20");
  expect_only({{0, A, 0, 0, 1}, {40, A, 0, 0, 2}}, "ACT to a bank with row 1 open");
}

TEST(TimingChecker, ColumnRules) {
  expect_only({{0, A, 0, 0, 1}, {6, A, 0, 1, 1}, {16, R, 0, 0, 1}, {21, R, 0, 1, 1}}, "tCCD_L = 6");
  {
    // Same rank, other bank group, 3 nCK apart: tCCD_S (and the bursts overlap on the bus).
    TimingChecker c = run({{0, A, 0, 0, 1}, {4, A, 1, 0, 1}, {14, R, 0, 0, 1}, {17, R, 1, 0, 1}});
    EXPECT_NE(all(c).find("tCCD_S = 4"), std::string::npos) << all(c);
    EXPECT_NE(all(c).find("overlaps the previous burst"), std::string::npos) << all(c);
  }
  // WR at 10 ends its data at 22: RD in the same bank group needs 22 + 7, another group 22 + 3.
  expect_only({{0, A, 0, 0, 1}, {10, W, 0, 0, 1}, {28, R, 0, 0, 1}}, "tWTR_L = 7");
  expect_only({{0, A, 0, 0, 1}, {4, A, 1, 0, 1}, {14, W, 0, 0, 1}, {28, R, 1, 0, 1}}, "tWTR_S = 3");
  {
    // RD at 10 -> WR needs CL 10 + burst 4 + rtw 2 - CWL 8 = 8 cycles later, at 18.
    TimingChecker c = run({{0, A, 0, 0, 1}, {10, R, 0, 0, 1}, {17, W, 0, 0, 1}});
    EXPECT_EQ(c.violation_count(), 1) << all(c);
    EXPECT_NE(all(c).find("WR 7 nCK after RD on the channel, CL + burst + rtw - CWL = 8"), std::string::npos)
        << all(c);
  }
  expect_only({{5, R, 0, 0, 1}}, "RD to a precharged bank");
  expect_only({{0, A, 0, 0, 1}, {10, R, 0, 0, 2}}, "RD to row 2 while row 1 is open");
}

TEST(TimingChecker, DataBusAcrossRanks) {
  DramDeviceSpec d = test::toy_device();
  d.org.ranks = 2;
  // Rank 0 RD at 10: data [20, 24); rank 1 RD at 12: data [22, 26) overlaps.
  TimingChecker c = run({{0, A, 0, 0, 1, false, 0},
                         {1, A, 0, 0, 1, false, 1},
                         {10, R, 0, 0, 1, false, 0},
                         {12, R, 0, 0, 1, false, 1}},
                        d);
  EXPECT_EQ(c.violation_count(), 1) << all(c);
  EXPECT_NE(all(c).find("overlaps the previous burst (bus busy until 24)"), std::string::npos) << all(c);
}

TEST(TimingChecker, CommandBusAndAutoPrecharge) {
  {
    TimingChecker c = run({{0, A, 0, 0, 1}, {0, A, 1, 1, 1}});
    EXPECT_NE(all(c).find("at or before the previous command"), std::string::npos) << all(c);
  }
  // RDA at 30 closes the row at max(30 + tRTP, 0 + tRAS) = 36: ACT at 45 violates tRP, 46 is legal.
  expect_only({{0, A, 0, 0, 1}, {30, R, 0, 0, 1, true}, {45, A, 0, 0, 2}}, "tRP = 10");
  EXPECT_EQ(run({{0, A, 0, 0, 1}, {30, R, 0, 0, 1, true}, {46, A, 0, 0, 2}}).violation_count(), 0);
}

TEST(TimingChecker, RefreshRules) {
  expect_only({{0, F, -1, -1, -1}, {50, A, 0, 0, 1}}, "tRFC = 100");
  expect_only({{0, F, -1, -1, -1}, {99, F, -1, -1, -1}}, "tRFC = 100");
  {
    TimingChecker c = run({{0, A, 0, 0, 1}, {50, F, -1, -1, -1}});
    EXPECT_NE(all(c).find("REF while bank 0 is open"), std::string::npos) << all(c);
  }
  // PREA (bank -1) at 30 closes every bank; REF needs tRP after it.
  expect_only({{0, A, 0, 0, 1}, {30, P, -1, -1, -1}, {39, F, -1, -1, -1}}, "tRP = 10");
  {
    // Expecting refresh: no REF in 9 intervals is one interval too many.
    TimingChecker late = run({{9 * 2000, A, 0, 0, 1}}, test::toy_device(), true);
    EXPECT_EQ(late.violation_count(), 1) << all(late);
    EXPECT_NE(all(late).find("only 0 REF"), std::string::npos) << all(late);
    EXPECT_EQ(run({{8 * 2000, A, 0, 0, 1}}, test::toy_device(), true).violation_count(), 0);
  }
}

}  // namespace
}  // namespace systole::dram
