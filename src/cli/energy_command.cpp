// `systole energy`: re-prices a finished run from its report.json alone with an energy table
// (report/energy_report.h), e.g. to compare nodes without simulating again.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "cli/commands.h"
#include "systole/common/error.h"
#include "systole/energy/energy_table.h"
#include "systole/report/energy_report.h"
#include "systole/report/report.h"

namespace po = boost::program_options;

namespace systole::cli {
namespace {

nlohmann::ordered_json read_report(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot read the report", path));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    return nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
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
  bool json = false;
  po::options_description desc("energy options");
  desc.add_options()("help,h", "show this help")("report,r", po::value(&report_arg)->required(),
                                                 "a run's report.json (or the run's output directory)")(
      "table,t", po::value(&table_arg),
      "energy table: 45nm, 7nm (arch/energy) or a path; default: the one the run used")(
      "out,o", po::value(&out_dir), "write the re-priced report.json and power.csv into this directory")(
      "json", po::bool_switch(&json), "print the re-priced total as JSON instead of the table");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: systole energy --report REPORT [--table TABLE] [--out DIR]\n\n" << desc;
    return 0;
  }
  po::notify(vm);

  std::string report_path = report_arg;
  if (std::filesystem::is_directory(report_path))
    report_path = (std::filesystem::path(report_path) / "report.json").string();
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
  if (!out_dir.empty())
    write_files(out_dir, {{"report.json", report.dump(2) + "\n"}, {"power.csv", power_csv}});
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
