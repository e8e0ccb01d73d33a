// Hardening of the command line (issue 12, classes 7, 8, 12): every subcommand refuses positional
// arguments it does not take, numbers out of range (including what boost would wrap or round:
// "-1" for an unsigned seed, "1e12" for an integer, nan, inf), empty paths, unusable output
// locations and unreadable inputs, with exit code 2, a message naming the flag or path and the
// value, no "internal error", within seconds, and without leaving anything behind.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "support/hardening.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::run_systole_bounded;
using testing::substitute_path;
using testing::write_file;

struct BadArgs {
  std::string name;
  std::string args;                   // "{f}" stands for the scratch folder
  std::vector<std::string> expected;  // substrings of stderr ("{f}" likewise)
};

std::ostream& operator<<(std::ostream& os, const BadArgs& c) {
  return os << c.name;
}

// Every file and folder under `dir` (relative paths), the captured output and command excepted.
std::set<std::string> tree(const fs::path& dir) {
  std::set<std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const std::string rel = fs::relative(it->path(), dir).string();
    if (rel != "stdout.txt" && rel != "stderr.txt" && rel != "command.sh") out.insert(rel);
  }
  return out;
}

// What the cases find in the scratch folder: a file, a foreign folder, a folder that looks like a
// Systole run, a report.json that is a folder, and a 300 MiB (sparse) report.
void populate(const fs::path& dir) {
  write_file(dir / "file.txt", "not a folder\n");
  write_file(dir / "notes.png", "not a picture\n");
  write_file(dir / "foreign" / "keep.txt", "the user's own file\n");
  write_file(dir / "fakerun" / "report.json", "{\n  \"tool\": {\n    \"name\": \"systole\"\n  }\n}\n");
  fs::create_directories(dir / "rj" / "report.json");
  fs::create_directories(dir / "emptydir");
  write_file(dir / "huge.json", "");
  fs::resize_file(dir / "huge.json", 300ull << 20);
}

class CliBadArgs : public ::testing::TestWithParam<BadArgs> {};

TEST_P(CliBadArgs, IsExit2NamingTheFlagAndLeavesNothing) {
  const BadArgs& c = GetParam();
  const fs::path dir = fresh_dir("cli_args_" + c.name);
  populate(dir);
  const std::set<std::string> before = tree(dir);
  const auto r = run_systole_bounded(substitute_path(c.args, dir.string()), dir);
  EXPECT_FALSE(r.timed_out) << c.args;
  EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
  EXPECT_LT(r.seconds, 10.0) << c.args;
  for (const auto& s : c.expected) {
    const std::string want = substitute_path(s, dir.string());
    EXPECT_NE(r.err.find(want), std::string::npos) << "missing '" << want << "' in:\n" << r.err;
  }
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  // Printed once: the first line of the message does not come back.
  const std::string first_line = r.err.substr(0, r.err.find('\n'));
  ASSERT_FALSE(first_line.empty()) << c.args;
  EXPECT_EQ(r.err.find(first_line, first_line.size()), std::string::npos) << "printed twice:\n" << r.err;
  EXPECT_EQ(tree(dir), before) << c.args << ": something was written or removed";
  fs::remove_all(dir);
}

const std::string kRun = "run --workload resnet18 --quiet --out '{f}/o' ";
const std::string kMemtest = "memtest --dram ddr4-3200 --requests 100 ";

