// Output generated from the schema: arch_to_json and docs/config-reference.md.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config_test_util.h"
#include "systole/config/loader.h"
#include "systole/config/schema.h"

namespace systole {
namespace {

using testing::source_path;

nlohmann::json::json_pointer pointer(std::string key) {
  for (auto& c : key) c = c == '.' ? '/' : c;
  return nlohmann::json::json_pointer("/" + key);
}

TEST(ArchToJson, MirrorsTheYamlTreeWithEveryParameter) {
  const ArchSpec a =
      load_arch_from_string("schema_version: 1\nname: j\ncore: {array: {rows: 48}}\n", "j.yaml");
  const nlohmann::json j = arch_to_json(a);
  size_t leaves = 0;
  for (const auto& p : arch_schema()) {
    ASSERT_TRUE(j.contains(pointer(p.key))) << p.key;
    const auto& v = j.at(pointer(p.key));
    switch (p.type) {
      case ParamType::kInt:
        EXPECT_TRUE(v.is_number_integer()) << p.key;
        break;
      case ParamType::kFloat:
        EXPECT_TRUE(v.is_number_float()) << p.key;
        break;
      case ParamType::kBool:
        EXPECT_TRUE(v.is_boolean()) << p.key;
        break;
      case ParamType::kString:
      case ParamType::kEnum:
        EXPECT_TRUE(v.is_string()) << p.key;
        break;
    }
    ++leaves;
  }
  EXPECT_EQ(j.flatten().size(), leaves) << "nothing but schema parameters";
  EXPECT_EQ(j["core"]["array"]["rows"], 48);
  EXPECT_EQ(j["core"]["array"]["dataflow"], "ws");
  EXPECT_EQ(j["dram"]["bandwidth_gbps"], 25.6);
}

TEST(ArchToJson, RoundTripsThroughYaml) {
  // The JSON of a resolved config is valid YAML for the loader and resolves to the same config.
  const ArchSpec a = load_arch(source_path("arch/tpu_v1.yaml"));
  const ArchSpec b = load_arch_from_string(arch_to_json(a).dump(), "roundtrip.json");
  EXPECT_EQ(arch_to_json(a).dump(), arch_to_json(b).dump());
}

TEST(ConfigReference, HasATablePerSectionAndEveryKey) {
  const std::string md = config_reference_markdown();
  EXPECT_EQ(md.rfind("# Configuration reference\n", 0), 0u);
  for (const auto& s : schema_sections()) {
    bool holds_params = false;
    for (const auto& p : arch_schema()) holds_params = holds_params || p.section() == s;
    if (!holds_params) continue;
    EXPECT_NE(md.find(s.empty() ? std::string("\n## Top level\n") : "\n## `" + s + "`\n"), std::string::npos)
        << s;
  }
  for (const auto& p : arch_schema()) {
    const std::string leaf = p.key.substr(p.key.rfind('.') == std::string::npos ? 0 : p.key.rfind('.') + 1);
    EXPECT_NE(md.find("| `" + leaf + "` |"), std::string::npos) << p.key;
    EXPECT_NE(md.find(p.doc), std::string::npos) << p.key;
  }
  EXPECT_NE(md.find("| `rows` | int | PEs | `32` | >= 1 and <= 4096 |"), std::string::npos);
  EXPECT_NE(md.find("| `schema_version` | int | - | **required** | = 1 |"), std::string::npos);
}

// docs/config-reference.md must be the generated text. SYSTOLE_UPDATE_DOCS=1 rewrites it.
TEST(ConfigReference, CommittedDocIsCurrent) {
  const std::string path = source_path("docs/config-reference.md");
  const std::string generated = config_reference_markdown();
  if (const char* update = std::getenv("SYSTOLE_UPDATE_DOCS"); update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << generated;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; generate it with `systole config-doc > docs/config-reference.md`";
  std::ostringstream committed;
  committed << in.rdbuf();
  EXPECT_TRUE(committed.str() == generated)
      << path
      << " is stale: regenerate it with `systole config-doc > docs/config-reference.md` (or run this test "
      << "with SYSTOLE_UPDATE_DOCS=1) and commit the result";
}

}  // namespace
}  // namespace systole
