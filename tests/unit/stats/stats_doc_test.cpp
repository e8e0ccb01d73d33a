// docs/stats.md lists every stat a run writes (src/stats/run_stats.cpp), with its unit.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "systole/stats/run_stats.h"

namespace systole::stats {

TEST(StatsDoc, EveryStatOfARunIsDocumented) {
  std::ifstream in(std::string(SYSTOLE_SOURCE_DIR) + "/docs/stats.md");
  ASSERT_TRUE(in) << "docs/stats.md is missing";
  std::stringstream doc;
  doc << in.rdbuf();
  SimResult r;
  r.scratchpads = {{"ifmap", 0, 0, 0, 0, 0, 0}, {"weight", 0, 0, 0, 0, 0, 0}, {"ofmap", 0, 0, 0, 0, 0, 0}};
  const StatTree t = run_stats(ArchSpec{}, r);
  const std::string scratchpad = "core0.scratchpad.";
  for (const Stat& s : t.stats()) {
    std::string path = s.path;
    if (path.compare(0, scratchpad.size(), scratchpad) == 0)
      path = scratchpad + "<name>" + path.substr(path.find('.', scratchpad.size()));
    const std::string row = "| `" + path + "` | " + s.unit + " | " + s.description + " |";
    EXPECT_NE(doc.str().find(row), std::string::npos) << "docs/stats.md lacks the row\n" << row;
  }
}

}  // namespace systole::stats
