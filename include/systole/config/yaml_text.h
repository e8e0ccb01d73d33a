// Small helpers shared by the YAML readers (arch config, DRAM presets, energy tables, workloads)
// for their diagnostics.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace systole {

// 1-based line of `n` in its file; 0 when the node has no position (e.g. a missing key).
int yaml_line(const YAML::Node& n);

// A node as the value column of a diagnostic: a scalar's text, "a list" or "a map".
std::string yaml_short_text(const YAML::Node& n);

// "a, b, c".
std::string join_comma(const std::vector<std::string>& items);

}  // namespace systole
