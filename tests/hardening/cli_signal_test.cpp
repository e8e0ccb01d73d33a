// SIGINT and SIGTERM stop `systole run` cleanly (docs/output-safety.md): exit 130 / 143 soon
// after the signal, one message, no temporaries left, and the previous result in --out untouched.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

#include "support/hardening.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::read_file;
using testing::run_systole_bounded;

// Takes well over 3 s (the register-level array under resnet50: about 15 s), so the signal comes
// mid-run; unstopped, it still ends on its own, so the test is bounded either way.
const std::string kLongRun = "run --workload resnet50 --fidelity rtl --quiet";

struct Stopped {
  int exit_code = -1;
  double seconds = 0;
  std::string err;
};

// Starts the long run into `out` in the background, sends `signals` (e.g. "INT" or "TERM TERM")
// `delay` seconds later, 0.05 s apart, and waits for it.
Stopped stop_long_run(const fs::path& dir, const fs::path& out, const std::string& signals, double delay) {
  const fs::path rc = dir / "rc.txt";
  const std::string cmd =
      "cd '" + std::string(SYSTOLE_SOURCE_DIR) + "' && { '" + SYSTOLE_BIN + "' " + kLongRun + " --out '" +
      out.string() + "' >'" + (dir / "stdout.txt").string() + "' 2>'" + (dir / "stderr.txt").string() +
      "' </dev/null & pid=$!; sleep " + std::to_string(delay) + "; for s in " + signals +
      "; do kill -$s $pid 2>/dev/null; sleep 0.05; done; wait $pid; echo $? >'" + rc.string() + "'; }";
  const auto t0 = std::chrono::steady_clock::now();
  std::system(cmd.c_str());
  Stopped s;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string code = read_file(rc);
  s.exit_code = code.empty() ? -1 : std::stoi(code);
  s.err = read_file(dir / "stderr.txt");
  return s;
}

bool has_temporaries(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.find(".systole-tmp-") != std::string::npos || n.find(".systole-old-") != std::string::npos)
      return true;
  }
  return false;
}

class CliSignal : public ::testing::TestWithParam<std::pair<std::string, int>> {};

TEST_P(CliSignal, StopsCleanlyAndLeavesThePreviousResult) {
  const auto& [signals, expected] = GetParam();
  const fs::path dir =
      fresh_dir("cli_signal_" + std::to_string(expected) + "_" + std::to_string(signals.size()));
  const fs::path out = dir / "out";
  auto previous =
      run_systole_bounded("run --workload resnet18 --quiet --out '" + out.string() + "'", dir, 120);
  ASSERT_EQ(previous.exit_code, 0) << previous.err;
  const std::string report = read_file(out / "report.json");

  const Stopped s = stop_long_run(dir, out, signals, 1.5);
  EXPECT_EQ(s.exit_code, expected) << s.err;
  EXPECT_LT(s.seconds, 8.0) << "the run did not stop soon after the signal";
  EXPECT_EQ(s.err.find("internal error"), std::string::npos) << s.err;
  EXPECT_NE(s.err.find(expected == 130 ? "SIGINT" : "SIGTERM"), std::string::npos) << s.err;
  // The second-signal path starts on a fresh line: the first line of text is the message.
  const size_t start = s.err.find_first_not_of('\n');
  ASSERT_NE(start, std::string::npos) << "no message";
  const std::string first_line = s.err.substr(start, s.err.find('\n', start) - start);
  EXPECT_EQ(s.err.find(first_line, start + first_line.size()), std::string::npos) << "printed twice:\n"
                                                                                  << s.err;
  EXPECT_TRUE(read_file(out / "report.json") == report) << "the previous report.json changed";
  EXPECT_FALSE(has_temporaries(dir));
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Signals, CliSignal,
                         ::testing::Values(std::make_pair(std::string("INT"), 130),
                                           std::make_pair(std::string("TERM"), 143),
                                           // A second signal right after the first: out at once.
                                           std::make_pair(std::string("TERM TERM"), 143)));

}  // namespace
}  // namespace systole
