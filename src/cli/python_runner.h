// What `systole chart` and `systole plot` share: finding the report of a run, finding a script
// under the data dir, running it with Debian's python3 (matplotlib comes from python3-matplotlib)
// on a JSON spec, and cleaning up temporary files. The scripts exit with kScriptNoMatplotlib when
// `import matplotlib` fails; that becomes a UserError naming the Debian package.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace systole::cli {

// Exit code of scripts/chart.py and scripts/plot.py when matplotlib cannot be imported.
constexpr int kScriptNoMatplotlib = 4;

// A `systole run` output directory -> its report.json; a file path is returned as is.
// UserError (exit 2) when the path does not exist or the directory holds no report.json.
std::filesystem::path report_file(const std::string& arg);

// The member reached by a path such as {"total", "gops"}; nullptr when any step is missing or
// a step's parent is not an object. Json is nlohmann::json or nlohmann::ordered_json.
template <class Json>
const Json* find_path(const Json& root, const std::vector<std::string>& path) {
  const Json* node = &root;
  for (const auto& step : path) {
    if (!node->is_object() || !node->contains(step)) return nullptr;
    node = &(*node)[step];
  }
  return node;
}

// The whole file as bytes ("" when it cannot be read).
std::string read_text(const std::filesystem::path& p);

// <data dir>/<relative> (the data dir is $SYSTOLE_DATA_DIR or the source tree). UserError when it
// does not exist.
std::filesystem::path data_file(const std::filesystem::path& relative);

// The interpreter: $SYSTOLE_PYTHON when set and non-empty, else /usr/bin/python3. UserError
// naming the Debian packages when it is not an executable file; `command` ("chart", "plot")
// names the subcommand in the message.
std::string python_interpreter(const std::string& command);

// Runs argv (argv[0] the program's path) with stdin from /dev/null and stdout and stderr into
// `log`; returns its exit status, or -1 when it died of a signal. A pending SIGINT/SIGTERM
// (interrupt.h) stops it. UserError "cannot run PROGRAM: why; HINT" when it cannot be started.
int run_captured(const std::vector<std::string>& argv, const std::filesystem::path& log,
                 const std::string& hint);

// "systole-<command>-<pid>": a name part that keeps concurrent runs' temporary files apart.
std::string temp_tag(const std::string& command);

// Removes the listed files when it goes out of scope, whichever way the command ends.
struct TempFiles {
  std::vector<std::filesystem::path> paths;
  TempFiles() = default;
  TempFiles(const TempFiles&) = delete;
  TempFiles& operator=(const TempFiles&) = delete;
  ~TempFiles();
};

// Writes `spec` to a temporary JSON file and runs `python script SPEC.json` with stdin from
// /dev/null and stdout+stderr captured. Returns normally only when the script exits 0.
// Throws UserError when python cannot be started or the script exits kScriptNoMatplotlib (the
// message names python3-matplotlib and carries the script's output), InternalError for any other
// failure (our script's bug) with the script's output. The spec and log files are removed.
void run_python_script(const std::string& command, const std::string& python,
                       const std::filesystem::path& script, const nlohmann::ordered_json& spec);

}  // namespace systole::cli
