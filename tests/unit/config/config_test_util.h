// Helpers for the config unit tests: fixture paths and capturing the diagnostics of a failed load.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "systole/common/error.h"

namespace systole::testing {

inline std::string source_path(const std::string& relative) {
  return std::string(SYSTOLE_SOURCE_DIR) + "/" + relative;
}
inline std::string config_fixture(const std::string& name) {
  return source_path("tests/data/config/" + name);
}

// Runs `load`, which must throw ConfigError, and returns its diagnostics (empty, with a test
// failure, when it does not throw).
inline std::vector<Diagnostic> diagnostics_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const ConfigError& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return {};
}

// The one diagnostic about `key`, or a test failure listing all of them.
inline Diagnostic diagnostic_for(const std::vector<Diagnostic>& ds, const std::string& key) {
  std::string all;
  for (const auto& d : ds) {
    if (d.key == key) return d;
    all += "\n  " + d.str();
  }
  ADD_FAILURE() << "no diagnostic for key '" << key << "'; got:" << all;
  return {};
}

}  // namespace systole::testing
