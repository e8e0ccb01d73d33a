// The stat tree (stats/stat_tree.h), its formulas (stats/formula.h) and a run's catalogue
// (stats/run_stats.h).
#include "systole/stats/stat_tree.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "systole/common/error.h"
#include "systole/stats/formula.h"
#include "systole/stats/run_stats.h"

namespace systole::stats {
namespace {

double eval(const std::string& f) {
  return evaluate_formula(f, [](const std::string& name) -> double {
    if (name == "a.b") return 6.0;
    if (name == "c") return 4.0;
    throw std::out_of_range(name);
  });
}

}  // namespace

TEST(Formula, PrecedenceParenthesesAndUnaryMinus) {
  EXPECT_DOUBLE_EQ(eval("1 + 2 * 3"), 7.0);
  EXPECT_DOUBLE_EQ(eval("(1 + 2) * 3"), 9.0);
  EXPECT_DOUBLE_EQ(eval("a.b / c - 1"), 0.5);
  EXPECT_DOUBLE_EQ(eval("-a.b * -c"), 24.0);
  EXPECT_DOUBLE_EQ(eval("8 / 2 / 2"), 2.0);  // left to right
  EXPECT_DOUBLE_EQ(eval("1.5e3 + 2E-1"), 1500.2);
}

TEST(Formula, DivisionByZeroIsZero) {
  EXPECT_DOUBLE_EQ(eval("a.b / (c - 4)"), 0.0);
}

TEST(Formula, MalformedFormulasNameTheOffset) {
  for (const char* bad : {"", "1 +", "(1", "1 2", "a.b * )", "1..2"}) {
    try {
      eval(bad);
      ADD_FAILURE() << "no error for '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("at offset"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(eval("nope + 1"), std::out_of_range);
}

TEST(StatTree, JsonNestsByPathInDeclarationOrder) {
  StatTree t;
  t.counter("core0.array.macs", "MAC", "multiply-accumulates", int64_t{9007199254740993});
  t.counter("run.cycles", "cycle", "cycles", int64_t{10});
  t.derived("core0.array.per_cycle", "MAC/cycle", "rate", "core0.array.macs / run.cycles");
  const auto j = t.to_json();
  EXPECT_EQ(
      j.dump(),
      R"({"core0":{"array":{"macs":{"value":9007199254740993,"unit":"MAC","description":"multiply-accumulates"},)"
      R"("per_cycle":{"value":900719925474099.3,"unit":"MAC/cycle","description":"rate",)"
      R"("formula":"core0.array.macs / run.cycles"}}},"run":{"cycles":{"value":10,"unit":"cycle",)"
      R"("description":"cycles"}}})");
}

TEST(StatTree, APathIsDeclaredOnceAndIsAStatOrAGroup) {
  StatTree t;
  t.counter("a.b", "1", "x", int64_t{1});
  EXPECT_THROW(t.counter("a.b", "1", "again", int64_t{2}), InternalError);
  EXPECT_THROW(t.counter("a.b.c", "1", "under a stat", int64_t{2}), InternalError);
  EXPECT_THROW(t.counter("a", "1", "over a stat", int64_t{2}), InternalError);
  EXPECT_THROW(t.counter("A.b", "1", "capital", int64_t{2}), InternalError);
  EXPECT_THROW(t.counter("a..b", "1", "empty name", int64_t{2}), InternalError);
  EXPECT_THROW(t.derived("d", "1", "undeclared", "zz + 1"), InternalError);
  EXPECT_THROW(t.derived("e", "1", "malformed", "a.b +"), InternalError);
}

TEST(RunStats, EveryStatHasAUnitAndADescriptionAndTheDerivedOnesFollowTheirFormulas) {
  ArchSpec arch;
  arch.core.array.rows = 4;
  arch.core.array.cols = 8;
  SimResult r;
  r.total_cycles = 100;
  r.simulated_ns = 100.0;
  r.total.macs = 1600;
  r.dram.reads = 4;
  r.dram.read_latency_sum_ns = 200.0;
  r.dram.read_bytes = 300;
  r.dram.write_bytes = 100;
  r.dram.atoms = 8;
  r.dram.row_hits = 6;
  r.scratchpads = {{"ifmap", 1, 2, 3, 4, 5, 0}};
  const StatTree t = run_stats(arch, r);
  std::set<std::string> paths;
  for (const Stat& s : t.stats()) {
    EXPECT_FALSE(s.unit.empty()) << s.path;
    EXPECT_FALSE(s.description.empty()) << s.path;
    EXPECT_TRUE(paths.insert(s.path).second) << s.path;
  }
  EXPECT_DOUBLE_EQ(t.value("core0.array.utilization"), 1600.0 / (100.0 * 32.0));
  EXPECT_DOUBLE_EQ(t.value("dram.avg_read_latency_ns"), 50.0);
  EXPECT_DOUBLE_EQ(t.value("dram.bandwidth_gbps"), 4.0);  // 400 B in 100 ns
  EXPECT_DOUBLE_EQ(t.value("dram.row_hit_rate"), 0.75);
  EXPECT_DOUBLE_EQ(t.value("core0.scratchpad.ifmap.write_bytes"), 2.0);
  EXPECT_EQ(t.find("core0.stalls.bank_conflict")->unit, "cycle");
}

}  // namespace systole::stats
