// `systole plot`'s input: one run's report.json and power.csv, read and checked (every problem
// listed at once, naming the file and the key or column) into the numbers scripts/plot.py draws.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "systole/common/error.h"

namespace systole::cli {

struct PlotRun {
  std::filesystem::path report;
  std::string dir_name;  // the run directory's name, the default label
  std::string name;      // config.name
  std::string dataflow;
  nlohmann::ordered_json spec;  // the run's part of the script's spec
};

// Reads the run whose report.json is `report` (its power.csv beside it) into run->spec; false,
// with every problem added to `problems`, when something is missing or unusable.
bool read_plot_run(const std::filesystem::path& report, PlotRun* run, DiagnosticList& problems);

}  // namespace systole::cli
