// SCALE-Sim v2 `.cfg` files (INI, read by Python's configparser in SCALE-Sim) mapped onto the same
// schema as Systole's YAML, so `--set` overrides and every check apply to them too. load_arch picks
// this reader for a `.cfg` extension.
#pragma once

#include <string>
#include <vector>

#include "systole/config/arch_spec.h"

namespace systole {

// Parses `cfg_text` (diagnostics name `source_name` and the 1-based line), maps it onto an
// ArchSpec with core.array.scalesim_compat = true, then applies `overrides`. Unknown sections and
// keys, bad values and missing keys SCALE-Sim requires are collected and thrown as one ConfigError.
ArchSpec load_scalesim_cfg_from_string(const std::string& cfg_text, const std::string& source_name,
                                       const std::vector<std::string>& overrides = {});

// A markdown section listing every accepted .cfg key, what it maps to and which keys are accepted
// but not modelled; part of docs/config-reference.md.
std::string scalesim_cfg_reference_markdown();

}  // namespace systole
