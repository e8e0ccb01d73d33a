// systole sweep: design points from a sweep spec (sweep/spec.h, docs/sweeps.md), run as local
// worker processes into a results database (sweep/local_backend.h); --dry-run lists them, each
// checked as its run would load its arch.
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/progress.h"
#include "systole/common/error.h"
#include "systole/sweep/local_backend.h"
#include "systole/sweep/spec.h"

namespace po = boost::program_options;

namespace systole::cli {
namespace {

// The points as a table: the point's index, then one column per parameter, then whether its
// arch loads (else the first problem).
void print_plan(const sweep::SweepSpec& spec, const sweep::SweepPlan& plan,
                const std::vector<std::string>& checks, std::ostream& os) {
  const size_t runs = plan.points.size() * spec.workloads.size();
  os << fmt::format(
      "sweep {} ({}): {} of {} combination{}, {} pruned by constraints: {} point{} x {} workload{} = {} "
      "run{}\n",
      spec.name, spec.source, sweep::to_string(spec.combine), plan.combinations,
      plan.combinations == 1 ? "" : "s", plan.pruned, plan.points.size(), plan.points.size() == 1 ? "" : "s",
      spec.workloads.size(), spec.workloads.size() == 1 ? "" : "s", runs, runs == 1 ? "" : "s");
  os << "workloads: " << fmt::format("{}", fmt::join(spec.workloads, ", ")) << "\n";
  if (plan.points.empty()) return;
  std::vector<std::string> header = {"point"};
  for (const auto& [key, value] : plan.points[0].params) header.push_back(key);
  header.push_back("check");
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < plan.points.size(); ++i) {
    std::vector<std::string> row = {std::to_string(plan.points[i].index)};
    for (const auto& [key, value] : plan.points[i].params) row.push_back(sweep::value_text(value));
    row.push_back(checks[i]);
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) s += "  ";
      s += c + 1 == cells.size() ? cells[c] : fmt::format("{:>{}}", cells[c], width[c]);
    }
    os << s << "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
}

// "sweep resnet18_array: 7/12 runs (2 reused, 1 failed) | 1:05 elapsed, ETA 0:39"
std::string progress_line(const std::string& name, const sweep::SweepProgress& p) {
  const size_t done = p.reused + p.finished;
  std::string s = fmt::format("sweep {}: {}/{} runs ({} reused, {} failed) | {} elapsed", name, done, p.total,
                              p.reused, p.failed, clock_text(p.elapsed_s));
  if (p.finished > 0 && done < p.total) {
    s += ", ETA " +
         clock_text(p.elapsed_s / static_cast<double>(p.finished) * static_cast<double>(p.total - done));
  }
  return s;
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  std::string spec_path, out, jobs_text;
  bool dry_run = false;
  po::options_description desc("sweep options");
  desc.add_options()("help,h", "show this help")(
      "dry-run", po::bool_switch(&dry_run),
      "list the design points (each checked as its run would load its arch) and exit")(
      "out,o", po::value(&out),
      "the sweep's folder: sweep.db and each run's outputs (default out/sweep-<name>)")(
      "jobs,j", po::value(&jobs_text), "runs at once (default: the number of cores)");
  po::options_description hidden;
  hidden.add_options()("spec", po::value(&spec_path), "the sweep spec");
  po::positional_options_description pos;
  pos.add("spec", 1);
  const auto vm = parse_command_line(
      "sweep",
      "systole sweep SPEC.yaml [--dry-run] [-o DIR] [-j N]\n\n"
      "Expands a sweep spec (docs/sweeps.md): a base arch, workloads, axes over config keys,\n"
      "derived parameters and constraints.",
      args, desc, &hidden, &pos);
  if (!vm) return 0;
  nonempty_path("SPEC", spec_path, "a sweep spec (YAML)");
  const sweep::SweepSpec spec = sweep::load_sweep_spec(spec_path);
  // The base arch with the spec's fixed overrides: where expressions find the keys nobody sweeps.
  RunRequest base;
  base.arch = spec.arch;
  for (const auto& [key, value] : spec.set) base.overrides.push_back(key + "=" + format_param_value(value));
  const PreparedRun base_run = load_run(base);
  const sweep::SweepPlan plan = sweep::expand_sweep(spec, sweep::arch_lookup(base_run.arch));
  // Every workload loads (on the base arch): a workload that does not would fail every point.
  for (const std::string& w : spec.workloads) {
    RunRequest r = base;
    r.workload = w;
    load_run(r);
  }
  if (dry_run) {
    std::vector<std::string> checks;
    size_t invalid = 0;
    for (const sweep::SweepPoint& p : plan.points) {
      RunRequest r;
      r.arch = spec.arch;
      r.overrides = p.overrides;
      try {
        load_run(r);
        checks.push_back("ok");
      } catch (const UserError& e) {
        ++invalid;
        const std::string what = e.diagnostics().empty() ? e.what() : e.diagnostics()[0].str();
        checks.push_back("invalid: " + what.substr(0, what.find('\n')));
      }
    }
    print_plan(spec, plan, checks, std::cout);
    if (invalid > 0) {
      std::cerr << fmt::format(
          "warning: {} of {} points do not load (see the check column); a sweep records them as failed\n",
          invalid, plan.points.size());
    }
    return 0;
  }
  const int64_t cores = std::max<int64_t>(1, std::thread::hardware_concurrency());
  sweep::LocalOptions options;
  options.jobs = static_cast<int>(jobs_text.empty() ? cores : integer_flag("--jobs", jobs_text, 1, 1024));
  options.out_dir = out.empty() ? "out/sweep-" + spec.name : out;
  nonempty_path("--out", options.out_dir, "the sweep's folder");
  {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path dir(options.out_dir);
    if (fs::exists(dir, ec) &&
        (!fs::is_directory(dir, ec) || (!fs::is_empty(dir, ec) && !fs::exists(dir / "sweep.db", ec)))) {
      throw UserError(
          fmt::format("--out '{}': exists and is not a sweep's folder (no sweep.db); give a new or "
                      "empty folder, or an earlier sweep's",
                      options.out_dir));
    }
    options.executable = fs::read_symlink("/proc/self/exe", ec).string();
    if (ec)
      throw UserError(fmt::format("cannot find the systole binary to run the points: {}", ec.message()));
  }
  InterruptScope interrupts;
  const bool terminal = isatty(2) != 0;
  auto last = std::chrono::steady_clock::now() - std::chrono::hours(1);
  const sweep::SweepProgress p = sweep::run_local(
      spec, plan, options,
      [&](const sweep::SweepProgress& now) {
        const auto t = std::chrono::steady_clock::now();
        const bool end = now.reused + now.finished == now.total;
        if (!end && t - last < std::chrono::milliseconds(terminal ? 200 : 5000)) return;
        last = t;
        std::cerr << (terminal ? "\r\033[K" : "") << progress_line(spec.name, now)
                  << (terminal && !end ? "" : "\n") << std::flush;
      },
      [] { return pending_signal() != 0; });
  throw_if_interrupted();
  std::cout << fmt::format("{} runs: {} simulated, {} reused, {} failed; results in {}\n", p.total,
                           p.finished - p.failed, p.reused, p.failed,
                           (std::filesystem::path(options.out_dir) / "sweep.db").string());
  return 0;
}

}  // namespace systole::cli
