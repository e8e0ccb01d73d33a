// `systole plot`: six pictures of one run (or of several runs overlaid): cycles by stall cause,
// utilisation, roofline, energy by component, energy by layer and power over time; for
// multi-core runs the NoC's links and each core's cycles; for decoder steps tokens/s and J/token
// against batch. This file
// reads every run through plot_run_reader.h (every problem of every run is listed at once), hands
// the numbers to scripts/plot.py as a JSON spec, and installs the folder of pictures only when all
// of them were drawn (docs/output-safety.md).
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/output_target.h"
#include "cli/plot_run_reader.h"
#include "cli/python_runner.h"
#include "systole/common/error.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace systole::cli {
namespace {

// The pictures, in the order they are written: file stem and the script's drawing.
const std::vector<std::string> kPlots = {"cycles_by_cause",     "utilization",     "roofline",
                                         "energy_by_component", "energy_by_layer", "power"};
// Drawn only when a run has a mesh NoC.
constexpr const char* kNocPlot = "noc_links";
// Drawn only when a run has several cores.
constexpr const char* kCoresPlot = "cycles_by_core";
// Drawn only when a run is a decoder step (report.json llm).
constexpr const char* kLlmPlot = "llm_batch";
std::vector<std::string> split_labels(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// Default labels: each run's directory name; runs whose names collide are told apart by
// "<config.name> <dataflow>", and by their position when even that collides.
std::vector<std::string> default_labels(const std::vector<PlotRun>& runs) {
  auto collide = [](const std::vector<std::string>& labels, size_t i) {
    for (size_t j = 0; j < labels.size(); ++j) {
      if (j != i && labels[j] == labels[i]) return true;
    }
    return false;
  };
  std::vector<std::string> labels;
  for (const auto& r : runs) labels.push_back(r.dir_name);
  std::vector<std::string> second = labels;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (collide(labels, i)) second[i] = runs[i].name + " " + runs[i].dataflow;
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    if (collide(second, i)) second[i] += fmt::format(" (run {})", i + 1);
  }
  return second;
}

}  // namespace

