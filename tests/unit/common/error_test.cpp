#include "systole/common/error.h"

#include <gtest/gtest.h>

namespace systole {

TEST(Diagnostic, NamesFileLineKeyValueAndRule) {
  Diagnostic d{"arch/x.yaml", 7, "core.array.rows", "-3", "must be an integer >= 1"};
  EXPECT_EQ(d.str(), "arch/x.yaml:7: core.array.rows = '-3': must be an integer >= 1");
}

TEST(Diagnostic, WithoutKeyOrValueHasNoEmptyField) {
  Diagnostic d{"net.yaml", 3, "", "", "malformed YAML: bad indentation"};
  EXPECT_EQ(d.str(), "net.yaml:3: malformed YAML: bad indentation");
}

TEST(ConfigError, ListsEveryDiagnostic) {
  ConfigError e({{"a.yaml", 1, "x", "1", "bad"}, {"a.yaml", 2, "y", "2", "worse"}});
  std::string msg = e.what();
  EXPECT_NE(msg.find("2 problems"), std::string::npos);
  EXPECT_NE(msg.find("a.yaml:1: x = '1': bad"), std::string::npos);
  EXPECT_NE(msg.find("a.yaml:2: y = '2': worse"), std::string::npos);
  EXPECT_EQ(e.diagnostics().size(), 2u);
}

}  // namespace systole
