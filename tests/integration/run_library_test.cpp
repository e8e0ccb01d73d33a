// The run library (run/run.h) is what `systole run` does: the same request gives the same
// report.json, layers.csv, power.csv and summary as the CLI writes, and stage by stage the same
// as all at once.
#include "systole/run/run.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process.h"
#include "systole/common/error.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::read_file;
using testing::run_systole;

TEST(RunLibrary, GivesWhatTheCliWrites) {
  const auto dir = fresh_dir("run_library");
  const std::string workload = std::string(SYSTOLE_SOURCE_DIR) + "/workloads/resnet50_conv2x.yaml";
  const auto cli = run_systole(
      "run -q --workload '" + workload + "' --set energy.table=45nm --out '" + (dir / "out").string() + "'",
      dir);
  ASSERT_EQ(cli.exit_code, 0) << cli.err;

  RunRequest request;
  request.workload = workload;
  request.overrides = {"energy.table=45nm"};
  const RunResult r = run(request);
  // report.json records the resolved arch path; the CLI resolved "default" the same way.
  EXPECT_EQ(r.priced.report, nlohmann::ordered_json::parse(read_file(dir / "out" / "report.json")));
  EXPECT_EQ(r.priced.layers_csv, read_file(dir / "out" / "layers.csv"));
  EXPECT_EQ(r.priced.power_csv, read_file(dir / "out" / "power.csv"));
  const std::string summary = read_file(dir / "out" / "summary.txt");
  EXPECT_EQ(summary.rfind(r.priced.summary, 0), 0u) << "summary.txt = the library's summary + the wall time";
  EXPECT_NE(summary.find("wall time:", r.priced.summary.size()), std::string::npos);
  EXPECT_EQ(r.sim.layers.size(), 2u);
  EXPECT_EQ(r.prepared.program.mappings.size(), 2u);
}

TEST(RunLibrary, ABadRequestIsAUserError) {
  RunRequest request;
  request.workload = "no-such-workload";
  EXPECT_THROW(run(request), UserError);
  request.workload = "";
  EXPECT_THROW(prepare_run(request), UserError);
  request.workload = "resnet50_conv2x";
  request.overrides = {"core.array.rows=-3"};
  EXPECT_THROW(run(request), ConfigError);
}

}  // namespace
}  // namespace systole
