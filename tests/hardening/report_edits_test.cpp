// Hardening: a real run's report.json edited by hand in hostile ways, then read back by
// `systole energy` and `systole plot`. Each must exit 2 naming the report and the key.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/hardening.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_systole_bounded;
using testing::write_file;
using Json = nlohmann::ordered_json;

struct ReportEdit {
  std::string name;
  std::function<std::string(Json)> edit;     // the edited report's text
  std::vector<std::string> energy_expected;  // in `systole energy`'s stderr; empty: not run
  std::vector<std::string> plot_expected;    // in `systole plot`'s stderr; empty: not run
};

std::ostream& operator<<(std::ostream& os, const ReportEdit& e) {
  return os << e.name;
}

std::function<std::string(Json)> set(const std::string& pointer, Json value) {
  return [pointer, value](Json j) {
    j[Json::json_pointer(pointer)] = value;
    return j.dump(1);
  };
}

std::vector<ReportEdit> edits() {
  return {
      {"CapacityOverflows",
       set("/config/core/scratchpads/ifmap/capacity_kib", 4611686018427387904LL),
       {"config.core.scratchpads.ifmap.capacity_kib", "<= 1073741824"},
       {}},
      {"ClockDenormal",
       set("/config/core/clock_mhz", 1e-310),
       {"config.core.clock_mhz", ">= 1"},
       {"config.core.clock_mhz", ">= 1"}},
      {"ClockHuge",
       set("/config/core/clock_mhz", 1e308),
       {"config.core.clock_mhz"},
       {"config.core.clock_mhz"}},
      {"WindowCyclesText", set("/activity/window_cycles", "x"), {"window_cycles", "integer >= 1"}, {}},
      {"StaticPowerNegative",
       set("/config/energy/static_power_mw/array", -1.0),
       {"config.energy.static_power_mw.array"},
       {}},
      {"NumberOverflow", [](Json) { return std::string("1e400"); }, {"not JSON"}, {"not valid JSON"}},
      {"RootIsArray", [](Json) { return std::string("[1, 2]"); }, {"report.json"}, {"report.json"}},
      {"ActionCountHuge", set("/layers/0/actions/macs", 1.7e308), {"layers[0]", "macs", "2^63"}, {}},
      {"WindowValueHuge", set("/activity/windows/0/2", 1.7e308), {"activity.windows[0]"}, {}},
      {"ColumnsReordered",
       [](Json j) {
         auto& c = j["activity"]["columns"];
         std::reverse(c.begin(), c.end());
         return j.dump(1);
       },
       {"activity.columns"},
       {}},
      {"NetworkLabelHuge", set("/network", std::string(5u << 20, 'n')), {}, {"network", "4096 bytes"}},
      {"LayerCyclesNegative", set("/layers/0/cycles", -5), {}, {"layers[0].cycles", ">= 0"}},
      {"LayerMacsHuge", set("/layers/0/macs", 1e300), {}, {"layers[0].macs"}},
      {"RowsZero", set("/config/core/array/rows", 0), {}, {"config.core.array.rows", ">= 1"}},
  };
}

class ReportEditTest : public ::testing::TestWithParam<ReportEdit> {
 protected:
  // One real run per test process (each TEST runs in its own process under CTest).
  static std::filesystem::path real_run(const std::filesystem::path& dir) {
    const auto run = dir / "run";
    const auto r =
        run_systole_bounded("run --workload resnet18 -q --out '" + run.string() + "'", dir, 60, 4L << 20);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return run;
  }
};

TEST_P(ReportEditTest, EnergyAndPlotExitTwoNamingTheKey) {
  const ReportEdit& e = GetParam();
  const auto dir = fresh_dir("report_edit_" + e.name);
  const auto run = real_run(dir);
  const Json report = Json::parse(read_file(run / "report.json"));
  const auto edited = dir / "edited";
  std::filesystem::create_directories(edited);
  write_file(edited / "report.json", e.edit(report));
  std::filesystem::copy_file(run / "power.csv", edited / "power.csv");
  const std::string path = (edited / "report.json").string();
  const auto check = [&](const std::string& args, const std::vector<std::string>& expected) {
    if (expected.empty()) return;
    const auto r = run_systole_bounded(args, dir);
    EXPECT_FALSE(r.timed_out) << args;
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << "the report must be named:\n" << r.err;
    for (const auto& x : expected)
      EXPECT_NE(r.err.find(x), std::string::npos) << "'" << x << "' in:\n" << r.err;
  };
  check("energy --report '" + path + "' --table 45nm --out '" + (dir / "priced").string() + "'",
        e.energy_expected);
  EXPECT_FALSE(std::filesystem::exists(dir / "priced"));
  check("plot '" + edited.string() + "' --out '" + (dir / "plots").string() + "'", e.plot_expected);
  EXPECT_FALSE(std::filesystem::exists(dir / "plots"));
}

INSTANTIATE_TEST_SUITE_P(Edits, ReportEditTest, ::testing::ValuesIn(edits()),
                         [](const ::testing::TestParamInfo<ReportEdit>& info) { return info.param.name; });

}  // namespace
}  // namespace systole

namespace systole {
namespace {

// A user's file beside an earlier run makes the folder theirs: it is not replaced without --force.
TEST(RunFolder, AUserFileBesideARunIsNeverReplacedWithoutForce) {
  const auto dir = testing::fresh_dir("run_folder_user_file");
  const auto run = dir / "run";
  const std::string args = "run --workload resnet18 -q --out '" + run.string() + "'";
  ASSERT_EQ(testing::run_systole_bounded(args, dir, 60, 4L << 20).exit_code, 0);
  testing::write_file(run / "thesis.tex", "my thesis\n");
  const auto r = testing::run_systole_bounded(args, dir, 60, 4L << 20);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(testing::read_file(run / "thesis.tex"), "my thesis\n");
  EXPECT_EQ(testing::run_systole_bounded(args + " --force", dir, 60, 4L << 20).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(run / "thesis.tex"));
}

}  // namespace
}  // namespace systole
