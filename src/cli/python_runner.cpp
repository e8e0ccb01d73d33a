#include "cli/python_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/output_target.h"
#include "systole/common/error.h"

extern char** environ;

namespace fs = std::filesystem;

namespace systole::cli {
namespace {

// Debian's interpreter, where python3-matplotlib installs; $SYSTOLE_PYTHON overrides it.
constexpr const char* kDefaultPython = "/usr/bin/python3";

// Runs `python script spec` with stdout and stderr captured into `log`; returns the exit status
// (or -1 when the process died of a signal). Throws UserError when python cannot be started.
int spawn_script(const std::string& command, const std::string& python, const fs::path& script,
                 const fs::path& spec, const fs::path& log) {
  return run_captured({python, script.string(), spec.string()}, log,
                      fmt::format("`systole {}` needs Debian's python3 with matplotlib "
                                  "(apt-get install python3 python3-matplotlib)",
                                  command));
}

}  // namespace

int run_captured(const std::vector<std::string>& argv_s, const fs::path& log, const std::string& hint) {
  if (argv_s.empty()) throw InternalError("run_captured: no program");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<std::string> copy = argv_s;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string& program = argv_s.front();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw UserError(fmt::format("cannot run {}: {}; {}", program, std::strerror(rc), hint));
  int status = 0;
  bool stopped = false;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw InternalError(fmt::format("waitpid for {}: {}", program, std::strerror(errno)));
    // SIGINT/SIGTERM (interrupt.h): the child is stopped too, then the command unwinds.
    if (pending_signal() != 0 && !stopped) {
      ::kill(pid, SIGTERM);
      stopped = true;
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

fs::path report_file(const std::string& arg) {
  const fs::path p(arg);
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    if (!fs::exists(p / "report.json", ec)) {
      throw UserError(
          fmt::format("{}: no report.json in this directory (give a `systole run` output "
                      "directory or a report.json)",
                      arg));
    }
    return p / "report.json";
  }
  const fs::file_status st = fs::symlink_status(p, ec);
  if (st.type() == fs::file_type::not_found)
    throw UserError(fmt::format("{}: no such file or directory", arg));
  if (ec) throw UserError(fmt::format("{}: {}", arg, ec.message()));
  return p;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

fs::path data_file(const fs::path& relative) {
  const fs::path p = fs::path(data_dir()) / relative;
  std::error_code ec;
  if (!fs::exists(p, ec)) {
    throw UserError(
        fmt::format("{}: not found (the data dir is $SYSTOLE_DATA_DIR or the source tree)", p.string()));
  }
  return p;
}

std::string python_interpreter(const std::string& command) {
  const char* env_python = std::getenv("SYSTOLE_PYTHON");
  const std::string python = env_python && *env_python ? env_python : kDefaultPython;
  if (::access(python.c_str(), X_OK) != 0) {
    throw UserError(
        fmt::format("{}: not found or not executable; `systole {}` needs Debian's python3 "
                    "with matplotlib (apt-get install python3 python3-matplotlib)",
                    python, command));
  }
  return python;
}

std::string temp_tag(const std::string& command) {
  return fmt::format("systole-{}-{}", command, ::getpid());
}

TempFiles::~TempFiles() {
  std::error_code ec;
  for (const auto& p : paths) fs::remove(p, ec);
}

void run_python_script(const std::string& command, const std::string& python, const fs::path& script,
                       const nlohmann::ordered_json& spec) {
  const std::string tag = temp_tag(command);
  TempFiles temps;
  const fs::path spec_file = fs::temp_directory_path() / (tag + ".json");
  const fs::path log_file = fs::temp_directory_path() / (tag + ".log");
  temps.paths = {spec_file, log_file};
  write_text_file(spec_file, spec.dump(2) + "\n", "the script's input", spec_file.string());
  const int status = spawn_script(command, python, script, spec_file, log_file);
  throw_if_interrupted();
  if (status == kScriptNoMatplotlib) {
    throw UserError(
        fmt::format("{} cannot import matplotlib: install the Debian package python3-matplotlib "
                    "(apt-get install python3-matplotlib)\n{}",
                    python, read_text(log_file)));
  }
  if (status != 0) {
    throw InternalError(
        fmt::format("{} failed (exit status {}):\n{}", script.string(), status, read_text(log_file)));
  }
}

}  // namespace systole::cli
