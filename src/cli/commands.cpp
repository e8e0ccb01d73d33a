#include "cli/commands.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "systole/common/error.h"
#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/numeric/npy.h"
#include "systole/report/report.h"
#include "systole/trace/trace_options.h"

#include "cli/args.h"
#include "cli/interrupt.h"
#include "cli/output_target.h"
#include "cli/progress.h"
#include "cli/run_traces.h"
#include "cli/tensor_names.h"

namespace po = boost::program_options;

namespace systole::cli {
namespace {

struct CommonOptions {
  std::string arch = "default";
  std::string workload;
  std::vector<std::string> overrides;
  std::string mapping;
  std::string batch;                  // --batch as written ("": the workload's)
  std::vector<std::string> set_dims;  // ONNX workloads: --set-dim name=value
  bool skip_unsupported = false;
  std::string phase, context;  // decoder workloads: --phase, --context as written ("": the spec's)
};

// --batch: a batch of 1 to 65536 (larger programs meet the compiler's limits first).
int64_t batch_of(const CommonOptions& o) {
  return o.batch.empty() ? 0 : integer_flag("--batch", o.batch, 1, 65536, "");
}

void add_common(po::options_description& desc, CommonOptions& o, bool workload_required) {
  desc.add_options()("help,h", "show this help")(
      "arch,a", po::value(&o.arch)->default_value("default"),
      "architecture: a YAML config, a SCALE-Sim .cfg, or a preset name from arch/ (default, tpu_v1, ...)")(
      "workload,w", workload_required ? po::value(&o.workload)->required() : po::value(&o.workload),
      "workload: a YAML network, a SCALE-Sim .csv, an ONNX model, or a name from workloads/ (resnet50, ...)")(
      "set,s", po::value(&o.overrides)->composing(),
      "override a config key: --set core.array.rows=64 (repeatable)")(
      "mapping", po::value(&o.mapping),
      "a mapping file: the tilings of chosen GEMM layers instead of the compiler's search "
      "(docs/compiler.md)")(
      "batch", po::value(&o.batch),
      "run the workload on a batch of N: every network input's leading dimension becomes N (its layers "
      "must keep the batch leading; docs/workload-format.md)")(
      "set-dim", po::value(&o.set_dims)->composing(),
      "ONNX workloads: the value of a symbolic input dimension, --set-dim batch=1 (repeatable)")(
      "skip-unsupported", po::bool_switch(&o.skip_unsupported),
      "ONNX workloads: import unsupported nodes as zero-cost placeholders (counted in the report) instead of "
      "refusing the model")(
      "phase", po::value(&o.phase),
      "decoder workloads (llama7b, gpt2_small, ...): prefill (the prompt) or decode (one token per sequence "
      "against the KV cache); docs/llm.md")(
      "context", po::value(&o.context),
      "decoder workloads: the prompt length (prefill) or the tokens already in the KV cache (decode)");
}

// The common options into the run library's request (its other fields untouched).
void fill_request(const CommonOptions& o, RunRequest* r) {
  r->arch = o.arch;
  r->workload = o.workload;
  r->overrides = o.overrides;
  r->batch = batch_of(o);
  r->mapping = o.mapping;
  r->set_dims = o.set_dims;
  r->skip_unsupported = o.skip_unsupported;
  r->phase = o.phase;
  if (!o.phase.empty() && o.phase != "prefill" && o.phase != "decode") {
    throw UserError(fmt::format("--phase = '{}': must be prefill or decode", o.phase));
  }
  r->context = o.context.empty() ? 0 : integer_flag("--context", o.context, 1, int64_t{1} << 24, "");
}

RunRequest request_of(const CommonOptions& o) {
  RunRequest r;
  fill_request(o, &r);
  return r;
}

// The --out of `systole run` when none is given: out/<workload>-<arch> (from the file names, so it
// is known before anything is loaded).
std::string default_out_dir(const CommonOptions& o) {
  return fmt::format("out/{}-{}",
                     std::filesystem::path(resolve_input(o.workload, "workloads")).stem().string(),
                     std::filesystem::path(resolve_input(o.arch, "arch")).stem().string());
}

// A "key = value" override flag (--fidelity, --trace, --trace-window) given as "".
void nonempty_value(const po::variables_map& vm, const std::string& name, const std::string& value,
                    const std::string& expected) {
  if (vm.count(name) && value.empty()) {
    throw UserError(fmt::format("--{} = '': an empty value; expected {}", name, expected));
  }
}

// "<file>:<line>: <key>" of an arch key, for messages about trace.formats and trace.window.
std::string key_origin(const ArchSpec& arch, const std::string& key) {
  const KeyOrigin at = arch.origin_of(key);
  return at.line > 0 ? fmt::format("{}:{}: {}", at.file, at.line, key) : fmt::format("{}: {}", at.file, key);
}

trace::TraceOptions trace_options_of(const ArchSpec& arch, const Program& program) {
  return trace::parse_trace_options(arch.trace.formats, arch.trace.window, program,
                                    key_origin(arch, "trace.formats"), key_origin(arch, "trace.window"));
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  CommonOptions o;
  std::string out_dir, fidelity, dump_dir, trace, trace_window;
  std::string seed_text = "1", interval_text = "5";
  bool quiet = false, force = false;
  RunRequest request;
  po::options_description desc("run options");
  add_common(desc, o, true);
  desc.add_options()("out,o", po::value(&out_dir),
                     "output folder (default out/<workload>-<arch>); replaced whole when the run succeeds "
                     "(docs/output-safety.md)")(
      "force", po::bool_switch(&force),
      "replace --out (and --dump-tensors) even when it holds something other than an earlier run")(
      "quiet,q", po::bool_switch(&quiet), "print neither the progress nor the table")(
      "fidelity", po::value(&fidelity),
      "array model: tile (closed form) or rtl (register level); same as --set core.array.fidelity=...")(
      "functional", po::bool_switch(&request.functional),
      "move and compute real data and check every layer against the reference (docs/functional.md)")(
      "dram-per-request", po::bool_switch(&request.dram_per_request),
      "simulate every DRAM burst through the per-request interface instead of the exact streaming shortcut "
      "(the same report, slower; for validation: docs/performance.md)")(
      "seed", po::value(&seed_text)->default_value("1"),
      "seed of the random inputs and weights (--functional): 0 to 2^64-1")(
      "dump-tensors", po::value(&dump_dir),
      "write every layer's output as DIR/<layer>.npy (implies --functional; names are percent-encoded, "
      "docs/functional.md)")(
      "trace", po::value(&trace),
      "traces: none or a comma list of perfetto (trace.json), csv (events.csv), vcd (units.vcd, and "
      "array.vcd in rtl fidelity), dramsim3 / ramulator2 (DRAM request traces); same as --set "
      "trace.formats=... (docs/tracing.md)")(
      "trace-window", po::value(&trace_window),
      "what the traces cover: all, START:END in cycles, or FIRST:LAST layer names; same as --set "
      "trace.window=...")("progress-interval", po::value(&interval_text)->default_value("5"),
                          "seconds between progress lines when stderr is not a terminal: 0 to 86400");
  const auto vm = parse_command_line("run", "systole run --workload W [options]", args, desc);
  if (!vm) return 0;
  request.seed = unsigned_flag("--seed", seed_text);
  const double progress_interval =
      real_flag("--progress-interval", interval_text, 0.0, 86400.0, "seconds; at most a day");
  if (vm->count("out")) nonempty_path("--out", out_dir, "an output folder");
  if (vm->count("dump-tensors")) nonempty_path("--dump-tensors", dump_dir, "a folder for the .npy files");
  nonempty_value(*vm, "mapping", o.mapping, "a mapping file");
  nonempty_value(*vm, "fidelity", fidelity, "tile or rtl");
  nonempty_value(*vm, "trace", trace, "none or a comma list of perfetto, csv, vcd, dramsim3, ramulator2");
  nonempty_value(*vm, "trace-window", trace_window, "all, START:END in cycles or FIRST:LAST layer names");
  // A flag and a --set of the same key: neither may silently win.
  for (const auto& [flag, value, key] : {std::tuple<const char*, const std::string&, const char*>{
                                             "--fidelity", fidelity, "core.array.fidelity="},
                                         {"--trace", trace, "trace.formats="},
                                         {"--trace-window", trace_window, "trace.window="}}) {
    for (const std::string& s : o.overrides) {
      if (!value.empty() && s.rfind(key, 0) == 0) {
        throw UserError(fmt::format("{} = '{}' and --set {}: give one of them", flag, value, s));
      }
    }
  }
  if (!fidelity.empty()) o.overrides.push_back("core.array.fidelity=" + fidelity);
  if (!trace.empty()) o.overrides.push_back("trace.formats=" + trace);
  if (!trace_window.empty()) o.overrides.push_back("trace.window=" + trace_window);
  if (!dump_dir.empty()) request.functional = request.keep_tensors = true;
  if (!(*vm)["seed"].defaulted() && !request.functional) {
    throw UserError(
        fmt::format("--seed = '{}': only a functional run (--functional or --dump-tensors) has random "
                    "inputs and weights to seed",
                    seed_text));
  }

  // The output locations are checked before anything expensive (docs/output-safety.md).
  InterruptScope interrupts;
  if (out_dir.empty()) out_dir = default_out_dir(o);
  OutputTarget out("--out", out_dir, run_folder_kind(), force);
  std::optional<OutputTarget> dump;
  std::filesystem::path dump_in_out;  // --dump-tensors inside --out: its place in the new folder
  if (!dump_dir.empty()) {
    const std::filesystem::path d = normalised(dump_dir);
    if (path_within(out.target(), d)) {
      throw UserError(
          fmt::format("--dump-tensors = '{}': holds --out = '{}'; name two separate folders, or "
                      "a --dump-tensors folder inside --out",
                      dump_dir, out_dir));
    }
    if (path_within(d, out.target())) {
      dump_in_out = d.lexically_relative(out.target());
    } else {
      dump.emplace("--dump-tensors", dump_dir, tensor_folder_kind(), force);
    }
  }

  // Load, compile, simulate and price through the run library; the CLI adds the observers
  // (traces, progress, signals) and installs the outputs.
  const auto t0 = std::chrono::steady_clock::now();
  fill_request(o, &request);
  const PreparedRun prepared = prepare_run(request);
  for (const std::string& w : prepared.inputs.onnx_warnings) std::cerr << "warning: " << w << "\n";
  const Program& program = prepared.program;
  const trace::TraceOptions trace_options = trace_options_of(prepared.arch, program);
  throw_if_interrupted();

  const std::filesystem::path& staging = out.stage();
  RunTraces traces(trace_options, prepared.arch, program, prepared.energy_table, staging.string());
  ProgressDisplay progress(std::cerr, isatty(STDERR_FILENO) != 0, progress_interval, program);
  InterruptObserver stop_on_signal;
  hw::RunObserverList observers;
  observers.add(&stop_on_signal);
  observers.add(traces.observer());
  if (!quiet) observers.add(&progress);
  SimResult result;
  try {
    result = simulate_run(prepared, request, {&observers, traces.array_observer()});
  } catch (...) {
    progress.finish();  // the error starts on a clean line
    throw;
  }
  progress.finish();
  throw_if_interrupted();
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const PricedRun priced = price_run(prepared, result);
  const std::string summary = priced.summary + fmt::format("wall time: {:.3f} s for {} instructions\n",
                                                           wall_s, program.instructions.size());
  std::string traces_written;
  try {
    write_outputs(staging.string(), priced.report, priced.layers_csv, summary,
                  {{"power.csv", priced.power_csv}});
    for (const std::string& name : traces.finish(result)) traces_written += ", " + out_dir + "/" + name;
  } catch (const UserError& e) {
    throw UserError(
        fmt::format("--out = '{}': {} (nothing was installed; an earlier run there is left as it "
                    "was)",
                    out_dir, e.what()));
  }
  if (!dump_dir.empty()) {
    try {
      const std::filesystem::path tensors = dump ? dump->stage() : staging / dump_in_out;
      std::error_code ec;
      std::filesystem::create_directories(tensors, ec);
      if (ec)
        throw UserError(fmt::format("cannot create the folder '{}': {}", tensors.string(), ec.message()));
      for (const auto& [name, tensor] : result.tensors) {
        throw_if_interrupted();
        write_npy((tensors / tensor_file_name(name)).string(), tensor);
      }
    } catch (const UserError& e) {
      throw UserError(fmt::format("--dump-tensors = '{}': {} (nothing was installed)", dump_dir, e.what()));
    }
  }
  throw_if_interrupted();
  out.commit();
  if (dump) dump->commit();
  if (!quiet) std::cout << summary;
  std::cout << fmt::format("outputs: {}/report.json, {}/layers.csv, {}/summary.txt, {}/power.csv{}{}\n",
                           out_dir, out_dir, out_dir, out_dir, traces_written,
                           dump_dir.empty() ? "" : fmt::format("; tensors in {}/", dump_dir));
  return 0;
}

int compile_command(const std::vector<std::string>& args) {
  CommonOptions o;
  bool json = false;
  po::options_description desc("compile options");
  add_common(desc, o, true);
  desc.add_options()("json", po::bool_switch(&json), "print the program as JSON");
  const auto vm = parse_command_line("compile", "systole compile --workload W [options]", args, desc);
  if (!vm) return 0;
  nonempty_value(*vm, "mapping", o.mapping, "a mapping file");
  const PreparedRun prepared = prepare_run(request_of(o));
  std::cout << (json ? to_json(prepared.program).dump(2) + "\n" : to_text(prepared.program));
  return 0;
}

int validate_command(const std::vector<std::string>& args) {
  CommonOptions o;
  po::options_description desc("validate options");
  add_common(desc, o, false);
  const auto vm = parse_command_line("validate", "systole validate [--arch A] [--workload W] [--set K=V ...]",
                                     args, desc);
  if (!vm) return 0;
  nonempty_value(*vm, "arch", o.arch, "an arch file or preset name");
  nonempty_value(*vm, "workload", o.workload, "a workload file or name");
  nonempty_value(*vm, "mapping", o.mapping, "a mapping file");
  // Loads the arch, its energy table (a missing or broken table is a config error too) and, when
  // given, the workload, as `systole run` does.
  const PreparedRun p = load_run(request_of(o));
  const ArchSpec& arch = p.arch;
  // The trace options as `systole run` reads them: the formats always, the window in cycles
  // always, a window of layer names once there is a workload to find them in.
  const std::string window = arch.trace.window;
  const bool layer_window =
      window.find_first_not_of("0123456789: \t") != std::string::npos && window != "all";
  if (o.workload.empty()) {
    trace::parse_trace_options(arch.trace.formats, layer_window ? "all" : window, Program{},
                               key_origin(arch, "trace.formats"), key_origin(arch, "trace.window"));
    std::cout << fmt::format("{}: ok ({})\n", p.inputs.arch_path, arch.name);
    return 0;
  }
  // Proves every layer maps onto this architecture (with the user's tilings, when given).
  const Program program = compile_prepared(p, o.mapping);
  trace_options_of(arch, program);
  // Printed only once everything was checked, so an "ok" never precedes an error.
  std::cout << fmt::format("{}: ok ({})\n", p.inputs.arch_path, arch.name);
  std::cout << fmt::format("{}: ok ({} layers, {} MACs, maps onto {})\n", p.inputs.workload_path,
                           p.network.layers.size(), p.network.total_macs(), arch.name);
  return 0;
}

int config_doc_command(const std::vector<std::string>& args) {
  std::string out;
  bool force = false;
  po::options_description desc("config-doc options");
  desc.add_options()("help,h", "show this help")("out,o", po::value(&out),
                                                 "write to this file instead of standard output")(
      "force", po::bool_switch(&force),
      "replace --out even when it is not an earlier configuration reference");
  const auto vm = parse_command_line("config-doc", "systole config-doc [--out FILE]", args, desc);
  if (!vm) return 0;
  const std::string text = config_reference_markdown();
  if (!vm->count("out")) {
    std::cout << text;
    return 0;
  }
  nonempty_path("--out", out, "a file for the configuration reference");
  InterruptScope interrupts;
  OutputTarget target("--out", out,
                      text_file_kind(text.substr(0, text.find('\n')), "an earlier configuration reference"),
                      force);
  write_text_file(target.stage(), text, "--out", out);
  throw_if_interrupted();
  target.commit();
  return 0;
}

}  // namespace systole::cli
