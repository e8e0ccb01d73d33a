// The YAML loader: each kind of mistake is reported with file, line, key path, value and rule, and
// all mistakes in a file come back together.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config_test_util.h"
#include "systole/config/loader.h"

namespace systole {
namespace {

using testing::config_fixture;
using testing::diagnostic_for;
using testing::diagnostics_of;

std::vector<Diagnostic> errors_of(const std::string& fixture) {
  return diagnostics_of([&] { load_arch(config_fixture(fixture)); });
}

// One expected diagnostic of a broken fixture.
struct BadFixture {
  std::string file;
  std::string key;
  int line;
  std::string value;
  std::string rule_part;
};

void PrintTo(const BadFixture& f, std::ostream* os) {
  *os << f.file << " -> " << f.key << ":" << f.line;
}

class BadYamlFixture : public ::testing::TestWithParam<BadFixture> {};

TEST_P(BadYamlFixture, ReportsFileLineKeyValueAndRule) {
  const BadFixture& c = GetParam();
  const auto ds = errors_of(c.file);
  ASSERT_EQ(ds.size(), 1u) << "one mistake, one diagnostic; got: " << (ds.empty() ? "" : ds[0].str());
  const Diagnostic& d = ds[0];
  EXPECT_EQ(d.file, config_fixture(c.file));
  EXPECT_EQ(d.key, c.key);
  EXPECT_EQ(d.line, c.line) << d.str();
  EXPECT_EQ(d.value, c.value) << d.str();
  EXPECT_NE(d.rule.find(c.rule_part), std::string::npos) << d.str();
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, BadYamlFixture,
    ::testing::Values(
        BadFixture{"unknown_key.yaml", "core.array.rowz", 6, "64",
                   "unknown key; did you mean 'core.array.rows'?"},
        BadFixture{"wrong_type.yaml", "core.array.rows", 6, "abc",
                   "must be an integer >= 1 and <= 4096 (got text)"},
        BadFixture{"zero_rows.yaml", "core.array.rows", 6, "0", "must be an integer >= 1 and <= 4096"},
        BadFixture{"negative_capacity.yaml", "core.scratchpads.weight.capacity_kib", 7, "-16",
                   "must be an integer >= 1"},
        BadFixture{"bad_dataflow.yaml", "core.array.dataflow", 6, "rs", "must be one of: ws, os, is"},
        BadFixture{"missing_schema_version.yaml", "schema_version", 0, "", "required key is missing"},
        BadFixture{"wrong_schema_version.yaml", "schema_version", 2, "2", "must be 1"},
        BadFixture{"scalar_for_map.yaml", "core.array", 5, "32", "must be a map"},
        BadFixture{"map_for_scalar.yaml", "core.array.rows", 7, "{value: 32}", "(got a map)"},
        BadFixture{"bad_burst.yaml", "core.dma.burst_bytes", 6, "48", "must be a power of two"},
        BadFixture{"duplicate_key.yaml", "core.array.rows", 6, "16",
                   "duplicate key (first written at line 5)"},
        BadFixture{"quoted_number.yaml", "core.array.cols", 6, "32", "(got a quoted string)"},
        BadFixture{"empty.yaml", "", 1, "", "the config is empty"},
        BadFixture{"float_for_int.yaml", "core.vector.lanes", 6, "16.5", "(got a decimal number)"},
        BadFixture{"zero_bandwidth.yaml", "dram.bandwidth_gbps", 5, "0", "must be a number >= 0.1"},
        BadFixture{"not_a_map.yaml", "", 2, "[{schema_version: 1}, {name: list}]",
                   "must be a map of keys (got a list)"},
        BadFixture{"accumulator_mismatch.yaml", "core.array.accumulator_type", 8, "int32", "must be fp32"},
        BadFixture{"scalesim_compat_conflict.yaml", "core.array.preload_overlap", 7, "true",
                   "must be false (or left out) when core.array.scalesim_compat is true"},
        BadFixture{"scalesim_compat_direct.yaml", "core.array.operand_feeder", 7, "direct",
                   "must be staged (or left out) when core.array.scalesim_compat is true"}),
    [](const ::testing::TestParamInfo<BadFixture>& info) {
      std::string n = info.param.file.substr(0, info.param.file.find('.'));
      return n;
    });

TEST(YamlLoader, MalformedYamlNamesFileAndLine) {
  const auto ds = errors_of("malformed.yaml");
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].file, config_fixture("malformed.yaml"));
  EXPECT_GE(ds[0].line, 5) << "the flow list opens on line 5: " << ds[0].str();
  EXPECT_EQ(ds[0].rule.rfind("malformed YAML: ", 0), 0u) << ds[0].str();
}

