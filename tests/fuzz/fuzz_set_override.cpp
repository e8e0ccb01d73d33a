// Fuzz target: `--set key.path=value` overrides. The input is the overrides, one per line (at
// most 16), applied to one of the shipped arch configs picked by the input's first byte.
// Contract: only UserError escapes; accepted overrides applied twice give the same config as
// applied once (idempotent), and the result round-trips through its resolved JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "arch_roundtrip.h"

namespace {

struct Base {
  std::string name;
  std::string text;
};

const std::vector<Base>& bases() {
  static const std::vector<Base> kBases = [] {
    std::vector<Base> out;
    for (const char* f :
         {"arch/default.yaml", "arch/tpu_v1.yaml", "arch/edge_lpddr4.yaml", "arch/scalesim_default.yaml"})
      out.push_back({f, systole::fuzz::source_file(f)});
    return out;
  }();
  return kBases;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace systole;
  if (size == 0) return 0;
  const Base& base = bases()[data[0] % bases().size()];
  std::vector<std::string> overrides;
  std::string line;
  for (size_t i = 1; i < size && overrides.size() < 16; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\n') {
      overrides.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty() && overrides.size() < 16) overrides.push_back(line);

  // The base's path as source name: its dram presets resolve as they do for the real file.
  const std::string source = std::string(SYSTOLE_SOURCE_DIR) + "/" + base.name;
  ArchSpec once;
  if (!fuzz::accepts("load_arch_from_string with --set",
                     [&] { once = load_arch_from_string(base.text, source, overrides); }))
    return 0;
  fuzz::holds("idempotence and round trip", [&] {
    std::vector<std::string> twice = overrides;
    twice.insert(twice.end(), overrides.begin(), overrides.end());
    ArchSpec again;
    try {
      again = load_arch_from_string(base.text, source, twice);
    } catch (const UserError& e) {
      fuzz::fail("accepted --set overrides are rejected when applied twice (on " + base.name +
                 "): " + e.what());
    }
    FUZZ_CHECK(fuzz::resolved_text(once) == fuzz::resolved_text(again),
               "--set overrides applied twice differ from applied once (on " + base.name + ")");
    fuzz::check_arch_round_trip(once, source, "--set on " + base.name);
  });
  return 0;
}
