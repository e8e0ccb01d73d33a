// `systole energy`: re-prices a finished run from its report.json alone with an energy table
// (report/energy_report.h), e.g. to compare nodes without simulating again.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/input_file.h"
#include "cli/interrupt.h"
#include "cli/output_target.h"
#include "systole/common/error.h"
#include "systole/energy/energy_table.h"
#include "systole/report/energy_report.h"
#include "systole/report/report.h"

namespace po = boost::program_options;

namespace systole::cli {
namespace {

nlohmann::ordered_json read_report(const std::string& path) {
  const std::string text = read_input_file(path, "--report");
  try {
    return nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e400
    throw UserError(fmt::format("{}: not JSON ({})", path, e.what()));
  }
}

// The component table: pJ, share of the total and average power over the run, per component.
std::string component_table(const nlohmann::ordered_json& report) {
  const auto& total = report.at("total");
  const double pj = total.at("energy_pj").get<double>();
  const double us = total.at("time_us").get<double>();
  std::string out = fmt::format("{:<20} {:>16} {:>8} {:>12}\n", "component", "energy uJ", "share%", "avg W");
  for (const auto& [name, v] : total.at("energy_by_component").items()) {
    const double c = v.get<double>();
    out += fmt::format("{:<20} {:>16.6f} {:>8.2f} {:>12.6f}\n", name, c / 1e6, pj > 0 ? 100.0 * c / pj : 0.0,
                       us > 0 ? c / us / 1e6 : 0.0);
  }
  out += fmt::format("{:<20} {:>16.6f} {:>8.2f} {:>12.6f}\n", "total", pj / 1e6, 100.0,
                     us > 0 ? pj / us / 1e6 : 0.0);
  return out;
}

}  // namespace

int energy_command(const std::vector<std::string>& args) {
  std::string report_arg, table_arg, out_dir;
  bool json = false, force = false;
  po::options_description desc("energy options");
  desc.add_options()("help,h", "show this help")("report,r", po::value(&report_arg)->required(),
                                                 "a run's report.json (or the run's output directory)")(
      "table,t", po::value(&table_arg),
      "energy table: 45nm, 7nm (arch/energy) or a path; default: the one the run used")(
      "out,o", po::value(&out_dir),
      "write the re-priced report.json and power.csv into this folder (replaced whole: "
      "docs/output-safety.md)")("force", po::bool_switch(&force),
                                "replace --out even when it holds something other than a Systole run")(
      "json", po::bool_switch(&json), "print the re-priced total as JSON instead of the table");
  const auto vm =
      parse_command_line("energy", "systole energy --report REPORT [--table TABLE] [--out DIR]", args, desc);
  if (!vm) return 0;
  nonempty_path("--report", report_arg, "a report.json or a run's output folder");
  if (vm->count("table")) nonempty_path("--table", table_arg, "an energy table name or file");
  if (vm->count("out"))
    nonempty_path("--out", out_dir, "a folder for the re-priced report.json and power.csv");

  std::string report_path = report_arg;
  std::error_code ec;
  if (std::filesystem::is_directory(report_path, ec))
    report_path = (std::filesystem::path(report_path) / "report.json").string();
  // --out is checked before anything is read; the run being re-priced is never replaced.
  InterruptScope interrupts;
  std::optional<OutputTarget> out;
  if (!out_dir.empty()) {
    out.emplace("--out", out_dir, run_folder_kind(), force);
    if (path_within(normalised(report_path), out->target())) {
      throw UserError(
          fmt::format("--out = '{}': holds the --report being re-priced ('{}'); Systole replaces "
                      "its output folder whole: write the re-priced files to another folder",
                      out_dir, report_path));
    }
  }
  nlohmann::ordered_json report = read_report(report_path);
  if (table_arg.empty()) {
    const auto* cfg = report.contains("config") ? &report["config"] : nullptr;
    if (cfg == nullptr || !cfg->contains("energy") || !(*cfg)["energy"].contains("table") ||
        !(*cfg)["energy"]["table"].is_string()) {
      throw UserError(
          fmt::format("{}: config.energy.table: missing; name a table with --table", report_path));
    }
    table_arg = (*cfg)["energy"]["table"].get<std::string>();
  }
  energy::EnergyTable table;
  try {
    table = energy::load_energy_table(energy::energy_table_path(table_arg, ""));
  } catch (const ConfigError& e) {
    std::vector<Diagnostic> out;
    for (Diagnostic d : e.diagnostics()) {
      if (d.file.empty()) {
        d.file = "--table";
        d.key = "";
      }
      out.push_back(std::move(d));
    }
    throw ConfigError(std::move(out));
  }
  const std::string power_csv = price_report(report, table, table_arg, report_path);
  if (out) {
    try {
      write_files(out->stage().string(), {{"report.json", report.dump(2) + "\n"}, {"power.csv", power_csv}});
    } catch (const UserError& e) {
      throw UserError(fmt::format("--out = '{}': {} (nothing was installed)", out_dir, e.what()));
    }
    throw_if_interrupted();
    out->commit();
  }
  if (json) {
    nlohmann::ordered_json out = report["total"];
    out["energy"] = report["energy"];
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << fmt::format("{} priced with {} ({})\n", report_path, table.path, table.node)
              << component_table(report) << energy_summary(report);
    if (!out_dir.empty())
      std::cout << fmt::format("outputs: {}/report.json, {}/power.csv\n", out_dir, out_dir);
  }
  return 0;
}

}  // namespace systole::cli
