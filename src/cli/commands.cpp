#include "cli/commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "systole/common/error.h"
#include "systole/common/text.h"
#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/energy/energy_table.h"
#include "systole/hw/simulate.h"
#include "systole/numeric/npy.h"
#include "systole/report/energy_report.h"
#include "systole/report/report.h"
#include "systole/trace/trace_options.h"
#include "systole/workload/loader.h"

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
};

void add_common(po::options_description& desc, CommonOptions& o, bool workload_required) {
  desc.add_options()("help,h", "show this help")(
      "arch,a", po::value(&o.arch)->default_value("default"),
      "architecture: a YAML config, a SCALE-Sim .cfg, or a preset name from arch/ (default, tpu_v1, ...)")(
      "workload,w", workload_required ? po::value(&o.workload)->required() : po::value(&o.workload),
      "workload: a YAML network, a SCALE-Sim topology .csv, or a name from workloads/ (resnet50, ...)")(
      "set,s", po::value(&o.overrides)->composing(),
      "override a config key: --set core.array.rows=64 (repeatable)");
}

struct Loaded {
  ArchSpec arch;
  Network network;
  RunInputs inputs;
  energy::EnergyTable energy_table;
};

Loaded load_inputs(const CommonOptions& o) {
  Loaded l;
  l.inputs.arch_path = resolve_input(o.arch, "arch");
  l.inputs.workload_path = resolve_input(o.workload, "workloads");
  l.inputs.overrides = o.overrides;
  l.arch = load_arch(l.inputs.arch_path, o.overrides);
  l.energy_table = load_arch_energy_table(l.arch);
  l.network = load_network(l.inputs.workload_path);
  // The leading dimension of the (first) network input is its batch: that many inferences per run.
  if (!l.network.inputs.empty() && !l.network.inputs.front().shape.empty()) {
    l.inputs.inferences = std::max<int64_t>(1, l.network.inputs.front().shape.front());
  }
  return l;
}

}  // namespace

energy::EnergyTable load_arch_energy_table(const ArchSpec& arch) {
  const std::string arch_dir = arch.source_path.empty()
                                   ? std::string()
                                   : std::filesystem::path(arch.source_path).parent_path().string();
  const KeyOrigin at = arch.origin_of("energy.table");
  try {
    energy::EnergyTable table =
        energy::load_energy_table(energy::energy_table_path(arch.energy.table, arch_dir));
    check_table_covers(pricing_context(arch), table);  // refused now, not after the simulation
    return table;
  } catch (const ConfigError& e) {
    // A table that cannot be found is a mistake where energy.table was written.
    std::vector<Diagnostic> out;
    for (Diagnostic d : e.diagnostics()) {
      if (d.file.empty()) {
        d.file = at.file;
        d.line = at.line;
      }
      out.push_back(std::move(d));
    }
    throw ConfigError(std::move(out));
  }
}

std::string data_dir() {
  if (const char* env = std::getenv("SYSTOLE_DATA_DIR"); env && *env) return env;
  return SYSTOLE_DATA_DIR;
}

std::string resolve_input(const std::string& arg, const std::string& folder) {
  // The path is recorded in report.json (UTF-8 JSON), so it must be UTF-8 text itself.
  if (!is_valid_utf8(arg) || first_control_char(arg) != std::string::npos) {
    throw UserError(
        fmt::format("--{} '{}': the path is not UTF-8 text without control characters; report.json "
                    "records it, so rename the file or folder",
                    folder == "arch" ? "arch" : "workload", printable_excerpt(arg)));
  }
  std::error_code ec;  // a path the OS refuses (too long, no permission) is reported by the loader
  if (arg.empty() || std::filesystem::exists(arg, ec)) return arg;
  if (arg.find('/') == std::string::npos && std::filesystem::path(arg).extension().empty()) {
    const std::filesystem::path candidate = std::filesystem::path(data_dir()) / folder / (arg + ".yaml");
    if (std::filesystem::exists(candidate, ec)) return candidate.string();
  }
  return arg;  // the loader reports the missing file by name
}