int plot_command(const std::vector<std::string>& args) {
  std::vector<std::string> inputs;
  std::string out, labels_arg, format = "png";
  bool force = false;
  po::options_description desc("plot options");
  desc.add_options()("help,h", "show this help")(
      "out,o", po::value(&out),
      "output folder, replaced whole (docs/output-safety.md); default RUN_DIR/plots for one run, ./plots "
      "for several")("force", po::bool_switch(&force),
                     "replace --out even when it holds something other than earlier plots")(
      "labels", po::value(&labels_arg), "comma-separated names of the runs in legends, one per run")(
      "format", po::value(&format)->default_value("png"), "image format: png or svg");
  po::options_description hidden;
  hidden.add_options()("run", po::value(&inputs)->composing(), "run");
  po::positional_options_description positional;
  positional.add("run", -1);
  const auto vm = parse_command_line(
      "plot",
      "systole plot RUN_DIR [RUN_DIR ...] [--out DIR] [--labels a,b,...] [--format png|svg]\n\n"
      "Draws cycles_by_cause, utilization, roofline, energy_by_component, energy_by_layer\n"
      "and power for a `systole run` output directory (report.json + power.csv); several\n"
      "runs are overlaid for comparison. Runs of decoder steps (llama7b, ...) at several\n"
      "batches add llm_batch: tokens/s and J/token against batch (see docs/plots.md).",
      args, desc, &hidden, &positional);
  if (!vm) return 0;

  if (inputs.empty()) throw UserError("plot: give at least one RUN_DIR (see `systole plot --help`)");
  for (const auto& arg : inputs)
    nonempty_path("RUN_DIR", arg, "a `systole run` output folder or report.json");
  if (vm->count("out")) nonempty_path("--out", out, "a folder for the pictures");
  if (format != "png" && format != "svg") {
    throw UserError(fmt::format("--format = '{}': must be png or svg", format));
  }
  std::vector<std::string> labels;
  if (vm->count("labels")) {
    labels = split_labels(labels_arg);
    if (labels.size() != inputs.size()) {
      throw UserError(fmt::format("--labels = '{}': {} label{} for {} run{}; give one label per RUN_DIR",
                                  labels_arg, labels.size(), labels.size() == 1 ? "" : "s", inputs.size(),
                                  inputs.size() == 1 ? "" : "s"));
    }
  }

  // --out is checked before the reports are read (docs/output-safety.md).
  std::vector<fs::path> reports;
  for (const auto& arg : inputs) reports.push_back(report_file(arg));
  const std::string out_dir = !out.empty()         ? out
                              : inputs.size() == 1 ? (reports[0].parent_path() / "plots").string()
                                                   : std::string("plots");
  std::vector<std::string> pictures;
  for (const auto& plot : kPlots) {
    for (const char* ext : {"png", "svg"}) pictures.push_back(plot + "." + ext);
  }
  for (const char* plot : {kNocPlot, kCoresPlot, kLlmPlot}) {
    for (const char* ext : {"png", "svg"}) pictures.push_back(std::string(plot) + "." + ext);
  }
  InterruptScope interrupts;
  OutputTarget target("--out", out_dir, plot_folder_kind(pictures), force);
  for (const auto& report : reports) {
    if (path_within(normalised(report.string()), target.target())) {
      throw UserError(
          fmt::format("--out = '{}': holds the run '{}' being plotted; Systole replaces its output "
                      "folder whole: name another folder",
                      out_dir, report.string()));
    }
  }

  std::vector<PlotRun> runs;
  DiagnosticList problems;
  for (const auto& report : reports) {
    PlotRun run;
    run.dir_name = fs::weakly_canonical(fs::absolute(report)).parent_path().filename().string();
    if (read_plot_run(report, &run, problems)) runs.push_back(std::move(run));
  }
  if (!problems.empty()) throw UserError("plot input error", problems.take());
  if (labels.empty()) labels = default_labels(runs);

  const fs::path script = data_file(fs::path("scripts") / "plot.py");
  const std::string python = python_interpreter("plot");

  // Every picture is drawn into the hidden staging folder beside --out, which replaces --out
  // only after the script drew all of them.
  const fs::path staging = target.stage();
  Json spec;
  spec["format"] = format;
  spec["outputs"] = Json::object();
  // The NoC's link heat-map when a run had a mesh (multi-core runs, docs/plots.md).
  std::vector<std::string> plots = kPlots;
  if (std::any_of(runs.begin(), runs.end(), [](const PlotRun& r) { return r.spec.contains("noc"); }))
    plots.push_back(kNocPlot);
  // Each core's cycles by cause when a run had several cores.
  if (std::any_of(runs.begin(), runs.end(), [](const PlotRun& r) { return r.spec.contains("cores"); }))
    plots.push_back(kCoresPlot);
  // Tokens/s and J/token against batch when a run was a decoder step.
  if (std::any_of(runs.begin(), runs.end(), [](const PlotRun& r) { return r.spec.contains("llm"); }))
    plots.push_back(kLlmPlot);
  std::vector<fs::path> pictures_drawn;
  for (const auto& plot : plots) {
    const fs::path file = staging / (plot + "." + format);
    pictures_drawn.push_back(file);
    spec["outputs"][plot] = fs::absolute(file).string();
  }
  spec["runs"] = Json::array();
  for (size_t i = 0; i < runs.size(); ++i) {
    Json r = std::move(runs[i].spec);
    r["label"] = labels[i];
    spec["runs"].push_back(std::move(r));
  }
  run_python_script("plot", python, script, spec);
  for (const auto& file : pictures_drawn) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      throw InternalError(fmt::format("{} exited 0 but wrote no {}", script.string(), file.string()));
    }
  }
  throw_if_interrupted();
  target.commit();
  for (const auto& plot : plots)
    std::cout << "wrote " << (fs::path(out_dir) / (plot + "." + format)).string() << "\n";
  return 0;
}

}  // namespace systole::cli
