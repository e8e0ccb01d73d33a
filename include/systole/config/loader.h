// Loading an ArchSpec from a file plus `--set key.path=value` overrides. All problems are
// collected and thrown together as one ConfigError (file, line, key path, value, rule).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "systole/config/arch_spec.h"

namespace systole {

// `path` is a Systole YAML config (.yaml/.yml) or a SCALE-Sim v2 .cfg file; both map onto the
// same schema, so `overrides` ("core.array.rows=64") apply to either. Throws ConfigError.
ArchSpec load_arch(const std::string& path, const std::vector<std::string>& overrides = {});

// The same from YAML text (for tests); `source_name` is used in diagnostics.
ArchSpec load_arch_from_string(const std::string& yaml_text, const std::string& source_name,
                               const std::vector<std::string>& overrides = {});

// The same from a JSON tree shaped like the YAML (report.json's "config", arch_to_json's output),
// read by the same walker and rules as a file. Diagnostics name `source_name` and the key path
// behind `key_prefix` (e.g. "run/report.json: config.core.clock_mhz = '0': must be ..."), without
// line numbers: a JSON tree has none. Throws ConfigError.
ArchSpec load_arch_from_json(const nlohmann::json& config, const std::string& source_name,
                             const std::string& key_prefix);

// The fully resolved config as a JSON tree shaped like the YAML (written into report.json).
nlohmann::json arch_to_json(const ArchSpec& spec);

// docs/config-reference.md, generated from the schema.
std::string config_reference_markdown();

}  // namespace systole
