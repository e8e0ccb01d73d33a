// Fuzz target: an arch config in Systole YAML (load_arch_from_string, what `systole run --arch
// x.yaml` reads). Contract: only UserError escapes; an accepted config's resolved JSON loads
// again to the same resolved config.
#include <cstddef>
#include <cstdint>
#include <string>

#include "arch_roundtrip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace systole;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ArchSpec spec;
  // "fuzz/arch.yaml": dram.preset names are looked up beside it (no such directory), then in the
  // source tree's arch/dram, as for a real file.
  if (!fuzz::accepts("load_arch_from_string", [&] { spec = load_arch_from_string(text, "fuzz/arch.yaml"); }))
    return 0;
  fuzz::holds("round trip", [&] { fuzz::check_arch_round_trip(spec, "fuzz/arch.yaml", "arch YAML"); });
  return 0;
}
