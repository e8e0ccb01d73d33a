// A run of the workload `dir`/net.yaml as a user runs it, for integration tests: its report.json.
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole::testing {

// `systole run --workload dir/net.yaml <args> -q -o dir/<name>`; its report.json, or null (with a
// test failure naming stderr) when the run fails.
inline nlohmann::json run_net_report(const std::filesystem::path& dir, const std::string& name,
                                     const std::string& args) {
  const auto r =
      run_systole("run --workload " + q(dir / "net.yaml") + " " + args + " -q -o " + q(dir / name), dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return nlohmann::json();
  return nlohmann::json::parse(read_file(dir / name / "report.json"));
}

}  // namespace systole::testing
