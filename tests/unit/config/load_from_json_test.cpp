// load_arch_from_json (config/loader.h): a resolved config read back through the loader.
#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/config/loader.h"

namespace systole {

TEST(LoadFromJson, AResolvedConfigReadsBackToTheSameConfig) {
  const ArchSpec a = load_arch(std::string(SYSTOLE_SOURCE_DIR) + "/arch/default.yaml");
  const nlohmann::json j = arch_to_json(a);
  const ArchSpec b = load_arch_from_json(j, "r.json", "config.");
  EXPECT_EQ(arch_to_json(b), j);
}

TEST(LoadFromJson, ErrorsNameTheSourceAndThePrefixedKeyWithoutALine) {
  nlohmann::json j = arch_to_json(load_arch(std::string(SYSTOLE_SOURCE_DIR) + "/arch/default.yaml"));
  j["core"]["clock_mhz"] = 0;
  j["core"]["array"]["input_type"] = "int7";
  try {
    load_arch_from_json(j, "run/report.json", "config.");
    FAIL() << "no throw";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 2u) << e.what();
    for (const Diagnostic& d : e.diagnostics()) {
      EXPECT_EQ(d.file, "run/report.json");
      EXPECT_EQ(d.line, 0);
      EXPECT_EQ(d.key.rfind("config.core.", 0), 0u) << d.key;
    }
  }
}

}  // namespace systole
