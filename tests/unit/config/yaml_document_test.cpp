// The safe YAML entry point (config/yaml_document.h): every rule of its event pass.
#include "systole/config/yaml_document.h"

#include <gtest/gtest.h>

#include <string>

namespace systole {
namespace {

std::string problems(const std::string& text, const YamlLimits& limits = YamlLimits{}) {
  const YamlDocument doc = parse_yaml_document(text, "f.yaml", limits);
  std::string out;
  for (const auto& d : doc.problems) out += d.str() + "\n";
  return out;
}

TEST(YamlDocument, AcceptsOrdinaryDocumentsAndAcyclicAliases) {
  const YamlDocument doc = parse_yaml_document("a: &x [1, 2]\nb: *x\nc: {d: 3}\n", "f.yaml");
  ASSERT_TRUE(doc.problems.empty()) << problems("a: &x [1, 2]\nb: *x\n");
  EXPECT_EQ(doc.root["b"].size(), 2u);
  EXPECT_EQ(doc.echo("b", doc.root["b"]), "*x");      // an alias is shown as its anchor
  EXPECT_EQ(doc.echo("a", doc.root["a"]), "[1, 2]");  // the anchored node as written
  EXPECT_TRUE(parse_yaml_document("", "f.yaml").problems.empty());
}

TEST(YamlDocument, RefusesCyclicAliases) {
  EXPECT_NE(problems("core: &c {array: *c}\n")
                .find("f.yaml:1: core.array = '*c': the alias refers to the node "
                      "that contains it (anchor &c at line 1): a cycle"),
            std::string::npos)
      << problems("core: &c {array: *c}\n");
  EXPECT_NE(problems("l: &l [1, [2, *l]]\n").find("l[1][1] = '*l'"), std::string::npos);
}

TEST(YamlDocument, BoundsTheExpandedSize) {
  std::string laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 6; ++i) {
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) laughs += (k ? ", *a" : "*a") + std::to_string(i - 1);
    laughs += "]\n";
  }
  EXPECT_NE(problems(laughs).find("more than 4000000 nodes"), std::string::npos);
  EXPECT_NE(problems("[1, 2, 3, 4]", YamlLimits{3, 64}).find("more than 3 nodes"), std::string::npos);
}

TEST(YamlDocument, RefusesDuplicateKeysWithTheirPathAndValue) {
  const std::string p = problems("layers:\n  - {name: c, kernel: 3, kernel: 5}\n");
  EXPECT_NE(p.find("f.yaml:2: layers[0].kernel = '5': duplicate key (first written at line 2)"),
            std::string::npos)
      << p;
  EXPECT_NE(problems("a: 1\nb: {c: 1}\nb: 2\n").find("f.yaml:3: b = '2': duplicate key"), std::string::npos);
  EXPECT_TRUE(problems("a: {x: 1}\nb: {x: 1}\n").empty());  // the same key in two maps is fine
}

TEST(YamlDocument, RefusesASecondDocument) {
  EXPECT_NE(problems("a: 1\n---\nb: 2\n").find("more than one YAML document"), std::string::npos);
}

TEST(YamlDocument, BoundsNesting) {
  EXPECT_NE(problems(std::string(70, '[') + std::string(70, ']')).find("nested deeper than 64 levels"),
            std::string::npos);
  EXPECT_NE(problems(std::string(5000, '[') + std::string(5000, ']')).find("deep"), std::string::npos);
}

TEST(YamlDocument, NamesTabIndentsAndBadText) {
  EXPECT_NE(problems("a:\n\tb: 1\n").find("f.yaml:2: a TAB in the indentation"), std::string::npos)
      << problems("a:\n\tb: 1\n");
  EXPECT_NE(problems("a: x\xff\n").find("f.yaml:1: column 5: byte 0xff is not valid UTF-8"),
            std::string::npos);
  EXPECT_NE(problems(std::string("a: \0\n", 5)).find("0x00 is a control character"), std::string::npos);
  EXPECT_NE(problems("a: [1, 2\n").find("malformed YAML"), std::string::npos);
}

TEST(YamlValueText, IsBoundedOnAnyTree) {
  const YamlDocument doc = parse_yaml_document("a: [" + std::string(1000, '1') + ", 2, 3]\n", "f.yaml");
  ASSERT_TRUE(doc.problems.empty());
  EXPECT_LE(yaml_value_text(doc.root, 50).size(), 60u);
}

}  // namespace
}  // namespace systole
