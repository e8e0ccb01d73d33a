// Fuzz target: a workload as a SCALE-Sim topology .csv (conv or GEMM rows) (load_network_from_string,
// what `systole run --workload` reads). Contract: only UserError escapes; an accepted network
// satisfies workload_check.h's invariants and loads the same way twice.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workload_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  systole::fuzz::fuzz_workload(std::string(reinterpret_cast<const char*>(data), size), true);
  return 0;
}
