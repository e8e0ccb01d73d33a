// Fuzz target: a SCALE-Sim v2 .cfg (load_scalesim_cfg_from_string, what `systole run --arch
// x.cfg` reads). Contract: only UserError escapes; an accepted config's resolved JSON loads again
// (as Systole YAML) to the same resolved config.
#include <cstddef>
#include <cstdint>
#include <string>

#include "arch_roundtrip.h"
#include "systole/config/scalesim_cfg.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace systole;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ArchSpec spec;
  if (!fuzz::accepts("load_scalesim_cfg_from_string",
                     [&] { spec = load_scalesim_cfg_from_string(text, "fuzz/arch.cfg"); }))
    return 0;
  fuzz::holds("round trip", [&] { fuzz::check_arch_round_trip(spec, "fuzz/arch.cfg", "SCALE-Sim .cfg"); });
  return 0;
}
