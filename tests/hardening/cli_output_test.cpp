// Hardening of what the CLI writes (issue 12, classes 6, 7, 11, 13; docs/output-safety.md):
// tensor file names never escape the dump folder, an output folder is replaced whole or not at
// all (no stale traces beside a new report, the previous run untouched by a failure, a full
// disk or a signal), stale temporaries of dead processes are removed, and report.json's
// "verified" is a JSON boolean.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/hardening.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole_bounded;
using testing::write_file;

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

// Hidden temporaries of the output rule left in `dir`.
std::vector<std::string> temporaries_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.find(".systole-tmp-") != std::string::npos || n.find(".systole-old-") != std::string::npos) {
      out.push_back(n);
    }
  }
  return out;
}

// The small network of support/process.h with hostile layer names.
std::string hostile_workload(const std::string& long_a, const std::string& long_b) {
  return "name: hostile\ninputs:\n  - {name: x, shape: [1, 8, 12, 12]}\nlayers:\n"
         "  - {name: \"../escaped\", type: conv2d, out_channels: 16, kernel: 3, padding: 1}\n"
         "  - {name: \".hidden\", type: relu}\n"
         "  - {name: \"a/b\", type: conv2d, out_channels: 16, kernel: 3, stride: 2, padding: 1}\n"
         "  - {name: \"%41\", type: reshape, shape: [1, -1]}\n"
         "  - {name: \"A\", type: fc, out_features: 10}\n"
         "  - {name: \"" +
         long_a +
         "\", type: fc, out_features: 10}\n"
         "  - {name: \"" +
         long_b + "\", type: fc, out_features: 10}\n";
}

TEST(CliOutput, TensorNamesAreEncodedAndNeverEscapeTheDumpFolder) {
  const fs::path dir = fresh_dir("cli_tensor_names");
  const std::string long_a(300, 'L');
  const std::string long_b = std::string(299, 'L') + "M";  // same first 200 bytes, other hash
  write_file(dir / "net.yaml", hostile_workload(long_a, long_b));
  const auto r = run_systole_bounded("run --workload " + q(dir / "net.yaml") + " --quiet --out " +
                                         q(dir / "out") + " --dump-tensors " + q(dir / "t" / "tensors"),
                                     dir, 120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Nothing beside the dump folder: "../escaped" did not climb out of it.
  EXPECT_EQ(names_in(dir / "t"), std::set<std::string>{"tensors"});
  EXPECT_FALSE(fs::exists(dir / "t" / "escaped.npy"));
  EXPECT_FALSE(fs::exists(dir / "escaped.npy"));
  const std::set<std::string> files = names_in(dir / "t" / "tensors");
  for (const auto& f : files) {
    EXPECT_NE(f[0], '.') << f;  // never hidden, never "." or ".."
    EXPECT_LE(f.size(), 255u) << f;
    EXPECT_EQ(f.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-%~"),
              std::string::npos)
        << f;
  }
  EXPECT_TRUE(files.count("%2E.%2Fescaped.npy")) << r.out;
  EXPECT_TRUE(files.count("a%2Fb.npy"));
  EXPECT_TRUE(files.count("A.npy"));
  // The two long names: shortened to 200 bytes, "~" and a hash, and different from each other.
  int shortened = 0;
  for (const auto& f : files) {
    if (f.rfind(std::string(200, 'L') + "~", 0) == 0) ++shortened;
  }
  EXPECT_EQ(shortened, 2);
  fs::remove_all(dir);
}

// Invalid UTF-8 cannot reach a layer name: the loaders refuse it, naming the file and line (the
// encoder itself is tested byte by byte in cli_tensor_names_test.cpp).
TEST(CliOutput, InvalidUtf8LayerNamesAreRefusedBeforeAnythingIsWritten) {
  const fs::path dir = fresh_dir("cli_tensor_utf8");
  std::string text = testing::kSmallWorkload;
  text.replace(text.find("name: fc,"), 9, "name: \"f\xff\xfe\",");
  write_file(dir / "net.yaml", text);
  const auto r = run_systole_bounded("run --workload " + q(dir / "net.yaml") + " --quiet --out " +
                                         q(dir / "out") + " --dump-tensors " + q(dir / "t"),
                                     dir, 120);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("net.yaml"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "t"));
  EXPECT_FALSE(fs::exists(dir / "out"));
  fs::remove_all(dir);
}

const std::string kSmallRun = "run --workload resnet18 --quiet ";

TEST(CliOutput, AnOutputFolderIsReplacedWholeSoNoStaleTracesSurvive) {
  const fs::path dir = fresh_dir("cli_replace_whole");
  const fs::path out = dir / "out";
  auto first = run_systole_bounded(kSmallRun + "--trace perfetto,csv,vcd --out " + q(out), dir, 120);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_TRUE(fs::exists(out / "trace.json"));
  fs::create_directories(out / "plots");
  write_file(out / "plots" / "roofline.png", "old picture");
  auto second = run_systole_bounded(kSmallRun + "--out " + q(out), dir, 120);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(names_in(out), (std::set<std::string>{"layers.csv", "power.csv", "report.json", "summary.txt"}));
  EXPECT_TRUE(temporaries_in(dir).empty());
  fs::remove_all(dir);
}

