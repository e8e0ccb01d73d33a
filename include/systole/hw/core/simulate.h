// Elaborates hw::NpuTop from an ArchSpec, runs a Program to completion, and returns statistics.
// SystemC can elaborate only once per process: call this at most once per process.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "systole/array/array_observer.h"
#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/stats/dram_stats.h"
#include "systole/stats/run_observer.h"
#include "systole/stats/sim_result.h"
#include "systole/workload/network.h"

namespace systole {

struct SimOptions {
  // Functional simulation (docs/functional.md): DRAM holds real tensors, the units move and
  // compute real values, and each layer's output is checked against oracle/reference.h.
  bool functional = false;
  uint64_t seed = 1;  // random_tensor(seed, "<tensor name>") for inputs and weights
  // Network inputs read from .npy instead: tensor name -> path (shape and dtype are checked).
  std::map<std::string, std::string> npy_inputs;
  bool keep_tensors = false;  // fill SimResult::tensors
  // The network the program was compiled from: required when functional (shapes, weights and
  // the reference layers come from it).
  const Network* network = nullptr;
  // rtl fidelity: observes every simulated cycle of every tile (e.g. the VCD writer); not owned.
  IArrayObserver* array_observer = nullptr;
  // Retired instructions and DRAM bursts as they happen (traces, progress: stats/run_observer.h).
  hw::IRunObserver* run_observer = nullptr;
  // Test hook: called with the DRAM contents after the run and before verification (e.g. to
  // corrupt a weight the array has already used, so that verification must fail).
  std::function<void(std::vector<uint8_t>& dram)> before_verify;
  // When set, receives the DRAM model's counts after a successful run (requests, bytes, average
  // read latency; for dram.kind cycle the ACT/PRE/RD/WR/REF commands and row hits). Not owned.
  DramStats* dram_stats = nullptr;
  // Every DRAM burst through the per-request interface, never the streaming shortcut
  // (hw/dram/dram_stream.h): the same results, slower; `systole run --dram-per-request`.
  bool dram_per_request = false;
};

SimResult simulate(const ArchSpec& arch, const Program& program);
// Throws UserError up front when options.functional and a layer or the number formats are not
// supported functionally (oracle/functional.h says which are).
SimResult simulate(const ArchSpec& arch, const Program& program, const SimOptions& options);

}  // namespace systole
