#include "systole/run/run.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/input_file.h"
#include "systole/common/text.h"
#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/hw/core/simulate.h"
#include "systole/onnx/importer.h"
#include "systole/report/energy_report.h"
#include "systole/report/llm_report.h"
#include "systole/workload/batch.h"
#include "systole/workload/decoder.h"
#include "systole/workload/loader.h"

namespace systole {

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

namespace {

// The workload file as a Network: an ONNX model is imported (docs/onnx.md) with its activations
// in the arch's input format, and the import is recorded in `inputs`.
Network load_workload(const std::string& path, const RunRequest& request, const ArchSpec& arch,
                      RunInputs* inputs) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool onnx = ext == ".onnx";  // any case, as load_network's extensions
  const bool decoder_request = !request.phase.empty() || request.context > 0;
  if (!onnx) {
    if (!request.set_dims.empty() || request.skip_unsupported) {
      throw UserError(
          fmt::format("--set-dim and --skip-unsupported apply to ONNX workloads (.onnx), not '{}'", path));
    }
    if (ext == ".yaml" || ext == ".yml") {
      const std::string text = read_input_file_as<WorkloadError>(path, "workload file", kMaxWorkloadBytes);
      if (is_decoder_spec(text)) {
        Network net =
            load_decoder_network(text, path, DecoderRequest{request.phase, request.context, request.batch});
        inputs->decoder = net.decoder;
        return net;
      }
    }
    if (decoder_request) {
      throw UserError(fmt::format(
          "--phase and --context apply to decoder workloads (a YAML `decoder:` spec such as llama7b; "
          "docs/llm.md), not '{}'",
          path));
    }
    return load_network(path);
  }
  if (decoder_request) {
    throw UserError(
        fmt::format("--phase and --context apply to decoder workloads (a YAML `decoder:` spec; docs/llm.md), "
                    "not the ONNX "
                    "model '{}'",
                    path));
  }
  onnx_import::ImportOptions options;
  for (const std::string& d : request.set_dims) onnx_import::parse_set_dim(d, &options.dims);
  options.skip_unsupported = request.skip_unsupported;
  options.dtype = arch.core.array.input_type;
  options.weight_type = arch.core.array.weight_type;
  onnx_import::ImportResult imported = onnx_import::import_onnx(path, options);
  inputs->onnx = true;
  inputs->set_dims = request.set_dims;
  inputs->skip_unsupported = request.skip_unsupported;
  inputs->onnx_placeholders = imported.placeholders;
  inputs->onnx_folded_nodes = imported.folded_nodes;
  inputs->onnx_warnings = imported.warnings;
  // Diagnostics of the imported text name the model; `systole import` shows the YAML they refer to.
  Network net = load_yaml_network(imported.yaml, path + " (imported; see `systole import`)");
  // The model's weights (float archs, initializers with data) feed functional runs.
  for (Layer& l : net.layers) {
    auto it = imported.weights.find(l.name);
    if (it == imported.weights.end()) continue;
    l.weights_data = std::make_shared<const Tensor>(std::move(it->second));
    ++inputs->onnx_weighted_layers;
  }
  return net;
}

}  // namespace

PreparedRun load_run(const RunRequest& request) {
  PreparedRun p;
  p.inputs.arch_path = resolve_input(request.arch, "arch");
  p.inputs.overrides = request.overrides;
  p.inputs.functional = request.functional || request.keep_tensors;
  p.inputs.seed = request.seed;
  p.arch = load_arch(p.inputs.arch_path, request.overrides);
  p.energy_table = load_arch_energy_table(p.arch);
  if (request.workload.empty()) return p;
  p.inputs.workload_path = resolve_input(request.workload, "workloads");
  p.network = load_workload(p.inputs.workload_path, request, p.arch, &p.inputs);
  if (request.batch > 0) {
    // A decoder workload was generated for the batch; any other is re-batched.
    if (!p.network.decoder.present()) p.network = with_batch(p.network, request.batch);
    p.inputs.batch = request.batch;
  }
  // The leading dimension of the (first) network input is its batch: that many inferences per run.
  if (!p.network.inputs.empty() && !p.network.inputs.front().shape.empty()) {
    p.inputs.inferences = std::max<int64_t>(1, p.network.inputs.front().shape.front());
  }
  return p;
}

Program compile_prepared(const PreparedRun& p, const std::string& mapping_path) {
  const EnergyPrices prices = mapping_energy_prices(pricing_context(p.arch), p.energy_table);
  if (mapping_path.empty()) return compile(p.arch, p.network, nullptr, &prices);
  const UserMapping mapping = load_user_mapping(mapping_path, p.network);
  return compile(p.arch, p.network, &mapping, &prices);
}

PreparedRun prepare_run(const RunRequest& request) {
  if (request.workload.empty()) throw UserError("a run needs a workload");
  PreparedRun p = load_run(request);
  if (!request.mapping.empty()) p.inputs.mapping_path = request.mapping;
  p.program = compile_prepared(p, request.mapping);
  return p;
}

SimResult simulate_run(const PreparedRun& prepared, const RunRequest& request,
                       const RunObservers& observers) {
  SimOptions sim;
  sim.functional = request.functional || request.keep_tensors;
  sim.keep_tensors = request.keep_tensors;
  sim.seed = request.seed;
  sim.network = &prepared.network;
  sim.run_observer = observers.run;
  sim.array_observer = observers.array;
  sim.dram_per_request = request.dram_per_request;
  return simulate(prepared.arch, prepared.program, sim);
}

PricedRun price_run(const PreparedRun& prepared, const SimResult& sim) {
  PricedRun out;
  out.report = build_report(prepared.arch, prepared.program, sim, prepared.inputs);
  out.power_csv = price_report(out.report, prepared.energy_table, prepared.arch.energy.table, "report.json");
  std::vector<double> energy_uj;
  for (const auto& layer : out.report["layers"]) energy_uj.push_back(layer["energy_pj"].get<double>() / 1e6);
  energy_uj.push_back(out.report["total"]["energy_pj"].get<double>() / 1e6);
  out.summary =
      summary_table(prepared.arch, sim, energy_uj) + energy_summary(out.report) + llm_summary(out.report);
  out.layers_csv = layers_csv(sim);
  return out;
}

RunResult run(const RunRequest& request) {
  RunResult r;
  r.prepared = prepare_run(request);
  r.sim = simulate_run(r.prepared, request);
  r.priced = price_run(r.prepared, r.sim);
  return r;
}

}  // namespace systole
