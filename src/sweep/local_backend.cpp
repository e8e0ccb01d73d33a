#include "systole/sweep/local_backend.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/config/loader.h"
#include "systole/report/sha256.h"
#include "systole/run/run.h"

namespace systole::sweep {

namespace fs = std::filesystem;

std::string run_hash(const ArchSpec& arch, const std::string& workload_sha256) {
  nlohmann::ordered_json key;
  key["tool"] = "systole " SYSTOLE_VERSION;
  key["config"] = arch_to_json(arch);
  key["workload_sha256"] = workload_sha256;
  key["options"] = {{"functional", false}};
  return sha256_hex(key.dump());
}

RunMetrics metrics_of(const nlohmann::json& report) {
  try {
    const nlohmann::json& t = report.at("total");
    RunMetrics m;
    m.cycles = t.at("cycles").get<int64_t>();
    m.time_us = t.at("time_us").get<double>();
    m.energy_pj = t.at("energy_pj").get<double>();
    m.avg_power_w = t.at("avg_power_w").get<double>();
    m.peak_power_w = t.at("peak_power_w").get<double>();
    m.gops = t.at("gops").get<double>();
    m.tops_per_w = t.at("tops_per_w").get<double>();
    m.utilization = t.at("utilization").get<double>();
    m.dram_bytes = t.at("dram_reads_bytes").get<int64_t>() + t.at("dram_writes_bytes").get<int64_t>();
    int64_t most = 0;
    for (const auto& [cause, cycles] : t.at("cycle_breakdown").items()) {
      if (cause != "compute" && cycles.get<int64_t>() > most) {
        most = cycles.get<int64_t>();
        m.top_stall = cause;
      }
    }
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw InternalError(fmt::format("report.json without its headline metrics: {}", e.what()));
  }
}

namespace {

struct Job {
  std::string hash;
  size_t point = 0;
  size_t workload = 0;
  std::vector<ResultsDb::Member> also;  // other (point, workload) pairs with the same hash
  std::string dir;                      // points/<hash16>, relative to out_dir
};

// The run's error from its stderr: the first line, and when that is a heading ("...: configuration
// error (1 problem):"), the first problem under it; at most 500 characters.
std::string error_of(const std::string& path) {
  std::ifstream in(path);
  std::string line, out;
  while (std::getline(in, line)) {
    const size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b);
    out += out.empty() ? line : " " + line;
    if (out.back() != ':') break;
  }
  if (out.empty()) out = "the run failed without a message";
  return out.size() > 500 ? out.substr(0, 500) : out;
}

std::string params_json(const SweepPoint& p) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [k, v] : p.params) {
    std::visit([&](const auto& x) { j[k] = x; }, v);
  }
  return j.dump();
}

