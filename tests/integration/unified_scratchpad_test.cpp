// A unified scratchpad as a user meets it: an arch file placing all three operand roles in one
// SRAM runs with real data and verifies, the report lists the one scratchpad it built (memory,
// stats tree, energy by component), and re-pricing the report reproduces its energy.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

// 48 KiB shared by ifmap, weight and ofmap: small enough that every layer is tiled.
constexpr const char* kUnifiedArch = R"(schema_version: 1
name: unified-48k
core:
  scratchpads:
    unified: {capacity_kib: 48, read_bytes_per_cycle: 128, write_bytes_per_cycle: 128, banks: 32}
  operands: {ifmap: unified, weight: unified, ofmap: unified}
)";

Json run_functional(const fs::path& dir, const std::string& name, const std::string& workload) {
  const auto r = run_systole(
      "run -a " + q(dir / "unified.yaml") + " -w " + workload + " --functional -q -o " + q(dir / name), dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return Json();
  return Json::parse(read_file(dir / name / "report.json"));
}

TEST(UnifiedScratchpad, NetworksVerifyWithRealData) {
  const fs::path dir = fresh_dir("unified_functional");
  write_file(dir / "unified.yaml", kUnifiedArch);
  write_file(dir / "small.yaml", testing::kSmallWorkload);
  for (const std::string& w : {q(dir / "small.yaml"), std::string("importer_ops")}) {
    const Json r = run_functional(dir, w == "importer_ops" ? "ops" : "small", w);
    ASSERT_FALSE(r.is_null());
    EXPECT_EQ(r["functional"]["verified"], true) << w;
    EXPECT_EQ(r["functional"]["max_abs_error"], 0.0) << w;
  }
}

TEST(UnifiedScratchpad, ReportListsTheOneScratchpadBuilt) {
  const fs::path dir = fresh_dir("unified_report");
  write_file(dir / "unified.yaml", kUnifiedArch);
  const auto r =
      run_systole("run -a " + q(dir / "unified.yaml") + " -w resnet18 -q -o " + q(dir / "run"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json rep = Json::parse(read_file(dir / "run" / "report.json"));

  const Json& spms = rep["memory"]["scratchpads"];
  ASSERT_EQ(spms.size(), 1u) << spms.dump();
  ASSERT_TRUE(spms.contains("unified")) << spms.dump();
  EXPECT_EQ(rep["config"]["core"]["scratchpads"].size(), 1u);
  const Json& stat_spms = rep["stats"]["core0"]["scratchpad"];
  EXPECT_TRUE(stat_spms.contains("unified")) << stat_spms.dump();
  EXPECT_EQ(stat_spms.size(), 1u);

  // Energy: one scratchpad component, holding the accesses of every role (actions are counted
  // per role; the module counts them all).
  const Json& by = rep["total"]["energy_by_component"];
  EXPECT_TRUE(by.contains("scratchpad.unified")) << by.dump();
  EXPECT_FALSE(by.contains("scratchpad.ifmap"));
  const Json& acts = rep["total"]["actions"]["scratchpads"];
  int64_t role_reads = 0;
  for (const char* role : {"ifmap", "weight", "ofmap"})
    role_reads += acts[role]["read_accesses"].get<int64_t>();
  EXPECT_EQ(role_reads, spms["unified"]["read_accesses"].get<int64_t>());

  // Re-pricing reads the config back through the loader: the same energy.
  const auto e = run_systole("energy --report " + q(dir / "run") + " --out " + q(dir / "again"), dir);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const Json again = Json::parse(read_file(dir / "again" / "report.json"));
  EXPECT_EQ(again["total"]["energy_by_component"], by);
}

TEST(UnifiedScratchpad, MisplacedRoleIsAUserError) {
  const fs::path dir = fresh_dir("unified_bad");
  const auto r =
      run_systole("run -w resnet18 -q -o " + q(dir / "run") + " --set core.operands.weight=wbuf", dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("core.operands.weight"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wbuf"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "run" / "report.json"));
}

}  // namespace
}  // namespace systole
