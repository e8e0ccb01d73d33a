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
  r.dram.channels.resize(2);  // dram.kind cycle: one group per channel
  const StatTree t = run_stats(ArchSpec{}, r);
  int channel_stats = 0;
  for (const Stat& s : t.stats()) {
    std::string path = s.path;
    // One row per group: core0.scratchpad.<name>.*, dram.ch<c>.*
    for (const std::string group : {"core0.scratchpad.", "dram.ch"}) {
      if (path.compare(0, group.size(), group) != 0) continue;
      path = group + (group == "dram.ch" ? "<c>" : "<name>") + path.substr(path.find('.', group.size()));
      channel_stats += group == "dram.ch" ? 1 : 0;
    }
    const std::string row = "| `" + path + "` | " + s.unit + " | " + s.description + " |";
    EXPECT_NE(doc.str().find(row), std::string::npos) << "docs/stats.md lacks the row\n" << row;
  }
  EXPECT_EQ(channel_stats, 2 * 12) << "12 stats per DRAM channel";
}

}  // namespace systole::stats
