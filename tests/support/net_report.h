// Runs of workloads as a user runs them, for integration tests: their report.json, and the checks
// every functional run makes.
#pragma once

#include <filesystem>
#include <map>
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

// The default arch with fp16 operands and fp32 accumulators (for --functional runs of float math).
inline constexpr const char* kFloatArch =
    " --set core.array.input_type=fp16 --set core.array.weight_type=fp16 --set "
    "core.array.accumulator_type=fp32";

// `systole run --quiet --out dir/<out> <args>`; its report.json, or null (with a test failure
// naming stderr) when the run fails.
inline nlohmann::json run_report(const std::filesystem::path& dir, const std::string& args,
                                 const std::string& out = "out") {
  const auto r = run_systole("run --quiet --out " + q(dir / out) + " " + args, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return nlohmann::json();
  return nlohmann::json::parse(read_file(dir / out / "report.json"));
}

// Writes `yaml` to a fresh directory named after `name` and runs it with `flags`.
inline nlohmann::json run_workload(const std::string& name, const std::string& yaml,
                                   const std::string& flags) {
  const auto dir = fresh_dir(name);
  write_file(dir / "w.yaml", yaml);
  return run_report(dir, "--workload " + q(dir / "w.yaml") + " " + flags);
}

// A report's layers by name.
inline std::map<std::string, nlohmann::json> layers_by_name(const nlohmann::json& report) {
  std::map<std::string, nlohmann::json> out;
  for (const nlohmann::json& l : report["layers"]) out[l["name"].get<std::string>()] = l;
  return out;
}

// Every layer of a functional run that computes values (not a reshape or transpose view) matched
// the reference, and so did the run.
inline void expect_all_verified(const nlohmann::json& report) {
  for (const nlohmann::json& l : report["layers"]) {
    if (l["type"] == "reshape" || l["type"] == "transpose") continue;
    EXPECT_EQ(l["verified"], true) << l["name"] << ": " << l["first_mismatch"];
  }
  EXPECT_EQ(report["total"]["verified"], true);
}

}  // namespace systole::testing
