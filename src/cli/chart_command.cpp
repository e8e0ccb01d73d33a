// `systole chart`: simulated designs (from their report.json) on the GOP/s-vs-W plane beside the
// published chips of data/reference_chips.csv. The drawing is scripts/chart.py, run with Debian's
// python3 and matplotlib; this file reads the reports, hands the points over as a JSON spec and
// installs the picture atomically (docs/output-safety.md).
#include <cctype>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/input_file.h"
#include "cli/interrupt.h"
#include "cli/output_target.h"
#include "cli/python_runner.h"
#include "systole/common/error.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace systole::cli {
namespace {

constexpr const char* kDefaultTitle = "Throughput vs power: simulated designs and published accelerators";

struct DesignPoint {
  std::string label;  // "<config.name> (<network>, <energy node>)", or the arch name alone
  double gops = 0.0;
  double power_w = 0.0;
  std::string source;  // the report file
};

// Reads the three fields the chart needs. Every missing or unusable field of this report is
// added to `problems` (file, key, value, rule); the point is returned only when all are usable.
bool read_point(const fs::path& file, DiagnosticList& problems, DesignPoint* point) {
  std::string text;
  try {
    text = read_input_file(file, "report");
  } catch (const UserError& e) {
    problems.add({file.string(), 0, "", "", e.what()});
    return false;
  }
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e400
    problems.add({file.string(), 0, "", "", fmt::format("not valid JSON ({})", e.what())});
    return false;
  }
  bool ok = true;
  const nlohmann::json* name = find_path(report, {"config", "name"});
  if (!name) {
    problems.add({file.string(), 0, "config.name", "", "missing: the architecture's name labels the point"});
    ok = false;
  } else if (!name->is_string() || name->get<std::string>().empty()) {
    problems.add({file.string(), 0, "config.name", name->dump(), "must be a non-empty string"});
    ok = false;
  }
  auto positive = [&](const std::vector<std::string>& path, const std::string& key, double* out) {
    const nlohmann::json* v = find_path(report, path);
    if (!v) {
      problems.add({file.string(), 0, key, "",
                    "missing: run with a Systole that reports energy (issue 5), or re-price the run "
                    "with `systole energy`"});
      return false;
    }
    if (!v->is_number() || !std::isfinite(v->get<double>()) || v->get<double>() <= 0.0) {
      problems.add({file.string(), 0, key, v->dump(), "must be a number > 0 to sit on log-log axes"});
      return false;
    }
    *out = v->get<double>();
    return true;
  };
  ok = positive({"total", "gops"}, "total.gops", &point->gops) && ok;
  ok = positive({"total", "avg_power_w"}, "total.avg_power_w", &point->power_w) && ok;
  if (!ok) return false;
  // "<name> (<network>, <node>)": the same design priced with two tables is two points.
  point->label = name->get<std::string>();
  std::vector<std::string> details;
  for (const std::vector<std::string>& path : {std::vector<std::string>{"network"}, {"energy", "node"}}) {
    if (const auto* v = find_path(report, path); v && v->is_string() && !v->get<std::string>().empty()) {
      details.push_back(v->get<std::string>());
    }
  }
  if (!details.empty()) point->label += " (" + fmt::format("{}", fmt::join(details, ", ")) + ")";
  point->source = file.string();
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

int chart_command(const std::vector<std::string>& args) {
  std::vector<std::string> inputs;
  std::string out = "chart.png";
  std::string title = kDefaultTitle;
  bool force = false;
  po::options_description desc("chart options");
  desc.add_options()("help,h", "show this help")("out,o", po::value(&out)->default_value("chart.png"),
                                                 "output image: a .png or .svg file")(
      "force", po::bool_switch(&force), "replace --out even when it is not a PNG or SVG picture")(
      "title", po::value(&title)->default_value(kDefaultTitle), "title above the chart");
  po::options_description hidden;
  hidden.add_options()("report", po::value(&inputs)->composing(), "report");
  po::positional_options_description positional;
  positional.add("report", -1);
  const auto vm = parse_command_line(
      "chart",
      "systole chart [REPORT_DIR | report.json ...] [--out chart.png|chart.svg] [--title T]\n\n"
      "Plots each report's total.gops against total.avg_power_w beside the published chips\n"
      "of data/reference_chips.csv (see docs/chart.md).",
      args, desc, &hidden, &positional);
  if (!vm) return 0;

  nonempty_path("--out", out, "a .png or .svg file");
  for (const auto& arg : inputs) nonempty_path("REPORT", arg, "a report.json or a run's output folder");
  const fs::path out_path(out);
  const std::string ext = lower(out_path.extension().string());
  if (ext != ".png" && ext != ".svg") {
    throw UserError(fmt::format("--out = '{}': must end in .png or .svg", out));
  }
  InterruptScope interrupts;
  OutputTarget target("--out", out, image_file_kind(), force);

  std::vector<DesignPoint> points;
  DiagnosticList problems;
  for (const auto& arg : inputs) {
    DesignPoint p;
    if (read_point(report_file(arg), problems, &p)) points.push_back(std::move(p));
  }
  if (!problems.empty()) throw UserError("report error", problems.take());

  const fs::path script = data_file(fs::path("scripts") / "chart.py");
  const fs::path chips = data_file(fs::path("data") / "reference_chips.csv");
  const std::string python = python_interpreter("chart");

  // The picture is drawn into a hidden file beside --out and renamed over it (one atomic rename).
  const fs::path tmp_image = target.stage();
  nlohmann::ordered_json spec;
  spec["chips_csv"] = fs::absolute(chips).string();
  spec["out"] = tmp_image.string();
  spec["format"] = ext.substr(1);
  spec["title"] = title;
  spec["designs"] = nlohmann::ordered_json::array();
  for (const auto& p : points) {
    spec["designs"].push_back(
        {{"label", p.label}, {"gops", p.gops}, {"power_w", p.power_w}, {"source", p.source}});
  }
  run_python_script("chart", python, script, spec);
  std::error_code ec;
  if (!fs::is_regular_file(tmp_image, ec)) {
    throw InternalError(fmt::format("{} exited 0 but wrote no {}", script.string(), tmp_image.string()));
  }
  throw_if_interrupted();
  target.commit();
  std::cout << fmt::format("wrote {} ({} simulated design{} beside the published chips)\n", out,
                           points.size(), points.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace systole::cli
