// Scratchpads named by the spec and the placement of the operand roles in them (core.operands):
// a unified scratchpad loads, round-trips through report.json's config, and every mistake is a
// diagnostic naming its key.
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "systole/config/loader.h"
#include "systole/config/schema.h"

namespace systole {
namespace {

using testing::diagnostic_for;
using testing::diagnostics_of;

const char* kUnified = R"(schema_version: 1
name: unified
core:
  scratchpads:
    unified: {capacity_kib: 768, read_bytes_per_cycle: 256, banks: 64}
  operands: {ifmap: unified, weight: unified, ofmap: unified}
)";

TEST(Scratchpads, DefaultIsOnePerRoleUnderTheRolesName) {
  const ArchSpec a = load_arch_from_string("schema_version: 1\nname: x\n", "a.yaml");
  const auto named = a.core.scratchpads.named();
  ASSERT_EQ(named.size(), 3u);
  EXPECT_EQ(named[0].name, "ifmap");
  EXPECT_EQ(named[1].name, "weight");
  EXPECT_EQ(named[2].name, "ofmap");
  for (const OperandRole r : kOperandRoles) {
    EXPECT_FALSE(a.core.scratchpads.shared(r));
    EXPECT_EQ(a.core.scratchpads.named_index(r), index_of(r));
  }
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kOfmap).read_bytes_per_cycle, 128)
      << "the ofmap's own defaults";
}

TEST(Scratchpads, UnifiedScratchpadHoldsEveryRole) {
  const ArchSpec a = load_arch_from_string(kUnified, "u.yaml");
  const auto named = a.core.scratchpads.named();
  ASSERT_EQ(named.size(), 1u) << "the standard three hold no role and are not built";
  EXPECT_EQ(named[0].name, "unified");
  EXPECT_EQ(named[0].params->capacity_kib, 768);
  EXPECT_EQ(named[0].params->read_bytes_per_cycle, 256);
  EXPECT_EQ(named[0].params->write_bytes_per_cycle, 64) << "unset keys take the <name> defaults";
  EXPECT_EQ(named[0].params->banks, 64);
  for (const OperandRole r : kOperandRoles) {
    EXPECT_TRUE(a.core.scratchpads.shared(r));
    EXPECT_EQ(a.core.scratchpads.named_index(r), 0);
    EXPECT_EQ(&a.core.scratchpads.of(r), named[0].params);
  }
}

TEST(Scratchpads, TwoRolesShareAndOneStandsAlone) {
  const ArchSpec a = load_arch_from_string(R"(schema_version: 1
name: x
core:
  scratchpads:
    act: {capacity_kib: 512}
  operands: {ifmap: act, ofmap: act}
)",
                                           "a.yaml");
  const auto named = a.core.scratchpads.named();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].name, "weight") << "declaration order: the standard ones first";
  EXPECT_EQ(named[1].name, "act");
  EXPECT_TRUE(a.core.scratchpads.shared(OperandRole::kIfmap));
  EXPECT_FALSE(a.core.scratchpads.shared(OperandRole::kWeight));
  EXPECT_EQ(a.core.scratchpads.named_index(OperandRole::kOfmap), 1);
}

TEST(Scratchpads, ConfigJsonHoldsWhatIsBuiltAndLoadsBack) {
  const ArchSpec a = load_arch_from_string(kUnified, "u.yaml");
  const nlohmann::json j = arch_to_json(a);
  const auto& spms = j.at("core").at("scratchpads");
  EXPECT_EQ(spms.size(), 1u) << spms.dump();
  EXPECT_EQ(spms.at("unified").at("capacity_kib"), 768);
  EXPECT_EQ(j.at("core").at("operands").at("weight"), "unified");
  const ArchSpec b = load_arch_from_json(j, "report.json", "config.");
  EXPECT_EQ(arch_to_json(b), j) << "re-pricing reloads the same scratchpads";
  EXPECT_EQ(b.core.scratchpads.named().at(0).name, "unified");
}

TEST(Scratchpads, SetDeclaresAScratchpadAndChecksItsRange) {
  const ArchSpec a = load_arch_from_string(
      "schema_version: 1\nname: x\n", "a.yaml",
      {"core.scratchpads.big.capacity_kib=1024", "core.operands.ifmap=big", "core.operands.weight=big"});
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kWeight).capacity_kib, 1024);
  EXPECT_EQ(a.core.scratchpads.named().size(), 2u);

  const auto ds = diagnostics_of([] {
    load_arch_from_string("schema_version: 1\nname: x\n", "a.yaml",
                          {"core.scratchpads.big.banks=3", "core.operands.ifmap=big"});
  });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "core.scratchpads.big.banks");
  EXPECT_EQ(ds[0].value, "3");
  EXPECT_NE(ds[0].rule.find("power of two"), std::string::npos) << ds[0].rule;
}

