#include "cli/commands.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "systole/common/error.h"
#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/hw/simulate.h"
#include "systole/report/report.h"
#include "systole/workload/loader.h"

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
};

Loaded load_inputs(const CommonOptions& o) {
  Loaded l;
  l.inputs.arch_path = resolve_input(o.arch, "arch");
  l.inputs.workload_path = resolve_input(o.workload, "workloads");
  l.inputs.overrides = o.overrides;
  l.arch = load_arch(l.inputs.arch_path, o.overrides);
  l.network = load_network(l.inputs.workload_path);
  return l;
}

std::string default_out_dir(const Loaded& l) {
  return fmt::format("out/{}-{}", std::filesystem::path(l.inputs.workload_path).stem().string(),
                     std::filesystem::path(l.inputs.arch_path).stem().string());
}

}  // namespace

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
  std::string out_dir;
  bool quiet = false;
  po::options_description desc("run options");
  add_common(desc, o, true);
  desc.add_options()("out,o", po::value(&out_dir), "output directory (default out/<workload>-<arch>)")(
      "quiet,q", po::bool_switch(&quiet), "do not print the table");
  if (!parse("run", args, desc)) return 0;

  const auto t0 = std::chrono::steady_clock::now();
  Loaded l = load_inputs(o);
  Program program = compile(l.arch, l.network);
  SimResult result = simulate(l.arch, program);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (out_dir.empty()) out_dir = default_out_dir(l);
  const std::string table = summary_table(l.arch, result);
  const std::string summary =
      table + fmt::format("wall time: {:.3f} s for {} instructions\n", wall_s, program.instructions.size());
  write_outputs(out_dir, build_report(l.arch, program, result, l.inputs), layers_csv(result), summary);
  if (!quiet) std::cout << summary;
  std::cout << fmt::format("outputs: {}/report.json, {}/layers.csv, {}/summary.txt\n", out_dir, out_dir,
                           out_dir);
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
