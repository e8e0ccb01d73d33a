// Run outputs: report.json (deterministic: same inputs give byte-identical files), layers.csv,
// summary.txt (the console table plus wall time, the only non-deterministic output).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/stats/sim_result.h"
#include "systole/workload/network.h"

namespace systole {

// What the user asked for; the hashes of these files go into report.json.
struct RunInputs {
  std::string arch_path;
  std::vector<std::string> overrides;
  std::string workload_path;
  bool functional = false;  // --functional: report.json records the seed and per-layer verification
  uint64_t seed = 0;
  int64_t inferences = 1;         // inputs the run processes at once (the network input's batch dimension)
  std::string mapping_path = "";  // the user's mapping file, "" when the compiler's search mapped every layer
  int64_t batch = 0;              // --batch, 0 when the workload's own batch was run
  // An ONNX workload (docs/onnx.md): the import's options and what it did; report.json
  // inputs.onnx. Empty / 0 for YAML and CSV workloads.
  bool onnx = false;
  std::vector<std::string> set_dims = {};  // --set-dim name=value, as given
  bool skip_unsupported = false;
  int64_t onnx_placeholders = 0;  // unsupported nodes imported as zero-cost placeholders
  int64_t onnx_folded_nodes = 0;  // nodes that became no layer (onnx_import::ImportResult)
  std::vector<std::string> onnx_warnings = {};
  int64_t onnx_weighted_layers = 0;  // layers whose weights came from the model (float archs)
  // A decoder workload (workload/decoder.h): the step it generated; report.json `llm`.
  DecoderStep decoder = {};
};

// report.json: tool version, inputs with SHA-256 (and "batch" when --batch was given), the fully
// resolved config, layers[] and total.
// Keys keep insertion order (ordered_json): each layer record lists its statistics as layers.csv
// does, with "cycle_breakdown" {compute, fill_drain, dram_bandwidth, dram_latency, bank_conflict,
// dependency, idle} (sim_result.h's causes, in that order) after "stall_cycles", then "actions"
// (the priced actions: MACs, register-shift bytes, scratchpad word accesses and accumulator RMWs,
// DMA bursts, vector ops, DRAM bytes; units.accesses names their unit), enough to re-price a
// finished run. After total: "memory" (the DRAM model's and each scratchpad's whole-run counters,
// and the DRAM standard the traffic is priced at), "activity" (the actions per window of
// energy.power_window_cycles, energy_report.h). The energy fields are added by price_report().
// Functional runs only: "functional" {seed, verified, max_abs_error} after "network", and in each
// layer record and the total "verified" (JSON true / false, or null when the layer's output was
// not compared: layout-only layers; the total's is false if any layer failed), "max_abs_error" and
// "first_mismatch". Timing-only reports carry none of these keys.
nlohmann::ordered_json build_report(const ArchSpec& arch, const Program& program, const SimResult& result,
                                    const RunInputs& inputs);

// One row per layer plus a "TOTAL" row; the columns of report.json's layer records, the
// breakdown flattened into cyc_compute, cyc_fill_drain, ... cyc_idle after stall_cycles.
std::string layers_csv(const SimResult& result);

// The aligned per-layer table with units and the totals, as printed on the console. With
// `energy_uj` (one value per layer, then the total's: energy_pj / 1e6 of report.json) the table
// has an "energy uJ" column.
std::string summary_table(const ArchSpec& arch, const SimResult& result,
                          const std::vector<double>& energy_uj = {});

// Writes report.json, layers.csv and summary.txt into `dir` (created if missing). Each file is
// written to a temporary name and renamed, so a failed run leaves no half-written file (the CLI
// goes further and stages the whole folder: docs/output-safety.md).
// Throws UserError naming the file and the OS's reason when the directory cannot be created or
// written.
// Extra files (name -> content, e.g. power.csv) are written the same way (write_files).
void write_outputs(const std::string& dir, const nlohmann::ordered_json& report, const std::string& csv,
                   const std::string& summary,
                   const std::vector<std::pair<std::string, std::string>>& extra = {});

// Writes each (name, content) into `dir` (created if missing): every file to a temporary name
// first, then all renamed into place. Throws UserError when the directory or a file cannot be
// written.
void write_files(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace systole
