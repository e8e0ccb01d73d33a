// The round trip shared by the arch harnesses: an accepted config's resolved JSON (arch_to_json,
// what report.json records under "config") loads again, as YAML, to the same resolved config.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "systole/config/loader.h"

namespace systole::fuzz {

// `dump` of a resolved config; a string that nlohmann cannot write (invalid UTF-8) escapes as
// json::type_error, which is a finding: `systole run` writes this into report.json.
inline std::string resolved_text(const ArchSpec& spec) {
  return arch_to_json(spec).dump();
}

// `source` is the name the original was loaded under: dram.preset paths resolve against its directory.
inline void check_arch_round_trip(const ArchSpec& spec, const std::string& source, const std::string& what) {
  nlohmann::json j = arch_to_json(spec);
  const std::string first = j.dump();
  // dram.device is output only (the resolved preset); the loader rejects it as input.
  if (j.contains("dram") && j["dram"].is_object()) j["dram"].erase("device");
  ArchSpec again;
  try {
    again = load_arch_from_string(j.dump(), source);
  } catch (const UserError& e) {
    fail(what + ": the resolved config of an accepted input is rejected when loaded again:\n" + e.what() +
         "\nresolved config: " + first);
  }
  const std::string second = resolved_text(again);
  FUZZ_CHECK(first == second,
             what + ": resolved config changes when loaded again:\nfirst:  " + first + "\nsecond: " + second);
}

}  // namespace systole::fuzz
