#include "cli/commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "systole/common/error.h"
#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/energy/energy_table.h"
#include "systole/hw/simulate.h"
#include "systole/numeric/npy.h"
#include "systole/report/energy_report.h"
#include "systole/report/report.h"
#include "systole/trace/trace_options.h"
#include "systole/workload/loader.h"

#include "cli/progress.h"
#include "cli/run_traces.h"

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

// Parses `args`; returns false when --help was asked for (and printed).
bool parse(const std::string& command, const std::vector<std::string>& args,
           const po::options_description& desc) {
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: systole " << command << " [options]\n\n" << desc;
    return false;
  }
  po::notify(vm);
  return true;
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

std::string default_out_dir(const Loaded& l) {
  return fmt::format("out/{}-{}", std::filesystem::path(l.inputs.workload_path).stem().string(),
                     std::filesystem::path(l.inputs.arch_path).stem().string());
}

}  // namespace

energy::EnergyTable load_arch_energy_table(const ArchSpec& arch) {
  const std::string arch_dir = arch.source_path.empty()
                                   ? std::string()
                                   : std::filesystem::path(arch.source_path).parent_path().string();
  const KeyOrigin at = arch.origin_of("energy.table");
  try {
    return energy::load_energy_table(energy::energy_table_path(arch.energy.table, arch_dir));
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
  if (arg.empty() || std::filesystem::exists(arg)) return arg;
  if (arg.find('/') == std::string::npos && std::filesystem::path(arg).extension().empty()) {
    const std::filesystem::path candidate = std::filesystem::path(data_dir()) / folder / (arg + ".yaml");
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  return arg;  // the loader reports the missing file by name
}

int run_command(const std::vector<std::string>& args) {
  CommonOptions o;
  std::string out_dir, fidelity, dump_dir, trace, trace_window;
  bool quiet = false;
  double progress_interval = 5.0;
  SimOptions sim;
  po::options_description desc("run options");
  add_common(desc, o, true);
  desc.add_options()("out,o", po::value(&out_dir), "output directory (default out/<workload>-<arch>)")(
      "quiet,q", po::bool_switch(&quiet), "print neither the progress nor the table")(
      "fidelity", po::value(&fidelity),
      "array model: tile (closed form) or rtl (register level); same as --set core.array.fidelity=...")(
      "functional", po::bool_switch(&sim.functional),
      "move and compute real data and check every layer against the reference (docs/functional.md)")(
      "seed", po::value(&sim.seed)->default_value(1), "seed of the random inputs and weights (--functional)")(
      "dump-tensors", po::value(&dump_dir),
      "write every layer's output as DIR/<layer>.npy (implies --functional)")(
      "trace", po::value(&trace),
      "traces: none or a comma list of perfetto (trace.json), csv (events.csv), vcd (units.vcd, and "
      "array.vcd in rtl fidelity); same as --set trace.formats=... (docs/tracing.md)")(
      "trace-window", po::value(&trace_window),
      "what the traces cover: all, START:END in cycles, or FIRST:LAST layer names; same as --set "
      "trace.window=...")("progress-interval", po::value(&progress_interval)->default_value(5.0),
                          "seconds between progress lines when stderr is not a terminal");
  if (!parse("run", args, desc)) return 0;
  if (!fidelity.empty()) o.overrides.push_back("core.array.fidelity=" + fidelity);
  if (!trace.empty()) o.overrides.push_back("trace.formats=" + trace);
  if (!trace_window.empty()) o.overrides.push_back("trace.window=" + trace_window);
  if (!dump_dir.empty()) sim.functional = sim.keep_tensors = true;

  const auto t0 = std::chrono::steady_clock::now();
  Loaded l = load_inputs(o);
  l.inputs.functional = sim.functional;
  l.inputs.seed = sim.seed;
  if (out_dir.empty()) out_dir = default_out_dir(l);
  Program program = compile(l.arch, l.network);
  sim.network = &l.network;

  auto origin = [&](const std::string& key) {
    const KeyOrigin at = l.arch.origin_of(key);
    return at.line > 0 ? fmt::format("{}:{}: {}", at.file, at.line, key)
                       : fmt::format("{}: {}", at.file, key);
  };
  const trace::TraceOptions trace_options = trace::parse_trace_options(
      l.arch.trace.formats, l.arch.trace.window, program, origin("trace.formats"), origin("trace.window"));
  RunTraces traces(trace_options, l.arch, program, l.energy_table, out_dir);
  ProgressDisplay progress(std::cerr, isatty(STDERR_FILENO) != 0, progress_interval, program);
  hw::RunObserverList observers;
  observers.add(traces.observer());
  if (!quiet) observers.add(&progress);
  sim.run_observer = observers.empty() ? nullptr : &observers;
  sim.array_observer = traces.array_observer();
  SimResult result = simulate(l.arch, program, sim);
  progress.finish();
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  nlohmann::ordered_json report = build_report(l.arch, program, result, l.inputs);
  const std::string power_csv = price_report(report, l.energy_table, l.arch.energy.table, "report.json");
  std::vector<double> energy_uj;
  for (const auto& layer : report["layers"]) energy_uj.push_back(layer["energy_pj"].get<double>() / 1e6);
  energy_uj.push_back(report["total"]["energy_pj"].get<double>() / 1e6);
  const std::string table = summary_table(l.arch, result, energy_uj) + energy_summary(report);
  const std::string summary =
      table + fmt::format("wall time: {:.3f} s for {} instructions\n", wall_s, program.instructions.size());
  write_outputs(out_dir, report, layers_csv(result), summary, {{"power.csv", power_csv}});
  std::string traces_written;
  for (const std::string& path : traces.finish(result)) traces_written += ", " + path;
  if (!dump_dir.empty()) {
    std::filesystem::create_directories(dump_dir);
    for (const auto& [name, tensor] : result.tensors) {
      write_npy((std::filesystem::path(dump_dir) / (name + ".npy")).string(), tensor);
    }
  }
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
  if (!parse("compile", args, desc)) return 0;
  Loaded l = load_inputs(o);
  Program program = compile(l.arch, l.network);
  std::cout << (json ? to_json(program).dump(2) + "\n" : to_text(program));
  return 0;
}

int validate_command(const std::vector<std::string>& args) {
  CommonOptions o;
  po::options_description desc("validate options");
  add_common(desc, o, false);
  if (!parse("validate", args, desc)) return 0;
  const std::string arch_path = resolve_input(o.arch, "arch");
  ArchSpec arch = load_arch(arch_path, o.overrides);
  load_arch_energy_table(arch);  // a missing or broken energy table is a config error too
  std::cout << fmt::format("{}: ok ({})\n", arch_path, arch.name);
  if (!o.workload.empty()) {
    const std::string workload_path = resolve_input(o.workload, "workloads");
    Network net = load_network(workload_path);
    compile(arch, net);  // proves every layer maps onto this architecture
    std::cout << fmt::format("{}: ok ({} layers, {} MACs, maps onto {})\n", workload_path, net.layers.size(),
                             net.total_macs(), arch.name);
  }
  return 0;
}

int config_doc_command(const std::vector<std::string>& args) {
  std::string out;
  po::options_description desc("config-doc options");
  desc.add_options()("help,h", "show this help")("out,o", po::value(&out),
                                                 "write to this file instead of standard output");
  if (!parse("config-doc", args, desc)) return 0;
  const std::string text = config_reference_markdown();
  if (out.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  if (!f) throw UserError(fmt::format("{}: cannot write file", out));
  f << text;
  return 0;
}

}  // namespace systole::cli
