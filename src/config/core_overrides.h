// Private to src/config: per-core overrides, cores.<selector>.<key of core.*> (core_overrides.cpp).
#pragma once

#include <string>

#include "resolve.h"

namespace systole::config_detail {

// True when `path` lies below cores.<selector> ("cores.2", "cores.2-3.array.rows"): *selector is
// "2" or "2-3" and *rest what follows it ("" for the section itself, else "array.rows").
bool split_core_override_key(const std::string& path, std::string* selector, std::string* rest);

// Stores cores.<selector>.<rest> = value (already checked against core.<rest>'s rule); a later
// write of the same key (--set after the file) replaces the earlier one.
void record_core_override(LoadState* st, const std::string& selector, const std::string& rest,
                          const ParamValue& value, const ValueOrigin& origin);

// After the shared spec is checked: each core's spec with its overrides, checked by the same
// cross-field rules; fills spec.cores.per_core, or adds diagnostics naming the override keys.
void resolve_core_overrides(LoadState* st);

}  // namespace systole::config_detail
