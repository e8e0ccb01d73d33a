// Test support: run the `systole` binary as a user would and capture its exit code and output.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace systole::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A small network for end-to-end tests (two convolutions, a fused ReLU, a reshape, an fc):
// fast in every fidelity and on tiny arrays.
inline constexpr const char* kSmallWorkload = R"(name: small
inputs:
  - {name: x, shape: [1, 8, 12, 12]}
layers:
  - {name: conv1, type: conv2d, out_channels: 16, kernel: 3, padding: 1}
  - {name: relu1, type: relu}
  - {name: conv2, type: conv2d, out_channels: 16, kernel: 3, stride: 2, padding: 1}
  - {name: flat, type: reshape, shape: [1, -1]}
  - {name: fc, type: fc, out_features: 10}
)";

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

// A path as one single-quoted shell word for run_systole's command line (test paths hold no quote).
inline std::string q(const std::filesystem::path& p) {
  return "'" + p.string() + "'";
}

// A fresh, empty directory under the system temp dir, unique per test.
inline std::filesystem::path fresh_dir(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("systole_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Runs `systole <args>` from the source directory (so arch/ and workloads/ resolve).
inline ProcessResult run_systole(const std::string& args, const std::filesystem::path& scratch) {
  const auto out = scratch / "stdout.txt";
  const auto err = scratch / "stderr.txt";
  const std::string cmd = std::string("cd '") + SYSTOLE_SOURCE_DIR + "' && '" + SYSTOLE_BIN + "' " + args +
                          " >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace systole::testing
