// Internal to the config library: what schema_lookup.cpp needs of schema.cpp's declarations.
#pragma once

#include <string>
#include <vector>

#include "systole/config/schema.h"

namespace systole::config_detail {

// The parameters of the scratchpad called `name` (core.scratchpads.<name>.*), with the defaults
// of that name (ScratchpadsParams::defaults_for). "<name>" gives the reference's generic rows.
std::vector<ParamDef> scratchpad_params(const std::string& name);

// Appends cores.* and noc.* (schema_multicore.cpp).
void declare_multicore_params(std::vector<ParamDef>& s);

}  // namespace systole::config_detail
