// `systole sweep` as a user runs it (docs/sweeps.md): --dry-run lists the shipped spec's points;
// a sweep runs every point in worker processes into sweep.db, reuses finished runs on a rerun,
// records a failing point and goes on, and loses or duplicates nothing when it is killed at random
// moments.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "support/process.h"
#include "systole/sweep/results_db.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

const std::string kSpec = std::string(SYSTOLE_SOURCE_DIR) + "/workloads/sweeps/resnet18_array.yaml";

TEST(SweepCli, DryRunListsTheShippedSpecsPointsChecked) {
  const auto dir = fresh_dir("sweep_dry");
  const auto r = run_systole("sweep " + q(kSpec) + " --dry-run", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("grid of 12 combinations, 0 pruned by constraints: 12 points x 1 workload = 12 runs"),
            std::string::npos)
      << r.out;
  size_t ok = 0;
  for (size_t at = 0; (at = r.out.find("  ok\n", at)) != std::string::npos; ++at) ++ok;
  EXPECT_EQ(ok, 12u) << r.out;
  EXPECT_FALSE(fs::exists(dir / "out")) << "a dry run writes nothing";
}

TEST(SweepCli, BadSpecsAndFlagsExitTwoNamingTheProblem) {
  const auto dir = fresh_dir("sweep_bad");
  write_file(dir / "bad.yaml",
             "name: b\narch: default\nworkloads: [resnet18]\naxes:\n  core.array.rowz: [8]\n");
  auto r = run_systole("sweep " + q(dir / "bad.yaml") + " --dry-run", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml:5: axes.core.array.rowz"), std::string::npos) << r.err;
  write_file(dir / "nowl.yaml",
             "name: b\narch: default\nworkloads: [no_such_net]\naxes: {core.array.rows: [8]}\n");
  r = run_systole("sweep " + q(dir / "nowl.yaml") + " --dry-run", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no_such_net"), std::string::npos) << r.err;
  r = run_systole("sweep " + q(kSpec) + " -j 0 -o " + q(dir / "s"), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--jobs"), std::string::npos) << r.err;
  write_file(dir / "taken" / "notes.txt", "mine");
  r = run_systole("sweep " + q(kSpec) + " -o " + q(dir / "taken"), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is not a sweep's folder"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir / "taken" / "notes.txt"), "mine");
}

// Every member of the sweep, checked: done, with metrics and its report on disk.
void expect_complete(const fs::path& out, size_t points) {
  sweep::ResultsDb db((out / "sweep.db").string());
  const auto rows = db.members("resnet18_array");
  ASSERT_EQ(rows.size(), points);
  std::set<std::string> hashes;
  std::set<int64_t> cycles;
  for (size_t i = 0; i < rows.size(); ++i) {
    const sweep::PointRecord& r = rows[i];
    EXPECT_EQ(r.point, static_cast<int64_t>(i));
    EXPECT_EQ(r.status, "done") << r.error;
    ASSERT_TRUE(r.metrics.has_value());
    EXPECT_GT(r.metrics->cycles, 0);
    EXPECT_GT(r.metrics->energy_pj, 0.0);
    EXPECT_TRUE(fs::exists(out / r.report)) << r.report;
    hashes.insert(r.hash);
    cycles.insert(r.metrics->cycles);
  }
  EXPECT_EQ(hashes.size(), points);  // one run each, no duplicates
  EXPECT_GT(cycles.size(), points / 2);
}

TEST(SweepCli, RunsEveryPointThenReusesThem) {
  const auto dir = fresh_dir("sweep_run");
  auto r = run_systole("sweep " + q(kSpec) + " -j 2 -o " + q(dir / "s"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("12 runs: 12 simulated, 0 reused, 0 failed"), std::string::npos) << r.out;
  expect_complete(dir / "s", 12);
  // The report of a point is that of `systole run` with the point's overrides.
  const std::string report = read_file(
      dir / "s" / sweep::ResultsDb((dir / "s" / "sweep.db").string()).members("resnet18_array")[7].report);
  EXPECT_NE(report.find("\"core.array.dataflow=os\""), std::string::npos);
  r = run_systole("sweep " + q(kSpec) + " -j 2 -o " + q(dir / "s"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("12 runs: 0 simulated, 12 reused, 0 failed"), std::string::npos) << r.out;
  // Another sweep into the same database reuses what it shares: 4 of its 6 points are done.
  std::string more = read_file(kSpec);
  more.replace(more.find("name: resnet18_array"), 20, "name: more_rows");
  more.replace(more.find("[16, 32, 64]"), 12, "[32, 128]");
  write_file(dir / "more.yaml", more);
  r = run_systole("sweep " + q(dir / "more.yaml") + " -j 2 -o " + q(dir / "s"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("8 runs: 4 simulated, 4 reused, 0 failed"), std::string::npos) << r.out;
  // The first spec edited under its own name to fewer points lists only those.
  std::string fewer = read_file(kSpec);
  fewer.replace(fewer.find("[16, 32, 64]"), 12, "[16]");
  write_file(dir / "fewer.yaml", fewer);
  r = run_systole("sweep " + q(dir / "fewer.yaml") + " -j 2 -o " + q(dir / "s"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("4 runs: 0 simulated, 4 reused, 0 failed"), std::string::npos) << r.out;
  EXPECT_EQ(sweep::ResultsDb((dir / "s" / "sweep.db").string()).members("resnet18_array").size(), 4u);
}

TEST(SweepCli, AFailingPointIsRecordedAndTheSweepGoesOn) {
  const auto dir = fresh_dir("sweep_fail");
  // Point 1's arch does not load (fp32 accumulators for int8 inputs) and point 2's run fails (a
  // 1 KiB ifmap scratchpad cannot hold resnet18's smallest tile): both are recorded as failed with
  // their first error line, and the other points run.
  write_file(dir / "f.yaml", R"(name: fails
arch: default
workloads: [resnet18]
combine: points
points:
  - {core.array.accumulator_type: int32, core.scratchpads.ifmap.capacity_kib: 256}
  - {core.array.accumulator_type: fp32, core.scratchpads.ifmap.capacity_kib: 256}
  - {core.array.accumulator_type: int32, core.scratchpads.ifmap.capacity_kib: 1}
  - {core.array.accumulator_type: int32, core.scratchpads.ifmap.capacity_kib: 512}
)");
  const auto r = run_systole("sweep " + q(dir / "f.yaml") + " -j 2 -o " + q(dir / "s"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("4 runs: 2 simulated, 0 reused, 2 failed"), std::string::npos) << r.out;
  sweep::ResultsDb db((dir / "s" / "sweep.db").string());
  const auto rows = db.members("fails");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].status, "done");
  EXPECT_EQ(rows[1].status, "failed");
  EXPECT_NE(rows[1].error.find("core.array.accumulator_type = 'fp32': must be int32"), std::string::npos)
      << rows[1].error;
  EXPECT_FALSE(rows[1].metrics.has_value());
  EXPECT_EQ(rows[2].status, "failed");
  EXPECT_NE(
      rows[2].error.find("configuration error (1 problem): --set: core.scratchpads.ifmap.capacity_kib = '1': "
                         "layer 'conv1' needs"),
      std::string::npos)
      << rows[2].error;
  EXPECT_EQ(rows[3].status, "done");
}

// Starts `systole sweep` in the background.
pid_t start_sweep(const fs::path& out, const fs::path& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    freopen(log.c_str(), "w", stderr);
    freopen("/dev/null", "w", stdout);
    execl(SYSTOLE_BIN, SYSTOLE_BIN, "sweep", kSpec.c_str(), "-j", "2", "-o", out.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

TEST(SweepCli, KillingTheSweepAtRandomMomentsLosesAndDuplicatesNothing) {
  const auto dir = fresh_dir("sweep_kill");
  std::mt19937 rng(20261207);
  for (int round = 0; round < 6; ++round) {
    const pid_t pid = start_sweep(dir / "s", dir / "log.txt");
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 700)(rng)));
    kill(pid, round % 2 == 0 ? SIGKILL : SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    // Its workers die with it (PR_SET_PDEATHSIG) or stop on SIGTERM; give them a moment.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto r = run_systole("sweep " + q(kSpec) + " -j 2 -o " + q(dir / "s"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_complete(dir / "s", 12);
  const auto again = run_systole("sweep " + q(kSpec) + " -j 2 -o " + q(dir / "s"), dir);
  EXPECT_NE(again.out.find("12 runs: 0 simulated, 12 reused, 0 failed"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace systole
