// The run library: one simulation run as a function of its inputs, for the CLI, the tests and
// (later) sweeps and a Python binding. Load the arch, its energy table and the workload; compile;
// simulate; price. Nothing here prints, writes files or installs outputs: the caller does (the
// CLI's output staging, docs/output-safety.md), so a sweep can keep results in memory.
//
//   RunResult r = run({.arch = "default", .workload = "resnet50"});   // all stages, no observers
//
// or stage by stage, to attach observers (traces, a progress line) between compile and simulate:
//   PreparedRun p = prepare_run(request);            // load + compile; UserError on bad input
//   SimResult s = simulate_run(p, request, observers);
//   PricedRun priced = price_run(p, s);              // report.json, power.csv, layers.csv, summary
// The same request gives byte-identical PricedRun text (determinism).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "systole/array/array_observer.h"
#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/energy/energy_table.h"
#include "systole/report/report.h"
#include "systole/stats/run_observer.h"
#include "systole/stats/sim_result.h"
#include "systole/workload/network.h"

namespace systole {

struct RunRequest {
  std::string arch = "default";        // a path, or a preset name looked up as <data dir>/arch/<name>.yaml
  std::string workload;                // a path, or a name looked up as <data dir>/workloads/<name>.yaml
  std::vector<std::string> overrides;  // "key=value" as --set takes them, applied in order
  bool functional = false;             // move and compute real data, check every layer
  bool keep_tensors = false;           // functional: keep every layer's output in SimResult::tensors
  uint64_t seed = 1;                   // functional: seed of the random inputs and weights
  std::string mapping;                 // a mapping file (compiler/user_mapping.h); "": the search's
  int64_t batch = 0;                   // > 0: the workload on this batch (workload/batch.h with_batch)
  // ONNX workloads only (onnx/importer.h): values of symbolic input dims ("name=value") and
  // whether unsupported nodes become zero-cost placeholders instead of an error.
  std::vector<std::string> set_dims;
  bool skip_unsupported = false;
  // Decoder workloads only (workload/decoder.h): the step, "" / 0 for the spec's own; `batch`
  // above sets the decoder's number of sequences.
  std::string phase;
  int64_t context = 0;
  // Every DRAM burst through the per-request interface (hw/core/simulate.h SimOptions).
  bool dram_per_request = false;
};

// Observers of the simulation (none owned; nullptr: none).
struct RunObservers {
  hw::IRunObserver* run = nullptr;
  IArrayObserver* array = nullptr;
};

// Loaded and compiled, ready to simulate.
struct PreparedRun {
  RunInputs inputs;  // resolved paths, overrides, functional / seed, inferences (report.json's inputs)
  ArchSpec arch;
  energy::EnergyTable energy_table;
  Network network;
  Program program;
};

// What price_run adds: the outputs of a run as text.
struct PricedRun {
  nlohmann::ordered_json report;  // report.json, priced
  std::string power_csv;
  std::string layers_csv;
  std::string summary;  // summary.txt without the wall-time line (that one is not deterministic)
};

struct RunResult {
  PreparedRun prepared;
  SimResult sim;
  PricedRun priced;
};

// Loading only (no compile): the arch (with `overrides`), its energy table and the workload.
// The workload may be empty: then only the arch and its table are loaded.
PreparedRun load_run(const RunRequest& request);
PreparedRun prepare_run(const RunRequest& request);  // load_run + compile_prepared
// Compiles p.network for p.arch with the mapping file at `mapping_path` ("" for none), the mapper's
// energy prices taken from p.energy_table (report/energy_report.h mapping_energy_prices).
Program compile_prepared(const PreparedRun& p, const std::string& mapping_path);
SimResult simulate_run(const PreparedRun& prepared, const RunRequest& request,
                       const RunObservers& observers = {});
PricedRun price_run(const PreparedRun& prepared, const SimResult& sim);
RunResult run(const RunRequest& request);

// An --arch / --workload argument: an existing path is used as is; a bare name such as
// "resnet50" or "tpu_v1" is looked up as <data dir>/<folder>/<name>.yaml. UserError when the
// argument is not UTF-8 text (report.json records it). The data dir is $SYSTOLE_DATA_DIR, else
// the source tree this library was built from.
std::string resolve_input(const std::string& arg, const std::string& folder);
std::string data_dir();

// The energy table named by the arch's energy.table (a name found beside the arch file or in
// arch/energy, or a path), checked to price every action the arch can count. ConfigError (exit 2)
// naming where energy.table was written.
energy::EnergyTable load_arch_energy_table(const ArchSpec& arch);

}  // namespace systole
