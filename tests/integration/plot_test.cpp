// `systole plot` as a user runs it, on real `systole run` outputs (resnet18 on the default
// architecture, ws and os): the six pictures of one run and of a comparison, SVG text, byte-identical
// output, and exit 2 naming the file and key or column for unusable inputs, with nothing left in
// --out. Skipped only when Debian's python3 has no matplotlib.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

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

const std::vector<std::string> kPlots = {"cycles_by_cause",     "utilization",     "roofline",
                                         "energy_by_component", "energy_by_layer", "power"};

bool have_matplotlib() {
  return std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") == 0;
}

#define SKIP_WITHOUT_MATPLOTLIB() \
  if (!have_matplotlib()) GTEST_SKIP() << "/usr/bin/python3 cannot import matplotlib (python3-matplotlib)"

// `systole run` of resnet18 on the default architecture into dir/name.
fs::path make_run(const fs::path& dir, const std::string& name, const std::string& extra = "") {
  const fs::path out = dir / name;
  auto r = run_systole("run -a default -w resnet18 -q -o " + q(out) + " " + extra, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return out;
}

size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

// Decodes PNGs with matplotlib (one python process for all) and returns, per file, the number of
// distinct colours and the fraction of non-white pixels. An empty figure is one colour; an empty
// pair of axes with a title and labels is ~0.7% non-white.
std::vector<std::pair<long, double>> png_content(const std::vector<fs::path>& pngs, const fs::path& scratch) {
  const fs::path out = scratch / "png_content.txt";
  std::string cmd =
      "/usr/bin/python3 -c 'import sys, numpy as n, matplotlib.image as m\n"
      "for f in sys.argv[1:]:\n"
      "    a = (m.imread(f)[..., :3].reshape(-1, 3) * 255).astype(n.int64)\n"
      "    rgb = (a[:, 0] << 16) | (a[:, 1] << 8) | a[:, 2]\n"
      "    print(len(n.unique(rgb)), float((a.min(axis=1) < 230).mean()))'";
  for (const auto& p : pngs) cmd += " " + q(p);
  cmd += " > " + q(out);
  std::vector<std::pair<long, double>> result(pngs.size(), {0, 0.0});
  if (std::system(cmd.c_str()) != 0) return result;
  std::istringstream in(read_file(out));
  for (auto& r : result) in >> r.first >> r.second;
  return result;
}

TEST(Plot, SingleRunWritesSixNonTrivialPngs) {
  SKIP_WITHOUT_MATPLOTLIB();
  const auto dir = fresh_dir("plot_single");
  const auto run = make_run(dir, "r18");
  auto r = run_systole("plot " + q(run), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<fs::path> files;
  for (const auto& name : kPlots) files.push_back(run / "plots" / (name + ".png"));
  const auto content = png_content(files, dir);
  for (size_t i = 0; i < files.size(); ++i) {
    const fs::path& file = files[i];
    EXPECT_NE(r.out.find("wrote " + file.string()), std::string::npos) << r.out;
    const std::string png = read_file(file);
    ASSERT_GE(png.size(), 16u) << file;
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << file;
    EXPECT_EQ(png.substr(12, 4), "IHDR") << file;
    EXPECT_GT(png.size(), 10u * 1024u) << file;
    const auto [colours, ink] = content[i];
    EXPECT_GT(colours, 16) << file;  // not one flat colour
    EXPECT_GT(ink, 0.015) << file;   // more drawn than empty axes with their labels
  }
  EXPECT_EQ(entries(run / "plots"), kPlots.size());  // no temporary file left
}

TEST(Plot, AMultiCoreRunAddsTheNocLinkHeatMapAndCyclesPerCoreAndOlderReportsStillPlot) {
  SKIP_WITHOUT_MATPLOTLIB();
  const auto dir = fresh_dir("plot_noc");
  const auto run = make_run(dir, "r18x4", "--set cores.count=4");
  auto r = run_systole("plot " + q(run), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path heat = run / "plots" / "noc_links.png";
  EXPECT_NE(r.out.find("wrote " + heat.string()), std::string::npos) << r.out;
  const auto content = png_content({heat}, dir);
  EXPECT_GT(content[0].first, 16) << "not one flat colour";
  EXPECT_GT(content[0].second, 0.02) << "more drawn than empty axes";
  // And each core's cycles by cause, one bar per core.
  const fs::path per_core = run / "plots" / "cycles_by_core.png";
  EXPECT_NE(r.out.find("wrote " + per_core.string()), std::string::npos) << r.out;
  const auto bars = png_content({per_core}, dir);
  EXPECT_GT(bars[0].first, 16) << "not one flat colour";
  EXPECT_EQ(entries(run / "plots"), kPlots.size() + 2);
  // A single-core run has no heat-map; a report written before the multi-core causes existed
  // (no cycle_breakdown.noc / .barrier) still plots.
  const auto single = make_run(dir, "r18");
  nlohmann::json report = nlohmann::json::parse(read_file(single / "report.json"));
  for (auto& l : report["layers"]) {
    l["cycle_breakdown"].erase("noc");
    l["cycle_breakdown"].erase("barrier");
  }
  write_file(single / "report.json", report.dump());
  auto s = run_systole("plot " + q(single), dir);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_FALSE(fs::exists(single / "plots" / "noc_links.png"));
  EXPECT_FALSE(fs::exists(single / "plots" / "cycles_by_core.png"));
  EXPECT_EQ(entries(single / "plots"), kPlots.size());
}

TEST(Plot, CompareModeWithLabels) {
  SKIP_WITHOUT_MATPLOTLIB();
  const auto dir = fresh_dir("plot_compare");
  const auto ws = make_run(dir, "ws");
  const auto os = make_run(dir, "os", "--set core.array.dataflow=os");
  const auto out = dir / "cmp";
  auto r = run_systole(
      "plot " + q(ws) + " " + q(os / "report.json") + " --labels 'weight st,output st' --out " + q(out), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& name : kPlots) {
    EXPECT_GT(fs::file_size(out / (name + ".png")), 10u * 1024u) << name;
  }
  EXPECT_EQ(entries(out), kPlots.size());
}

TEST(Plot, SvgCarriesRunLabelsAsText) {
  SKIP_WITHOUT_MATPLOTLIB();
  const auto dir = fresh_dir("plot_svg");
  const auto ws = make_run(dir, "ws");
  const auto os = make_run(dir, "os", "--set core.array.dataflow=os");
  auto r = run_systole("plot " + q(ws) + " " + q(os) +
                           " --labels plot-label-ws,plot-label-os --format svg --out " + q(dir / "svg"),
                       dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& name : kPlots) {
    const std::string svg = read_file(dir / "svg" / (name + ".svg"));
    EXPECT_NE(svg.find("<svg"), std::string::npos) << name;
    EXPECT_NE(svg.find("plot-label-ws"), std::string::npos) << name;
    EXPECT_NE(svg.find("plot-label-os"), std::string::npos) << name;
    EXPECT_EQ(svg.find("<dc:date>"), std::string::npos) << name;  // no timestamp
  }
}

TEST(Plot, SameInputsGiveIdenticalFiles) {
  SKIP_WITHOUT_MATPLOTLIB();
  const auto dir = fresh_dir("plot_det");
  const auto run = make_run(dir, "r18");
  auto r1 = run_systole("plot " + q(run) + " --out " + q(dir / "one"), dir);
  auto r2 = run_systole("plot " + q(run) + " --out " + q(dir / "two"), dir);
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  for (const auto& name : kPlots) {
    const std::string one = read_file(dir / "one" / (name + ".png"));
    EXPECT_FALSE(one.empty()) << name;
    EXPECT_TRUE(one == read_file(dir / "two" / (name + ".png"))) << name << " differs between two runs";
  }
}

TEST(Plot, MissingRunDirIsExit2) {
  const auto dir = fresh_dir("plot_missing");
  auto r = run_systole("plot " + q(dir / "nope") + " --out " + q(dir / "out"), dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find((dir / "nope").string()), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(Plot, ReportWithoutEnergyNamesKeyAndSystoleEnergy) {
  const auto dir = fresh_dir("plot_no_energy");
  const auto run = make_run(dir, "r18");
  auto report = nlohmann::ordered_json::parse(read_file(run / "report.json"));
  report["layers"][0].erase("energy_by_component");
  write_file(dir / "old" / "report.json", report.dump(1));
  fs::copy_file(run / "power.csv", dir / "old" / "power.csv");
  auto r = run_systole("plot " + q(dir / "old") + " --out " + q(dir / "out"), dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find((dir / "old" / "report.json").string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("layers[0].energy_by_component"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("systole energy"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(Plot, PowerCsvWithWrongHeaderNamesColumn) {
  const auto dir = fresh_dir("plot_bad_csv");
  const auto run = make_run(dir, "r18");
  std::string csv = read_file(run / "power.csv");
  csv.replace(0, csv.find(','), "start_cycle");
  write_file(run / "power.csv", csv);
  fs::create_directories(dir / "out");
  auto r = run_systole("plot " + q(run) + " --out " + q(dir / "out"), dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find((run / "power.csv").string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("start_cycle"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("begin_cycle"), std::string::npos) << r.err;
  EXPECT_EQ(entries(dir / "out"), 0u);
}

TEST(Plot, LabelCountMismatchAndUnknownFormatAreExit2) {
  const auto dir = fresh_dir("plot_labels");
  const auto run = make_run(dir, "r18");
  auto labels = run_systole("plot " + q(run) + " --labels a,b --out " + q(dir / "out"), dir);
  EXPECT_EQ(labels.exit_code, 2) << labels.err;
  EXPECT_NE(labels.err.find("--labels"), std::string::npos) << labels.err;
  EXPECT_NE(labels.err.find("2 labels for 1 run"), std::string::npos) << labels.err;
  auto format = run_systole("plot " + q(run) + " --format jpg --out " + q(dir / "out"), dir);
  EXPECT_EQ(format.exit_code, 2) << format.err;
  EXPECT_NE(format.err.find("png or svg"), std::string::npos) << format.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

// A stand-in interpreter (via $SYSTOLE_PYTHON) that behaves like python3 without matplotlib.
TEST(Plot, MissingMatplotlibIsExit2AndLeavesNothing) {
  const auto dir = fresh_dir("plot_no_mpl");
  const auto run = make_run(dir, "r18");
  const auto py = dir / "fake_python";
  write_file(py, "#!/bin/sh\necho 'cannot import matplotlib: No module named matplotlib' >&2\nexit 4\n");
  ::chmod(py.c_str(), 0755);
  fs::create_directories(dir / "existing");
  ::setenv("SYSTOLE_PYTHON", py.c_str(), 1);
  auto r = run_systole("plot " + q(run) + " --out " + q(dir / "existing"), dir);
  auto fresh = run_systole("plot " + q(run) + " --out " + q(dir / "new"), dir);
  ::unsetenv("SYSTOLE_PYTHON");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("apt-get install python3-matplotlib"), std::string::npos) << r.err;
  EXPECT_EQ(entries(dir / "existing"), 0u);
  EXPECT_EQ(fresh.exit_code, 2) << fresh.err;
  EXPECT_FALSE(fs::exists(dir / "new"));  // a directory the command created is removed again
}

}  // namespace
}  // namespace systole
