// Small helpers shared by the YAML readers (arch config, DRAM presets, energy tables, workloads)
// for their diagnostics.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "systole/common/error.h"

namespace systole {

// 1-based line of `n` in its file; 0 when the node has no position (e.g. a missing key).
int yaml_line(const YAML::Node& n);

// A node as the value column of a diagnostic: a scalar's text, "a list" or "a map".
std::string yaml_short_text(const YAML::Node& n);

// "a, b, c".
std::string join_comma(const std::vector<std::string>& items);

// One diagnostic per key of `map` that is not in `known`, in file order:
//   file:line: <prefix><key> = '<value>': unknown key (expected one of: a, b, c)
std::vector<Diagnostic> unknown_keys(const YAML::Node& map, const std::string& file,
                                     const std::string& prefix, const std::vector<std::string>& known);

// A number written as a plain YAML scalar (not quoted, not tagged `!!str`), parsed as yaml-cpp
// reads a double; false for anything else (a quoted "57", a map, text).
bool plain_number(const YAML::Node& n, double* out);

}  // namespace systole
