// noc.attach.* and cores.count: the default placement per topology, lists, and every bad value
// named with its key and line.
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "systole/config/loader.h"
#include "systole/config/noc_attachment.h"

namespace systole {
namespace {

using testing::diagnostic_for;
using testing::diagnostics_of;

std::string arch_text(const std::string& cores, const std::string& noc) {
  return "schema_version: 1\nname: x\ncores: {" + cores + "}\nnoc: {" + noc + "}\n";
}

TEST(NocAttachment, AutoPlacesCoresRowMajorAndMemoryOnTheWestAndEastEdges) {
  const ArchSpec a = load_arch_from_string(arch_text("count: 4", "topology: mesh, x: 4, y: 4"), "a.yaml");
  const NocAttachment at = resolve_noc_attachment(a);
  EXPECT_EQ(at.cores, (std::vector<int>{0, 1, 2, 3}));
  // One channel (dram.kind simple): the middle of the west edge, row floor(4 / 2) = 2.
  EXPECT_EQ(at.memory, (std::vector<int>{8}));

  ArchSpec two = a;
  two.dram.kind = DramKind::kCycle;
  two.dram.device.org.channels = 4;
  // Channels 0 and 2 on the west edge (rows 1 and 3), 1 and 3 on the east edge.
  EXPECT_EQ(resolve_noc_attachment(two).memory, (std::vector<int>{4, 7, 12, 15}));
  two.noc.topology = NocTopology::kRing;
  two.noc.x = 8;
  two.noc.y = 1;
  EXPECT_EQ(resolve_noc_attachment(two).memory, (std::vector<int>{0, 2, 4, 6}));
  two.noc.topology = NocTopology::kCrossbar;
  two.noc.x = 4;
  two.noc.y = 2;
  EXPECT_EQ(resolve_noc_attachment(two).memory, (std::vector<int>{4, 5, 6, 7}));  // after the 4 cores
}

TEST(NocAttachment, ListsAreReadFromYamlSequencesAndText) {
  const ArchSpec a = load_arch_from_string(
      arch_text("count: 2", "x: 2, y: 2, attach: {cores: [3, 0], memory: [1]}"), "a.yaml");
  EXPECT_EQ(a.noc.attach_cores, "3, 0");
  const NocAttachment at = resolve_noc_attachment(a);
  EXPECT_EQ(at.cores, (std::vector<int>{3, 0}));
  EXPECT_EQ(at.memory, (std::vector<int>{1}));  // one node for the one channel
  const ArchSpec b =
      load_arch_from_string(arch_text("count: 2", "x: 2, y: 2, attach: {cores: '2,1'}"), "a.yaml");
  EXPECT_EQ(resolve_noc_attachment(b).cores, (std::vector<int>{2, 1}));
}

TEST(NocAttachment, BadPlacementsNameTheKeyTheValueAndTheRule) {
  auto rule_of = [](const std::string& text, const std::string& key) {
    const auto ds = diagnostics_of([&] { load_arch_from_string(text, "a.yaml"); });
    return diagnostic_for(ds, key);
  };
  const Diagnostic out =
      rule_of(arch_text("count: 2", "x: 2, y: 2, attach: {cores: [0, 4]}"), "noc.attach.cores");
  EXPECT_EQ(out.value, "0, 4");
  EXPECT_NE(out.rule.find("from 0 to 3"), std::string::npos) << out.rule;
  EXPECT_NE(out.rule.find("'4' is not"), std::string::npos) << out.rule;
  EXPECT_EQ(out.line, 4);
  EXPECT_NE(rule_of(arch_text("count: 2", "x: 2, y: 2, attach: {cores: [1, 1]}"), "noc.attach.cores")
                .rule.find("lists node 1 twice"),
            std::string::npos);
  EXPECT_NE(rule_of(arch_text("count: 3", "x: 2, y: 2, attach: {cores: [0, 1]}"), "noc.attach.cores")
                .rule.find("cores.count is 3, the list has 2"),
            std::string::npos);
  EXPECT_NE(rule_of(arch_text("count: 2", "x: 2, y: 2, attach: {memory: [0, 1]}"), "noc.attach.memory")
                .rule.find("1 channel, the list has 2"),
            std::string::npos);
  EXPECT_NE(rule_of(arch_text("count: 2", "x: 2, y: 2, attach: {cores: 'a, b'}"), "noc.attach.cores")
                .rule.find("'a' is not"),
            std::string::npos);
  EXPECT_NE(rule_of(arch_text("count: 2", "x: 2, y: 2, attach: {cores: [[0], 1]}"), "noc.attach.cores")
                .rule.find("a list item is a list, not a scalar"),
            std::string::npos);
  EXPECT_NE(rule_of(arch_text("count: 5", "x: 2, y: 2"), "cores.count").rule.find("has 4"),
            std::string::npos);
  const Diagnostic single =
      rule_of(arch_text("count: 1", "x: 2, y: 2, attach: {cores: [2]}"), "noc.attach.cores");
  EXPECT_NE(single.rule.find("a single core"), std::string::npos) << single.rule;
}

}  // namespace
}  // namespace systole
