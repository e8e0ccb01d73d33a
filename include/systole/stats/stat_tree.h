// Statistics as a tree keyed by module path ("core0.array.macs", "dram.row_hits"), each declared
// once with its unit and description (docs/stats.md). A counter holds a value the run counted; a
// derived stat holds a formula over other stats (stats/formula.h) and is evaluated from them, so
// the report states how it was computed. report.json's "stats" section is to_json() of the run's
// tree (stats/run_stats.h).
//
// Contract: paths are dot-separated names of [a-z0-9_]; a path is declared once and is either a
// stat (a leaf) or a group of stats, never both (InternalError otherwise: declarations are code).
// A derived stat's formula may name only stats declared before it. Order is declaration order,
// so the JSON is deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace systole::stats {

struct Stat {
  std::string path;
  std::string unit;  // "cycle", "B", "MAC", "ns", "1" (a ratio), ...
  std::string description;
  double value = 0.0;
  bool integer = false;  // a count: `count` holds it exactly and the JSON writes it as an integer
  int64_t count = 0;
  std::string formula;  // derived stats only: the expression over other stats' paths
};

class StatTree {
 public:
  void counter(const std::string& path, const std::string& unit, const std::string& description,
               int64_t value);
  void counter(const std::string& path, const std::string& unit, const std::string& description,
               double value);
  // Evaluates `formula` over the stats declared so far.
  void derived(const std::string& path, const std::string& unit, const std::string& description,
               const std::string& formula);

  const Stat* find(const std::string& path) const;
  // InternalError for an undeclared path.
  double value(const std::string& path) const;
  const std::vector<Stat>& stats() const { return m_stats; }

  // {"core0": {"array": {"macs": {"value": 123, "unit": "MAC", "description": "...",
  // ["formula": "..."]}}}}
  nlohmann::ordered_json to_json() const;

 private:
  void add(Stat s);
  std::vector<Stat> m_stats;
};

}  // namespace systole::stats
