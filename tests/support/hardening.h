// Test support for the hardening suite (label `hardening`): run `systole` as a hostile user's
// input would, under a wall-clock limit and an address-space limit, and check the contract of
// docs/reliability.md: exit code 2, a message naming the file (or flag) and the key or line, no
// "internal error", nothing left half-written.
#pragma once

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "support/process.h"

namespace systole::testing {

// Bounds every hardening case runs under: a bad input must be refused within seconds and under
// 1 GiB of address space (ulimit -v counts virtual memory; SystemC's coroutine stacks and the
// shared libraries need ~200 MiB of it before any input is read).
inline constexpr int kHardeningSeconds = 20;
inline constexpr long kHardeningVmemKib = 1024L * 1024L;

struct BoundedResult {
  int exit_code = -1;  // -1: killed (by the time limit or a signal)
  bool timed_out = false;
  double seconds = 0;
  std::string out;
  std::string err;
};

// Runs `systole <args>` from the source dir under `timeout` and `ulimit -v`, through bash (so
// `args` may use bash quoting such as $'\xff'); stdin is /dev/null.
inline BoundedResult run_systole_bounded(const std::string& args, const std::filesystem::path& scratch,
                                         int seconds = kHardeningSeconds, long vmem_kib = kHardeningVmemKib) {
  const auto out = scratch / "stdout.txt";
  const auto err = scratch / "stderr.txt";
  const std::string cmd = "cd '" + std::string(SYSTOLE_SOURCE_DIR) + "' && ulimit -v " +
                          std::to_string(vmem_kib) + " && exec timeout -s KILL " + std::to_string(seconds) +
                          " '" + SYSTOLE_BIN + "' " + args + " >'" + out.string() + "' 2>'" + err.string() +
                          "' </dev/null";
  const auto t0 = std::chrono::steady_clock::now();
  // Through a script run by bash, so that cases may quote bytes as $'\xff' (dash cannot).
  const auto script = scratch / "command.sh";
  write_file(script, cmd + "\n");
  const int status = std::system(("bash '" + script.string() + "'").c_str());
  BoundedResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.timed_out = r.exit_code == 137 || r.exit_code == 124;  // timeout -s KILL: the shell reports 128+9
  if (r.timed_out) r.exit_code = -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

// Replaces every "{f}" in `s` with `path`.
inline std::string substitute_path(std::string s, const std::string& path) {
  for (size_t pos; (pos = s.find("{f}")) != std::string::npos;) s.replace(pos, 3, path);
  return s;
}

}  // namespace systole::testing