// Starts `argv` with stdout to /dev/null and stderr to `log`; the child dies with this process.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0)
    throw UserError(fmt::format("cannot start a sweep run: fork failed ({})", std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the sweep died before the line above took effect
    const int out = open("/dev/null", O_WRONLY);
    const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

SweepProgress run_local(const SweepSpec& spec, const SweepPlan& plan, const LocalOptions& options,
                        const std::function<void(const SweepProgress&)>& progress,
                        const std::function<bool()>& interrupted) {
  if (options.jobs < 1) throw InternalError("run_local with jobs < 1");
  const auto start = std::chrono::steady_clock::now();
  const fs::path out(options.out_dir);
  std::error_code ec;
  fs::create_directories(out / "points", ec);
  if (ec)
    throw UserError(
        fmt::format("--out '{}': cannot create the sweep's folder: {}", options.out_dir, ec.message()));
  ResultsDb db((out / "sweep.db").string());
  db.clear_members(spec.name);  // the spec as it is now; its finished runs are found again below

  // Resolve every workload once, and hash every run; runs of one hash are one job.
  std::vector<std::string> workload_paths, workload_hashes;
  for (const std::string& w : spec.workloads) {
    workload_paths.push_back(resolve_input(w, "workloads"));
    workload_hashes.push_back(sha256_file(workload_paths.back()));
  }
  SweepProgress p;
  p.total = plan.points.size() * spec.workloads.size();
  std::vector<Job> jobs;
  std::map<std::string, size_t> job_of;
  const std::string arch_path = resolve_input(spec.arch, "arch");
  for (const SweepPoint& pt : plan.points) {
    // The point's arch, loaded once; a point whose arch does not load fails without a run.
    std::string load_error;
    std::optional<ArchSpec> arch;
    try {
      arch = load_arch(arch_path, pt.overrides);
    } catch (const UserError& e) {
      load_error = e.diagnostics().empty() ? e.what() : e.diagnostics()[0].str();
    }
    for (size_t w = 0; w < spec.workloads.size(); ++w) {
      const ResultsDb::Member member{spec.name, static_cast<int64_t>(pt.index), static_cast<int64_t>(w)};
      if (!arch) {
        // Recorded as failed under a hash of its overrides: nothing to simulate.
        PointRecord r;
        r.hash = sha256_hex("invalid " + params_json(pt) + " " + spec.workloads[w]);
        r.sweep = spec.name;
        r.point = static_cast<int64_t>(pt.index);
        r.workload = spec.workloads[w];
        r.params = params_json(pt);
        r.status = "failed";
        r.error = load_error.substr(0, load_error.find('\n'));
        db.record(r, member);
        ++p.finished;
        ++p.failed;
        continue;
      }
      const std::string hash = run_hash(*arch, workload_hashes[w]);
      if (const auto found = db.find(hash);
          found && found->status == "done" && fs::exists(out / found->report)) {
        db.add_member(member, hash);
        ++p.reused;
        continue;
      }
      if (const auto it = job_of.find(hash); it != job_of.end()) {
        jobs[it->second].also.push_back(member);
        continue;
      }
      job_of[hash] = jobs.size();
      jobs.push_back({hash, pt.index, w, {}, "points/" + hash.substr(0, 16)});
    }
  }
  auto report_progress = [&]() {
    p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (progress) progress(p);
  };
  report_progress();

  std::map<pid_t, size_t> running;  // pid -> job
  size_t next = 0;
  auto finish = [&](size_t j, int status) {
    const Job& job = jobs[j];
    const SweepPoint& pt = plan.points[job.point];
    PointRecord r;
    r.hash = job.hash;
    r.sweep = spec.name;
    r.point = static_cast<int64_t>(pt.index);
    r.workload = spec.workloads[job.workload];
    r.params = params_json(pt);
    const fs::path report = out / job.dir / "report.json";
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(report)) {
      std::ifstream in(report);
      std::stringstream ss;
      ss << in.rdbuf();
      r.status = "done";
      r.metrics = metrics_of(nlohmann::json::parse(ss.str()));
      r.report = job.dir + "/report.json";
    } else {
      // A run that stopped because the sweep is being interrupted (Ctrl-C reaches the whole process
      // group) did not fail: leave it unrecorded, for the next run of the sweep.
      if (interrupted && interrupted()) return;
      r.status = "failed";
      r.error = WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                                    : error_of((out / (job.dir + ".log")).string());
      ++p.failed;
    }
    db.record(r, {spec.name, static_cast<int64_t>(pt.index), static_cast<int64_t>(job.workload)});
    for (const ResultsDb::Member& m : job.also) db.add_member(m, job.hash);
    p.finished += 1 + job.also.size();
    if (r.status == "failed") p.failed += job.also.size();
    report_progress();
  };
  while (next < jobs.size() || !running.empty()) {
    if (interrupted && interrupted()) {
      for (const auto& [pid, j] : running) kill(pid, SIGTERM);
      for (const auto& [pid, j] : running) {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
      }
      return p;
    }
    while (next < jobs.size() && running.size() < static_cast<size_t>(options.jobs)) {
      const Job& job = jobs[next];
      const SweepPoint& pt = plan.points[job.point];
      std::vector<std::string> argv = {options.executable, "run",        "--arch",
                                       arch_path,          "--workload", workload_paths[job.workload]};
      for (const std::string& o : pt.overrides) {
        argv.push_back("--set");
        argv.push_back(o);
      }
      argv.push_back("--quiet");
      argv.push_back("--out");
      argv.push_back((out / job.dir).string());
      running[spawn(argv, (out / (job.dir + ".log")).string())] = next;
      ++next;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      const auto it = running.find(pid);
      if (it == running.end()) continue;  // not one of ours
      const size_t j = it->second;
      running.erase(it);
      finish(j, status);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return p;
}

}  // namespace systole::sweep
