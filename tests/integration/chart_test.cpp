// `systole chart` as a user runs it, on synthetic report.json files (only the three fields the
// chart reads): PNG and SVG output, the design labels, exit 2 for unusable reports, python and
// matplotlib failures, and byte-identical output across runs.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

// A run directory holding a report.json with the fields `systole chart` reads.
fs::path synthetic_run(const fs::path& dir, const std::string& arch, const std::string& network, double gops,
                       double power_w) {
  nlohmann::json r;
  r["config"]["name"] = arch;
  r["network"] = network;
  r["total"]["gops"] = gops;
  r["total"]["avg_power_w"] = power_w;
  r["total"]["tops_per_w"] = gops / power_w / 1000.0;
  write_file(dir / "report.json", r.dump(2));
  return dir;
}

TEST(Chart, PngFromTwoRunDirectories) {
  const auto dir = fresh_dir("chart_png");
  const auto a = synthetic_run(dir / "run_a", "chart-test-big", "resnet50", 21000.0, 35.0);
  const auto b = synthetic_run(dir / "run_b", "chart-test-small", "mobilenet", 800.0, 0.9);
  const auto out = dir / "chart.png";
  auto r = run_systole("chart " + q(a) + " " + q(b / "report.json") + " --out " + q(out), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 simulated designs"), std::string::npos) << r.out;
  const std::string png = read_file(out);
  // PNG signature: 0x89 'P' 'N' 'G' CR LF 0x1A LF, then the IHDR chunk.
  ASSERT_GE(png.size(), 16u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_GT(png.size(), 20u * 1024u);  // a chart with ~30 chips and labels, not an empty canvas
  // No temporary file is left beside the output.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 5);  // run_a, run_b, chart.png, stdout.txt, stderr.txt
}

TEST(Chart, SvgContainsDesignLabelsAndChips) {
  const auto dir = fresh_dir("chart_svg");
  const auto a = synthetic_run(dir / "run_a", "chart-test-alpha", "resnet50", 5000.0, 2.5);
  const auto b = synthetic_run(dir / "run_b", "chart-test-beta", "bert", 90000.0, 60.0);
  const auto out = dir / "map.svg";
  auto r = run_systole("chart " + q(a) + " " + q(b) + " --out " + q(out) + " --title 'My designs'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string svg = read_file(out);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("chart-test-alpha (resnet50)"), std::string::npos);
  EXPECT_NE(svg.find("chart-test-beta (bert)"), std::string::npos);
  EXPECT_NE(svg.find("My designs"), std::string::npos);
  // Reference data and the iso-efficiency lines are drawn and labelled.
  EXPECT_NE(svg.find("Google TPU v1"), std::string::npos);
  for (const char* iso : {"0.1 TOPS/W", "1 TOPS/W", "10 TOPS/W", "100 TOPS/W"}) {
    EXPECT_NE(svg.find(iso), std::string::npos) << iso;
  }
  // The legend carries each design's efficiency: 5000 GOP/s / 2.5 W / 1000 = 2 TOPS/W and
  // 90000 / 60 / 1000 = 1.5 TOPS/W.
  EXPECT_NE(svg.find("2.5 W, 2 TOPS/W"), std::string::npos);
  EXPECT_NE(svg.find("60 W, 1.5 TOPS/W"), std::string::npos);
  EXPECT_EQ(svg.find("<dc:date>"), std::string::npos);  // no timestamp
}

TEST(Chart, TwoRunsGiveIdenticalSvg) {
  const auto dir = fresh_dir("chart_det");
  const auto a = synthetic_run(dir / "run_a", "chart-test-det", "resnet50", 12345.0, 7.5);
  auto r1 = run_systole("chart " + q(a) + " --out " + q(dir / "one.svg"), dir);
  auto r2 = run_systole("chart " + q(a) + " --out " + q(dir / "two.svg"), dir);
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const std::string one = read_file(dir / "one.svg");
  EXPECT_FALSE(one.empty());
  EXPECT_EQ(one, read_file(dir / "two.svg"));
}

TEST(Chart, MissingFieldIsExit2NamingFileAndKey) {
  const auto dir = fresh_dir("chart_missing");
  nlohmann::json r;
  r["config"]["name"] = "no-energy";
  r["total"]["gops"] = 100.0;  // avg_power_w absent, as in a report from before issue 5
  write_file(dir / "old" / "report.json", r.dump());
  const auto out = dir / "chart.png";
  auto res = run_systole("chart " + q(dir / "old") + " --out " + q(out), dir);
  EXPECT_EQ(res.exit_code, 2) << res.err;
  EXPECT_NE(res.err.find((dir / "old" / "report.json").string()), std::string::npos) << res.err;
  EXPECT_NE(res.err.find("total.avg_power_w"), std::string::npos) << res.err;
  EXPECT_EQ(res.err.find("total.gops"), std::string::npos) << res.err;  // present, so not named
  EXPECT_FALSE(fs::exists(out));
}

TEST(Chart, NonPositiveValueAndMissingNameAreBothReported) {
  const auto dir = fresh_dir("chart_bad_values");
  nlohmann::json r;
  r["total"]["gops"] = 100.0;
  r["total"]["avg_power_w"] = 0.0;
  write_file(dir / "report.json", r.dump());
  auto res = run_systole("chart " + q(dir / "report.json") + " --out " + q(dir / "c.png"), dir);
  EXPECT_EQ(res.exit_code, 2) << res.err;
  EXPECT_NE(res.err.find("config.name"), std::string::npos) << res.err;
  EXPECT_NE(res.err.find("total.avg_power_w = '0.0'"), std::string::npos) << res.err;
}

TEST(Chart, BadInputsAreExit2) {
  const auto dir = fresh_dir("chart_bad_inputs");
  auto missing = run_systole("chart " + q(dir / "nope") + " --out " + q(dir / "c.png"), dir);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;
  const auto a = synthetic_run(dir / "run", "x", "y", 1.0, 1.0);
  auto ext = run_systole("chart " + q(a) + " --out " + q(dir / "c.jpg"), dir);
  EXPECT_EQ(ext.exit_code, 2);
  EXPECT_NE(ext.err.find(".png or .svg"), std::string::npos) << ext.err;
}

// A stand-in interpreter (via $SYSTOLE_PYTHON) that behaves like python3 without matplotlib, or
// like a crashing script.
fs::path fake_python(const fs::path& dir, int exit_code, const std::string& message) {
  const auto p = dir / "fake_python";
  write_file(p, "#!/bin/sh\necho '" + message + "' >&2\nexit " + std::to_string(exit_code) + "\n");
  ::chmod(p.c_str(), 0755);
  return p;
}

// Runs `systole <args>` with $SYSTOLE_PYTHON set (each TEST runs in its own process).
testing::ProcessResult run_with_python(const std::string& python, const std::string& args,
                                       const fs::path& dir) {
  ::setenv("SYSTOLE_PYTHON", python.c_str(), 1);
  auto r = run_systole(args, dir);
  ::unsetenv("SYSTOLE_PYTHON");
  return r;
}

TEST(Chart, MissingMatplotlibNamesTheDebianPackage) {
  const auto dir = fresh_dir("chart_no_mpl");
  const auto a = synthetic_run(dir / "run", "x", "y", 1.0, 1.0);
  const auto py = fake_python(dir, 4, "cannot import matplotlib: No module named matplotlib");
  auto res = run_with_python(py.string(), "chart " + q(a) + " --out " + q(dir / "d.png"), dir);
  EXPECT_EQ(res.exit_code, 2) << res.err;
  EXPECT_NE(res.err.find("python3-matplotlib"), std::string::npos) << res.err;
  EXPECT_FALSE(fs::exists(dir / "d.png"));
}

TEST(Chart, MissingPythonNamesTheDebianPackages) {
  const auto dir = fresh_dir("chart_no_python");
  const auto a = synthetic_run(dir / "run", "x", "y", 1.0, 1.0);
  auto res =
      run_with_python((dir / "no_such_python").string(), "chart " + q(a) + " --out " + q(dir / "d.png"), dir);
  EXPECT_EQ(res.exit_code, 2) << res.err;
  EXPECT_NE(res.err.find("no_such_python"), std::string::npos) << res.err;
  EXPECT_NE(res.err.find("python3-matplotlib"), std::string::npos) << res.err;
}

TEST(Chart, FailingScriptReportsItsStderr) {
  const auto dir = fresh_dir("chart_script_fails");
  const auto a = synthetic_run(dir / "run", "x", "y", 1.0, 1.0);
  const auto py = fake_python(dir, 1, "Traceback: chart-test-sentinel");
  auto res = run_with_python(py.string(), "chart " + q(a) + " --out " + q(dir / "d.png"), dir);
  EXPECT_EQ(res.exit_code, 3) << res.err;  // our script failing is our bug, not the user's
  EXPECT_NE(res.err.find("chart-test-sentinel"), std::string::npos) << res.err;
  EXPECT_FALSE(fs::exists(dir / "d.png"));
}

}  // namespace
}  // namespace systole
