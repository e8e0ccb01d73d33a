// `systole serve`: a request trace run on a decoder with iteration-level batching
// (run/serving.h; docs/llm.md "Serving"). Each distinct step is simulated once, by a child
// `systole run` (SystemC elaborates once per process), into --out/steps/, and its time and
// energy are reused for every iteration that needs it.
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/output_target.h"
#include "cli/python_runner.h"
#include "systole/common/error.h"
#include "systole/common/input_file.h"
#include "systole/run/run.h"
#include "systole/run/serving.h"
#include "systole/workload/decoder.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace systole::cli {
namespace {

// A step's report.json, read back: its llm.step_s and llm.energy_per_step_j.
StepCost read_step(const fs::path& report) {
  const Json r =
      Json::parse(read_input_file_as<WorkloadError>(report.string(), "step report", kMaxWorkloadBytes));
  const Json& llm = r.at("llm");
  return {llm.at("step_s").get<double>(), llm.at("energy_per_step_j").get<double>()};
}

}  // namespace

int serve_command(const std::vector<std::string>& args) {
  std::string arch = "default", workload, trace, out, max_batch = "8", bucket = "64";
  std::vector<std::string> overrides;
  bool force = false, quiet = false;
  po::options_description desc("serve options");
  desc.add_options()("help,h", "show this help")("arch,a", po::value(&arch)->default_value("default"),
                                                 "architecture: a YAML config or a preset name")(
      "workload,w", po::value(&workload)->required(),
      "a decoder workload (llama7b, gpt2_small, a decoder: spec)")(
      "trace,t", po::value(&trace)->required(),
      "the requests: a CSV of arrival_s,prompt_tokens,output_tokens (docs/llm.md \"Serving\")")(
      "set,s", po::value(&overrides)->composing(), "override a config key (repeatable)")(
      "max-batch", po::value(&max_batch), "requests running at once, 1 to 4096 (default 8)")(
      "context-bucket", po::value(&bucket),
      "decode contexts and prompts are rounded up to a multiple of this many tokens, 1 to 65536 (default "
      "64): "
      "fewer distinct steps to simulate")(
      "out,o", po::value(&out)->required(),
      "output folder (serve.json, requests.csv, iterations.csv, summary.txt, steps/), replaced whole")(
      "force", po::bool_switch(&force),
      "replace --out even when it holds something other than a serving run")(
      "quiet,q", po::bool_switch(&quiet), "do not print the summary or the steps being simulated");
  const auto vm = parse_command_line(
      "serve",
      "systole serve --workload W --trace requests.csv --out DIR [--arch A] [--max-batch N] "
      "[--context-bucket T]\n\n"
      "Runs a request trace on a decoder with iteration-level batching (prefill first);\n"
      "each distinct step is simulated once. Reports TTFT, TPOT and end-to-end latency\n"
      "percentiles, throughput and energy (docs/llm.md).",
      args, desc);
  if (!vm) return 0;
  nonempty_path("--trace", trace, "a request trace CSV");
  nonempty_path("--out", out, "a folder for the serving run");
  ServingOptions options;
  options.max_batch = integer_flag("--max-batch", max_batch, 1, 4096, "");
  options.context_bucket = integer_flag("--context-bucket", bucket, 1, 65536, "");

  InterruptScope interrupts;
  OutputTarget target("--out", out, serve_folder_kind(), force);
  const std::string workload_path = resolve_input(workload, "workloads");
  const std::string spec =
      read_input_file_as<WorkloadError>(workload_path, "workload file", kMaxWorkloadBytes);
  if (!is_decoder_spec(spec)) {
    throw UserError(fmt::format(
        "--workload '{}': a serving run needs a decoder workload (a YAML `decoder:` spec such as llama7b; "
        "docs/llm.md)",
        workload));
  }
  options.max_context = decoder_max_context(spec, workload_path);
  const std::vector<ServingRequest> requests =
      read_serving_trace(read_input_file_as<WorkloadError>(trace, "trace file", kMaxWorkloadBytes), trace);
  // Checks the arch and the overrides once, before any child runs.
  RunRequest check;
  check.arch = arch;
  check.overrides = overrides;
  load_run(check);

  const fs::path& staging = target.stage();
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw InternalError("serve: cannot find this program's path: " + ec.message());
  std::map<std::string, StepCost> steps;
  const StepOracle oracle = [&](const std::string& phase, int64_t batch, int64_t context) {
    const std::string key = fmt::format("{}-b{}-c{}", phase, batch, context);
    if (auto it = steps.find(key); it != steps.end()) return it->second;
    throw_if_interrupted();
    if (!quiet) std::cerr << fmt::format("serve: simulating {} batch {} context {}\n", phase, batch, context);
    const fs::path dir = staging / "steps" / key;
    std::vector<std::string> argv{self.string(), "run",
                                  "--arch",      arch,
                                  "--workload",  workload_path,
                                  "--phase",     phase,
                                  "--context",   std::to_string(context),
                                  "--batch",     std::to_string(batch),
                                  "--quiet",     "--out",
                                  dir.string()};
    for (const std::string& o : overrides) {
      argv.push_back("--set");
      argv.push_back(o);
    }
    fs::create_directories(staging / "steps");
    const fs::path log = staging / "steps" / (key + ".log");
    const int status = run_captured(argv, log, "`systole serve` simulates each step with `systole run`");
    throw_if_interrupted();
    if (status != 0) {
      throw InternalError(
          fmt::format("serve: the run of the {} step failed (exit status {}):\n{}", key, status,
                      read_input_file_as<WorkloadError>(log.string(), "log", kMaxWorkloadBytes)));
    }
    fs::remove(log);
    return steps[key] = read_step(dir / "report.json");
  };
  const ServingResult result = simulate_serving(requests, options, oracle, trace);
  Json serve;
  serve["tool"] = {{"name", "systole"}, {"version", SYSTOLE_VERSION}};
  serve["inputs"] = {{"arch", arch}, {"workload", workload_path}, {"trace", trace}, {"overrides", overrides}};
  const Json metrics = serving_json(result, options);
  for (const auto& [key, value] : metrics.items()) serve[key] = value;
  serve["distinct_steps"] = static_cast<int64_t>(steps.size());
  const std::string summary = serving_summary(serve);
  write_text_file(staging / "serve.json", serve.dump(2) + "\n", "--out", out);
  write_text_file(staging / "requests.csv", serving_requests_csv(result), "--out", out);
  write_text_file(staging / "iterations.csv", serving_iterations_csv(result), "--out", out);
  write_text_file(staging / "summary.txt", summary, "--out", out);
  throw_if_interrupted();
  target.commit();
  if (!quiet)
    std::cout << summary
              << fmt::format("outputs: {}/serve.json, requests.csv, iterations.csv, steps/\n", out);
  return 0;
}

}  // namespace systole::cli