// clang-format off
INSTANTIATE_TEST_SUITE_P(Cases, CliBadArgs, ::testing::Values(
    // Positional arguments a command does not take.
    BadArgs{"run_positional", kRun + "extra", {"'extra'", "positional"}},
    BadArgs{"compile_positional", "compile --workload resnet18 extra", {"'extra'", "compile"}},
    BadArgs{"validate_positional", "validate extra", {"'extra'", "validate"}},
    BadArgs{"memtest_positional", kMemtest + "extra", {"'extra'", "memtest"}},
    BadArgs{"energy_positional", "energy --report '{f}/fakerun' extra", {"'extra'", "energy"}},
    BadArgs{"config_doc_positional", "config-doc extra", {"'extra'", "config-doc"}},
    // Numbers boost would wrap, round or accept.
    BadArgs{"seed_negative", kRun + "--seed -1", {"--seed", "'-1'", "18446744073709551615"}},
    BadArgs{"seed_exponent", kRun + "--seed 1e3", {"--seed", "'1e3'"}},
    BadArgs{"seed_too_big", kRun + "--seed 18446744073709551616", {"--seed", "18446744073709551616"}},
    BadArgs{"progress_negative", kRun + "--progress-interval -1", {"--progress-interval", "'-1'", "86400"}},
    BadArgs{"progress_nan", kRun + "--progress-interval nan", {"--progress-interval", "'nan'"}},
    BadArgs{"progress_inf", kRun + "--progress-interval inf", {"--progress-interval", "'inf'"}},
    BadArgs{"progress_huge", kRun + "--progress-interval 1e9", {"--progress-interval", "'1e9'"}},
    BadArgs{"memtest_n_exponent", "memtest --dram ddr4-3200 -n 1e12", {"--requests", "'1e12'", "10000000"}},
    BadArgs{"memtest_requests_exponent", "memtest --dram ddr4-3200 --requests 1e12", {"--requests", "'1e12'"}},
    BadArgs{"memtest_requests_above_bound", "memtest --dram ddr4-3200 --requests 100000000",
            {"--requests", "'100000000'", "10000000"}},
    BadArgs{"memtest_requests_zero", "memtest --dram ddr4-3200 --requests 0", {"--requests", "'0'"}},
    BadArgs{"memtest_queue_depth", kMemtest + "--queue-depth 1000000000", {"--queue-depth", "'1000000000'", "4096"}},
    BadArgs{"memtest_channels_2_40", kMemtest + "--channels 1099511627776", {"--channels", "'1099511627776'", "64"}},
    BadArgs{"memtest_channels_not_pow2", kMemtest + "--channels 3", {"--channels", "'3'", "power of two"}},
    BadArgs{"memtest_ratio_negative", kMemtest + "--read-ratio -0.5", {"--read-ratio", "'-0.5'"}},
    BadArgs{"memtest_ratio_nan", kMemtest + "--read-ratio nan", {"--read-ratio", "'nan'"}},
    BadArgs{"memtest_stride_huge", kMemtest + "--pattern strided --stride 1099511627777", {"--stride", "'1099511627777'"}},
    BadArgs{"memtest_stride_negative", kMemtest + "--stride -1", {"--stride", "'-1'"}},
    BadArgs{"memtest_outstanding_huge", kMemtest + "--outstanding 1000000", {"--outstanding", "'1000000'", "65536"}},
    BadArgs{"memtest_seed_negative", kMemtest + "--seed -1", {"--seed", "'-1'"}},
    // Empty paths and values.
    BadArgs{"run_out_empty", "run --workload resnet18 --quiet --out ''", {"--out", "empty"}},
    BadArgs{"run_dump_empty", kRun + "--dump-tensors ''", {"--dump-tensors", "empty"}},
    BadArgs{"run_trace_empty", kRun + "--trace ''", {"--trace", "empty"}},
    BadArgs{"energy_report_empty", "energy --report ''", {"--report", "empty"}},
    BadArgs{"plot_run_empty", "plot ''", {"RUN_DIR", "empty"}},
    BadArgs{"chart_out_empty", "chart '{f}/fakerun' --out ''", {"--out", "empty"}},
    BadArgs{"config_doc_out_empty", "config-doc --out ''", {"--out", "empty"}},
    // Output locations that cannot or must not be used (refused before anything is simulated).
    BadArgs{"run_out_is_file", "run --workload resnet18 --quiet --out '{f}/file.txt'", {"--out", "{f}/file.txt", "is a file"}},
    BadArgs{"run_out_under_file", "run --workload resnet18 --quiet --out '{f}/file.txt/sub'",
            {"--out", "{f}/file.txt", "not a folder"}},
    BadArgs{"run_out_foreign_folder", "run --workload resnet18 --quiet --out '{f}/foreign'",
            {"--out", "{f}/foreign", "--force"}},
    BadArgs{"run_out_root", "run --workload resnet18 --quiet --out /", {"--out", "root"}},
    BadArgs{"run_out_cwd", "run --workload resnet18 --quiet --out .", {"--out", "current folder"}},
    BadArgs{"run_out_in_proc", "run --workload resnet18 --quiet --out /proc/systole-hardening/o", {"--out", "/proc"}},
    BadArgs{"run_dump_onto_file", kRun + "--dump-tensors '{f}/file.txt'", {"--dump-tensors", "{f}/file.txt", "is a file"}},
    BadArgs{"run_dump_holds_out", kRun + "--dump-tensors '{f}'", {"--dump-tensors", "holds --out"}},
    BadArgs{"energy_out_is_report_folder", "energy --report '{f}/fakerun' --out '{f}/fakerun'",
            {"--out", "{f}/fakerun", "re-priced"}},
    BadArgs{"energy_out_foreign", "energy --report '{f}/fakerun' --out '{f}/foreign'", {"--out", "{f}/foreign", "--force"}},
    BadArgs{"plot_out_foreign", "plot '{f}/fakerun' --out '{f}/foreign'", {"--out", "{f}/foreign", "--force"}},
    BadArgs{"chart_out_not_image", "chart '{f}/fakerun' --out '{f}/notes.png'", {"--out", "{f}/notes.png", "PNG or SVG"}},
    BadArgs{"config_doc_out_folder", "config-doc --out '{f}/emptydir'", {"--out", "{f}/emptydir", "folder"}},
    BadArgs{"config_doc_out_foreign_file", "config-doc --out '{f}/file.txt'", {"--out", "{f}/file.txt", "--force"}},
    // Inputs of `systole energy` that are not a readable report.json.
    BadArgs{"energy_report_dev_zero", "energy --report /dev/zero", {"--report", "/dev/zero", "not a regular file"}},
    BadArgs{"energy_report_missing", "energy --report '{f}/missing.json'", {"{f}/missing.json", "No such file"}},
    BadArgs{"energy_report_json_is_folder", "energy --report '{f}/rj'", {"{f}/rj/report.json", "is a directory"}},
    BadArgs{"energy_report_no_report_in_folder", "energy --report '{f}/emptydir'", {"{f}/emptydir/report.json"}},
    BadArgs{"energy_report_huge", "energy --report '{f}/huge.json'", {"{f}/huge.json", "256 MiB"}},
    // `validate` refuses what `run` would.
    BadArgs{"validate_trace_format", "validate --set trace.formats=bogus", {"trace.formats", "bogus"}},
    BadArgs{"validate_trace_window_layers", "validate --workload resnet18 --set trace.window=nope:nada",
            {"trace.window", "nope"}},
    BadArgs{"validate_trace_window_cycles", "validate --set trace.window=9:3", {"trace.window", "9:3"}}));
// clang-format on

}  // namespace
}  // namespace systole
