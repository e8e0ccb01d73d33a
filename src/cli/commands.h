// The `systole` subcommands. Each returns the process exit code; user errors are thrown as
// UserError and turned into exit code 2 by main().
#pragma once

#include <string>
#include <vector>

#include "systole/config/arch_spec.h"
#include "systole/energy/energy_table.h"

namespace systole::cli {

int run_command(const std::vector<std::string>& args);
int compile_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int config_doc_command(const std::vector<std::string>& args);
int memtest_command(const std::vector<std::string>& args);  // memtest_command.cpp
int chart_command(const std::vector<std::string>& args);    // chart_command.cpp
int energy_command(const std::vector<std::string>& args);   // energy_command.cpp
int plot_command(const std::vector<std::string>& args);     // plot_command.cpp

// An --arch / --workload argument: an existing path is used as is; a bare name such as
// "resnet50" or "tpu_v1" is looked up as <data dir>/<folder>/<name>.yaml. The data dir is
// $SYSTOLE_DATA_DIR, else the source tree this binary was built from.
std::string resolve_input(const std::string& arg, const std::string& folder);
std::string data_dir();

// The energy table named by the arch's energy.table (a name found beside the arch file or in
// arch/energy, or a path). ConfigError (exit 2) naming where energy.table was written.
energy::EnergyTable load_arch_energy_table(const ArchSpec& arch);

}  // namespace systole::cli