TEST(CliOutput, AForeignFolderIsRefusedBeforeSimulatingAndReplacedWithForce) {
  const fs::path dir = fresh_dir("cli_foreign");
  write_file(dir / "mine" / "thesis.tex", "precious\n");
  // resnet50 with cycle-level DRAM takes many seconds: the refusal must come first.
  auto refused = run_systole_bounded(
      "run --workload resnet50 --arch tpu_v1 --set dram.kind=cycle --quiet --out " + q(dir / "mine"), dir);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_LT(refused.seconds, 5.0);
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_EQ(read_file(dir / "mine" / "thesis.tex"), "precious\n");
  auto forced = run_systole_bounded(kSmallRun + "--force --out " + q(dir / "mine"), dir, 120);
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_FALSE(fs::exists(dir / "mine" / "thesis.tex"));
  EXPECT_TRUE(fs::exists(dir / "mine" / "report.json"));
  fs::remove_all(dir);
}

TEST(CliOutput, StaleTemporariesOfDeadProcessesAreRemoved) {
  const fs::path dir = fresh_dir("cli_stale");
  // pid 999999999 is above any pid_max: that process is certainly not alive.
  write_file(dir / ".out.systole-tmp-999999999" / "report.json", "half-written");
  write_file(dir / ".other.systole-tmp-999999999", "half-written picture");
  write_file(dir / ".out.systole-tmp-1" / "report.json", "pid 1 (init) is alive: kept");
  auto r = run_systole_bounded(kSmallRun + "--out " + q(dir / "out"), dir, 120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(temporaries_in(dir), std::vector<std::string>{".out.systole-tmp-1"});
  fs::remove_all(dir);
}

TEST(CliOutput, AFullDiskIsAUserErrorAndTheEarlierRunStays) {
  const fs::path dir = fresh_dir("cli_full_disk");
  const fs::path out = dir / "out";
  auto first = run_systole_bounded(kSmallRun + "--out " + q(out), dir, 120);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string before = read_file(out / "report.json");
  // A file size limit stands in for a full disk: write() fails with EFBIG ("File too large")
  // once SIGXFSZ is ignored. dash counts ulimit -f in 512-byte blocks: 64 KiB, less than the
  // report of resnet18 with traces.
  const std::string cmd = "cd '" + std::string(SYSTOLE_SOURCE_DIR) +
                          "' && trap '' XFSZ && ulimit -f 128 && exec '" + SYSTOLE_BIN + "' " + kSmallRun +
                          "--trace perfetto --out " + q(out) + " >'" + (dir / "stdout.txt").string() +
                          "' 2>'" + (dir / "stderr.txt").string() + "'";
  const int status = std::system(cmd.c_str());
  const std::string err = read_file(dir / "stderr.txt");
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2) << err;
  EXPECT_NE(err.find("File too large"), std::string::npos) << err;
  EXPECT_NE(err.find(out.string()), std::string::npos) << err;
  EXPECT_EQ(err.find("internal error"), std::string::npos) << err;
  EXPECT_TRUE(read_file(out / "report.json") == before) << "the earlier report.json changed";
  EXPECT_FALSE(fs::exists(out / "trace.json"));
  EXPECT_TRUE(temporaries_in(dir).empty());
  fs::remove_all(dir);
}

TEST(CliOutput, EnergyAndPlotAndConfigDocFollowTheRule) {
  const fs::path dir = fresh_dir("cli_energy_rule");
  auto run = run_systole_bounded(kSmallRun + "--out " + q(dir / "run"), dir, 120);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // energy --out: a fresh folder, then the same folder again (it holds a Systole run).
  for (int i = 0; i < 2; ++i) {
    auto e =
        run_systole_bounded("energy --report " + q(dir / "run") + " --table 7nm --out " + q(dir / "e"), dir);
    ASSERT_EQ(e.exit_code, 0) << e.err;
  }
  EXPECT_EQ(names_in(dir / "e"), (std::set<std::string>{"power.csv", "report.json"}));
  // config-doc --out: written, then replaced (it is an earlier configuration reference).
  for (int i = 0; i < 2; ++i) {
    auto c = run_systole_bounded("config-doc --out " + q(dir / "ref.md"), dir);
    ASSERT_EQ(c.exit_code, 0) << c.err;
  }
  EXPECT_EQ(read_file(dir / "ref.md").rfind("# Configuration reference\n", 0), 0u);
  EXPECT_TRUE(temporaries_in(dir).empty());
  fs::remove_all(dir);
}

TEST(CliOutput, VerifiedIsAJsonBoolean) {
  const fs::path dir = fresh_dir("cli_verified");
  write_file(dir / "small.yaml", testing::kSmallWorkload);
  auto r = run_systole_bounded(
      "run --workload " + q(dir / "small.yaml") + " --functional --quiet --out " + q(dir / "out"), dir, 120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir / "out" / "report.json"));
  EXPECT_EQ(report["functional"]["verified"], true);
  EXPECT_EQ(report["total"]["verified"], report["functional"]["verified"]);
  int booleans = 0;
  for (const auto& l : report["layers"]) {
    EXPECT_TRUE(l["verified"].is_boolean() || l["verified"].is_null()) << l.dump();
    if (l["type"] == "reshape") {
      EXPECT_TRUE(l["verified"].is_null()) << l.dump();  // not compared
    }
    booleans += l["verified"].is_boolean();
  }
  EXPECT_GE(booleans, 3);
  // A timing-only run carries no verification keys at all.
  auto timing = run_systole_bounded(
      "run --workload " + q(dir / "small.yaml") + " --quiet --out " + q(dir / "t"), dir, 120);
  ASSERT_EQ(timing.exit_code, 0) << timing.err;
  const auto plain = nlohmann::json::parse(read_file(dir / "t" / "report.json"));
  EXPECT_FALSE(plain.contains("functional"));
  EXPECT_FALSE(plain["total"].contains("verified"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace systole
