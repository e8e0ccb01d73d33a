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

  // A multi-core run: core<c>.* per core (core0's rows, documented once), noc.* with one group per
  // link direction and per router.
  SimResult m;
  for (int64_t c = 0; c < 2; ++c) {
    m.cores.push_back({c, LayerStats{}, {{"ifmap", 0, 0, 0, 0, 0, 0}}});
  }
  m.noc.topology = "mesh";
  m.noc.links = {{0, 1, 5, {}}, {1, 0, 3, {}}};
  m.noc.router_flits = {5, 3};
  int core1 = 0, link = 0, router = 0;
  const StatTree multi = run_stats(ArchSpec{}, m);
  for (const Stat& st : multi.stats()) {
    std::string path = st.path;
    if (path.rfind("core1.", 0) == 0) {
      path = "core0." + path.substr(6);
      ++core1;
    }
    if (path.rfind("core0.scratchpad.", 0) == 0)
      path = "core0.scratchpad.<name>" + path.substr(path.find('.', 17));
    if (path.rfind("noc.link.", 0) == 0) {
      path = "noc.link.r<a>_r<b>" + path.substr(path.find('.', 9));
      ++link;
    }
    if (path.rfind("noc.router.", 0) == 0) {
      path = "noc.router.r<k>" + path.substr(path.find('.', 11));
      ++router;
    }
    const std::string row = "| `" + path + "` | " + st.unit + " | " + st.description + " |";
    EXPECT_NE(doc.str().find(row), std::string::npos) << "docs/stats.md lacks the row\n" << row;
  }
  EXPECT_GT(core1, 0) << "every core has its own group";
  EXPECT_EQ(link, 2 * 3) << "3 stats per link direction";
  EXPECT_EQ(router, 2) << "1 stat per router";
}

}  // namespace systole::stats
