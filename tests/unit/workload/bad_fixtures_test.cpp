// Every broken fixture in tests/data/workload/ is rejected with a WorkloadError that names the file,
// the line, the key path and the offending value, and says which rule was broken.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

struct BadFixture {
  const char* file;
  int line;
  const char* key;
  const char* value;
  const char* rule_part;
};

void PrintTo(const BadFixture& f, std::ostream* os) {
  *os << f.file;
}

class BadFixtureTest : public ::testing::TestWithParam<BadFixture> {};

TEST_P(BadFixtureTest, RejectedWithFileLineKeyAndValue) {
  const BadFixture& f = GetParam();
  const std::string path = std::string(SYSTOLE_SOURCE_DIR) + "/tests/data/workload/" + f.file;
  auto ds = workload_errors([&] { load_network(path); });
  ASSERT_FALSE(ds.empty());
  bool found = false;
  for (const Diagnostic& d : ds) {
    EXPECT_EQ(d.file, path);
    if (d.key == f.key && d.line == f.line && d.value == f.value &&
        d.rule.find(f.rule_part) != std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << "wanted line " << f.line << " key '" << f.key << "' value '" << f.value
                     << "' rule ~ '" << f.rule_part << "'; got:\n"
                     << all_text(ds);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, BadFixtureTest,
    ::testing::Values(
        BadFixture{"unknown_input.yaml", 8, "layers[2].input", "conv9", "unknown input"},
        BadFixture{"shape_mismatch.yaml", 8, "layers[2].inputs", "[1, 64, 56, 56] + [1, 128, 28, 28]",
                   "shapes that broadcast"},
        BadFixture{"duplicate_name.yaml", 7, "layers[1].name", "conv1", "duplicate name"},
        BadFixture{"bad_kernel.yaml", 9, "layers[0].kernel", "three", "must be an integer"},
        BadFixture{"unknown_key.yaml", 10, "layers[0].kernal", "3", "did you mean 'kernel'"},
        BadFixture{"bad_type.yaml", 6, "layers[0].type", "conv3d", "did you mean 'conv2d'"},
        BadFixture{"kernel_too_large.yaml", 6, "layers[0].kernel", "7", "larger than the padded input 6"},
        BadFixture{"negative_size.yaml", 6, "layers[0].out_channels", "-8", ">= 1"},
        BadFixture{"input_defined_later.yaml", 6, "layers[0].input", "second", "defined later"},
        BadFixture{"bad_groups.yaml", 6, "layers[0].groups", "4", "divisible by groups"},
        BadFixture{"bad_activation.yaml", 6, "layers[0].function", "swish", "must be one of"},
        BadFixture{"bad_padding.yaml", 6, "layers[0].padding", "full", "'same' or 'valid'"},
        BadFixture{"bad_columns.csv", 3, "row 2", "Conv2,27,27,5,5,96,256,",
                   "has 7 columns; the header has 8"},
        BadFixture{"non_integer.csv", 3, "Conv2.Filter Height", "5.5", "positive integer"},
        BadFixture{"bad_header.csv", 1, "header",
                   "Layer name, IFMAP Hieght, IFMAP Width, Filter Height, Filter "
                   "Width, Channels, Num Filter, Strides,",
                   "unknown SCALE-Sim topology header"},
        BadFixture{"zero_dim.csv", 3, "PV.N", "0", ">= 1"},
        BadFixture{"filter_too_large.csv", 2, "Conv1.Filter Height", "7", "larger than the ifmap 5x5"}));

TEST(BadFixtures, MalformedYamlReportsTheParserLine) {
  const std::string path = std::string(SYSTOLE_SOURCE_DIR) + "/tests/data/workload/malformed.yaml";
  auto ds = workload_errors([&] { load_network(path); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].file, path);
  EXPECT_GE(ds[0].line, 5);  // the unclosed '[' opens on line 5; the parser notices at or after it
  EXPECT_NE(ds[0].rule.find("malformed YAML"), std::string::npos) << ds[0].rule;
}

TEST(BadFixtures, MissingFileCannotOpen) {
  const std::string path = std::string(SYSTOLE_SOURCE_DIR) + "/tests/data/workload/does_not_exist.yaml";
  auto ds = workload_errors([&] { load_network(path); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].file, path);
  EXPECT_NE(ds[0].rule.find("cannot open"), std::string::npos);
}

TEST(BadFixtures, UnknownExtension) {
  auto ds = workload_errors([&] { load_network("model.onnx"); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].value, ".onnx");
}

}  // namespace
}  // namespace systole::test