namespace {

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
  SimOptions sim;
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
      "functional", po::bool_switch(&sim.functional),
      "move and compute real data and check every layer against the reference (docs/functional.md)")(
      "seed", po::value(&seed_text)->default_value("1"),
      "seed of the random inputs and weights (--functional): 0 to 2^64-1")(
      "dump-tensors", po::value(&dump_dir),
      "write every layer's output as DIR/<layer>.npy (implies --functional; names are percent-encoded, "
      "docs/functional.md)")(
      "trace", po::value(&trace),
      "traces: none or a comma list of perfetto (trace.json), csv (events.csv), vcd (units.vcd, and "
      "array.vcd in rtl fidelity); same as --set trace.formats=... (docs/tracing.md)")(
      "trace-window", po::value(&trace_window),
      "what the traces cover: all, START:END in cycles, or FIRST:LAST layer names; same as --set "
      "trace.window=...")("progress-interval", po::value(&interval_text)->default_value("5"),
                          "seconds between progress lines when stderr is not a terminal: 0 to 86400");
  const auto vm = parse_command_line("run", "systole run --workload W [options]", args, desc);
  if (!vm) return 0;
  sim.seed = unsigned_flag("--seed", seed_text);
  const double progress_interval =
      real_flag("--progress-interval", interval_text, 0.0, 86400.0, "seconds; at most a day");
  if (vm->count("out")) nonempty_path("--out", out_dir, "an output folder");
  if (vm->count("dump-tensors")) nonempty_path("--dump-tensors", dump_dir, "a folder for the .npy files");
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
  if (!dump_dir.empty()) sim.functional = sim.keep_tensors = true;
  if (!(*vm)["seed"].defaulted() && !sim.functional) {
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

  const auto t0 = std::chrono::steady_clock::now();
  Loaded l = load_inputs(o);
  l.inputs.functional = sim.functional;
  l.inputs.seed = sim.seed;
  Program program = compile(l.arch, l.network);
  sim.network = &l.network;
  const trace::TraceOptions trace_options = trace_options_of(l.arch, program);
  throw_if_interrupted();

  const std::filesystem::path& staging = out.stage();
  RunTraces traces(trace_options, l.arch, program, l.energy_table, staging.string());
  ProgressDisplay progress(std::cerr, isatty(STDERR_FILENO) != 0, progress_interval, program);
  InterruptObserver stop_on_signal;
  hw::RunObserverList observers;
  observers.add(&stop_on_signal);
  observers.add(traces.observer());
  if (!quiet) observers.add(&progress);
  sim.run_observer = &observers;
  sim.array_observer = traces.array_observer();
  SimResult result;
  try {
    result = simulate(l.arch, program, sim);
  } catch (...) {
    progress.finish();  // the error starts on a clean line
    throw;
  }
  progress.finish();
  throw_if_interrupted();
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  nlohmann::ordered_json report = build_report(l.arch, program, result, l.inputs);
  const std::string power_csv = price_report(report, l.energy_table, l.arch.energy.table, "report.json");
  std::vector<double> energy_uj;
  for (const auto& layer : report["layers"]) energy_uj.push_back(layer["energy_pj"].get<double>() / 1e6);
  energy_uj.push_back(report["total"]["energy_pj"].get<double>() / 1e6);
  const std::string table = summary_table(l.arch, result, energy_uj) + energy_summary(report);
  const std::string summary =
      table + fmt::format("wall time: {:.3f} s for {} instructions\n", wall_s, program.instructions.size());
  std::string traces_written;
  try {
    write_outputs(staging.string(), report, layers_csv(result), summary, {{"power.csv", power_csv}});
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
  if (!parse_command_line("compile", "systole compile --workload W [options]", args, desc)) return 0;
  Loaded l = load_inputs(o);
  Program program = compile(l.arch, l.network);
  std::cout << (json ? to_json(program).dump(2) + "\n" : to_text(program));
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
  const std::string arch_path = resolve_input(o.arch, "arch");
  ArchSpec arch = load_arch(arch_path, o.overrides);
  load_arch_energy_table(arch);  // a missing or broken energy table is a config error too
  // The trace options as `systole run` reads them: the formats always, the window in cycles
  // always, a window of layer names once there is a workload to find them in.
  const std::string window = arch.trace.window;
  const bool layer_window =
      window.find_first_not_of("0123456789: \t") != std::string::npos && window != "all";
  if (o.workload.empty()) {
    trace::parse_trace_options(arch.trace.formats, layer_window ? "all" : window, Program{},
                               key_origin(arch, "trace.formats"), key_origin(arch, "trace.window"));
    std::cout << fmt::format("{}: ok ({})\n", arch_path, arch.name);
    return 0;
  }
  const std::string workload_path = resolve_input(o.workload, "workloads");
  Network net = load_network(workload_path);
  const Program program = compile(arch, net);  // proves every layer maps onto this architecture
  trace_options_of(arch, program);
  // Printed only once everything was checked, so an "ok" never precedes an error.
  std::cout << fmt::format("{}: ok ({})\n", arch_path, arch.name);
  std::cout << fmt::format("{}: ok ({} layers, {} MACs, maps onto {})\n", workload_path, net.layers.size(),
                           net.total_macs(), arch.name);
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