TEST(YamlLoader, CollectsEveryProblemInOneError) {
  const auto ds = errors_of("multiple_errors.yaml");
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(diagnostic_for(ds, "core.array.colz").line, 5);
  EXPECT_EQ(diagnostic_for(ds, "core.array.colz").rule, "unknown key; did you mean 'core.array.cols'?");
  EXPECT_EQ(diagnostic_for(ds, "core.vector.lanes").line, 7);
  EXPECT_EQ(diagnostic_for(ds, "dram.kind").line, 9);
  EXPECT_EQ(diagnostic_for(ds, "dram.kind").value, "hbm9");
  EXPECT_EQ(diagnostic_for(ds, "dram.kind").rule, "must be one of: ideal, simple, cycle");
  EXPECT_EQ(diagnostic_for(ds, "name").rule, "required key is missing");
  // The message lists them all, each with file and line.
  try {
    load_arch(config_fixture("multiple_errors.yaml"));
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("(4 problems)"), std::string::npos) << what;
    EXPECT_NE(what.find("multiple_errors.yaml:9: dram.kind = 'hbm9': must be one of: ideal, simple"),
              std::string::npos)
        << what;
  }
}

TEST(YamlLoader, MinimalConfigTakesSchemaDefaults) {
  const ArchSpec a = load_arch(config_fixture("minimal.yaml"));
  EXPECT_EQ(a.name, "minimal");
  EXPECT_EQ(a.schema_version, 1);
  EXPECT_EQ(arch_to_json(a).dump(), [] {
    ArchSpec d;
    d.name = "minimal";
    return arch_to_json(d).dump();
  }());
}

TEST(YamlLoader, ReadsEveryKindOfValue) {
  const ArchSpec a = load_arch_from_string(
      "schema_version: 1\nname: all-kinds\ncore:\n  clock_mhz: 850.5\n  array: {rows: 8, cols: 16, dataflow: "
      "os, "
      "input_type: bf16, weight_type: fp16, accumulator_type: fp32, preload_overlap: false}\n"
      "  scratchpads:\n    ofmap: {capacity_kib: 12}\n  dma: {burst_bytes: 128}\ndram: {kind: ideal, "
      "latency_ns: 0}\n",
      "inline.yaml");
  EXPECT_EQ(a.core.array.rows, 8);
  EXPECT_EQ(a.core.array.cols, 16);
  EXPECT_EQ(a.core.array.dataflow, Dataflow::kOutputStationary);
  EXPECT_EQ(a.core.array.input_type, DataType::kBf16);
  EXPECT_EQ(a.core.array.weight_type, DataType::kFp16);
  EXPECT_EQ(a.core.array.accumulator_type, DataType::kFp32);
  EXPECT_FALSE(a.core.array.microarch.preload_overlap);
  EXPECT_TRUE(a.core.array.microarch.fold_pipelining);
  EXPECT_FALSE(a.core.array.microarch.scalesim_counting);
  EXPECT_DOUBLE_EQ(a.core.clock_mhz, 850.5);
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kOfmap).capacity_kib, 12);
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kOfmap).capacity_bytes(), 12 * 1024);
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kIfmap).capacity_kib, 256)
      << "untouched sibling keeps its default";
  EXPECT_EQ(a.core.dma.burst_bytes, 128);
  EXPECT_EQ(a.dram.kind, DramKind::kIdeal);
  EXPECT_DOUBLE_EQ(a.dram.latency_ns, 0.0);
}

TEST(YamlLoader, EmptySectionIsAllowed) {
  const ArchSpec a = load_arch_from_string("schema_version: 1\nname: x\ncore:\n", "s.yaml");
  EXPECT_EQ(a.core.array.rows, 32);
}

TEST(YamlLoader, SourceNameAppearsInDiagnostics) {
  const auto ds =
      diagnostics_of([] { load_arch_from_string("schema_version: 1\nname: x\nbogus: 1\n", "inline.yaml"); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].file, "inline.yaml");
  EXPECT_EQ(ds[0].line, 3);
  EXPECT_EQ(ds[0].key, "bogus");
}

TEST(YamlLoader, MissingFileNamesThePath) {
  const auto ds = diagnostics_of([] { load_arch("/nonexistent/dir/arch.yaml"); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].file, "/nonexistent/dir/arch.yaml");
  EXPECT_NE(ds[0].rule.find("cannot open"), std::string::npos) << ds[0].str();
}

TEST(YamlLoader, DirectoryIsAnError) {
  const auto ds = diagnostics_of([] { load_arch(config_fixture("")); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_NE(ds[0].rule.find("is a directory"), std::string::npos) << ds[0].str();
}

// The lead's bad-input suite reuses these fixtures: each says on its first line what is broken.
TEST(YamlLoader, EveryFixtureStartsWithAComment) {
  int broken = 0;
  for (const auto& entry : std::filesystem::directory_iterator(config_fixture(""))) {
    std::ifstream in(entry.path());
    std::string first;
    std::getline(in, first);
    EXPECT_TRUE(!first.empty() && (first[0] == '#' || first[0] == ';')) << entry.path();
    if (first.find("Broken") != std::string::npos) ++broken;
  }
  EXPECT_GE(broken, 12);
}

}  // namespace
}  // namespace systole
