// The `systole` subcommands. Each returns the process exit code; user errors are thrown as
// UserError and turned into exit code 2 by main().
#pragma once

#include <string>
#include <vector>

#include "systole/run/run.h"

namespace systole::cli {

int run_command(const std::vector<std::string>& args);
int compile_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int config_doc_command(const std::vector<std::string>& args);
int memtest_command(const std::vector<std::string>& args);  // memtest_command.cpp
int noctest_command(const std::vector<std::string>& args);  // noctest_command.cpp
int chart_command(const std::vector<std::string>& args);    // chart_command.cpp
int energy_command(const std::vector<std::string>& args);   // energy_command.cpp
int plot_command(const std::vector<std::string>& args);     // plot_command.cpp
int map_command(const std::vector<std::string>& args);      // map_command.cpp
int import_command(const std::vector<std::string>& args);   // import_command.cpp
int serve_command(const std::vector<std::string>& args);    // serve_command.cpp
int sweep_command(const std::vector<std::string>& args);    // sweep_command.cpp

// resolve_input, data_dir and load_arch_energy_table are the run library's (systole/run/run.h).

}  // namespace systole::cli