TEST(Scratchpads, RoleNamingAnUndeclaredScratchpadIsAnError) {
  const auto ds = diagnostics_of([] {
    load_arch_from_string("schema_version: 1\nname: x\ncore:\n  operands: {weight: wbuf}\n", "a.yaml");
  });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "core.operands.weight");
  EXPECT_EQ(ds[0].value, "wbuf");
  EXPECT_EQ(ds[0].line, 4);
  EXPECT_NE(ds[0].rule.find("must name a scratchpad the spec declares (ifmap, weight, ofmap)"),
            std::string::npos)
      << ds[0].rule;
}

TEST(Scratchpads, KeysOfAScratchpadHoldingNoRoleAreAnError) {
  const auto ds = diagnostics_of([] {
    load_arch_from_string(R"(schema_version: 1
name: x
core:
  scratchpads:
    weight: {capacity_kib: 64}
    shared: {capacity_kib: 512}
  operands: {ifmap: shared, weight: shared}
)",
                          "a.yaml");
  });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "core.scratchpads.weight.capacity_kib");
  EXPECT_EQ(ds[0].line, 5);
  EXPECT_NE(ds[0].rule.find("no operand lives in scratchpad 'weight'"), std::string::npos) << ds[0].rule;
  EXPECT_NE(ds[0].rule.find("weight in 'shared'"), std::string::npos) << ds[0].rule;

  // A scratchpad declared under a new name but used by no role is the same mistake.
  const auto ds2 = diagnostics_of([] {
    load_arch_from_string("schema_version: 1\nname: x\ncore:\n  scratchpads:\n    spare: {banks: 8}\n",
                          "a.yaml");
  });
  ASSERT_EQ(ds2.size(), 1u);
  EXPECT_EQ(ds2[0].key, "core.scratchpads.spare.banks");
}

TEST(Scratchpads, KeysBeneathALaterPlacementAreDropped) {
  // A file's own scratchpads under `--set core.operands...`: the file's weight scratchpad is
  // simply not built, as a file's DRAM keys beneath `--set dram.kind=...` are.
  const std::string file =
      "schema_version: 1\nname: x\ncore:\n  scratchpads:\n    weight: {capacity_kib: 64}\n";
  const ArchSpec a = load_arch_from_string(file, "a.yaml", {"core.operands.weight=ifmap"});
  ASSERT_EQ(a.core.scratchpads.named().size(), 2u);
  EXPECT_EQ(a.core.scratchpads.name_of(OperandRole::kWeight), "ifmap");
  EXPECT_FALSE(arch_to_json(a).at("core").at("scratchpads").contains("weight"));
}

TEST(Scratchpads, NamesAreLowerCaseIdentifiers) {
  EXPECT_TRUE(is_scratchpad_name("unified_buffer2"));
  EXPECT_FALSE(is_scratchpad_name("Unified"));
  EXPECT_FALSE(is_scratchpad_name("2x"));
  EXPECT_FALSE(is_scratchpad_name(""));
  EXPECT_FALSE(is_scratchpad_name(std::string(33, 'a')));
  EXPECT_TRUE(is_schema_section("core.scratchpads.unified"));
  EXPECT_FALSE(is_schema_section("core.scratchpads.Unified"));
  EXPECT_EQ(find_param("core.scratchpads.unified.capacity"), nullptr) << "fields are the schema's";

  const auto ds = diagnostics_of([] {
    load_arch_from_string("schema_version: 1\nname: x\ncore:\n  scratchpads:\n    Big: {capacity_kib: 8}\n",
                          "a.yaml");
  });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key, "core.scratchpads.Big");
  EXPECT_EQ(ds[0].line, 5);
  EXPECT_NE(ds[0].rule.find("'Big' is not a scratchpad name (a lower-case letter"), std::string::npos)
      << ds[0].rule;
}

}  // namespace
}  // namespace systole

namespace systole {
namespace {

TEST(Scratchpads, OneProcessKeepsABoundedNumberOfNames) {
  // Each name's keys are made once and kept; a process reading endless inputs (the fuzzer) must
  // not grow without bound, so past 4096 names a new one is a configuration error.
  int made = 0;
  try {
    for (int i = 0; i < 5000; ++i) {
      ASSERT_NE(find_param("core.scratchpads.n" + std::to_string(i) + ".banks"), nullptr);
      ++made;
    }
    FAIL() << "no limit";
  } catch (const ConfigError& e) {
    EXPECT_GE(made, 4000);
    EXPECT_LE(made, 4096);
    EXPECT_NE(e.diagnostics().at(0).rule.find("at most 4096 different scratchpad names"), std::string::npos);
  }
  EXPECT_NE(find_param("core.scratchpads.n0.banks"), nullptr) << "names already made stay";
}

}  // namespace
}  // namespace systole
