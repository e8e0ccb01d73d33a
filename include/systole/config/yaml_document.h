// One safe way to read a YAML input (arch config, workload, DRAM preset, energy table). Before
// yaml-cpp builds its node tree, an event pass over the text checks what yaml-cpp would let
// through and a user's mistake or a hostile file could abuse (docs/reliability.md):
//   - the text is UTF-8 without control characters (YAML 1.2 §5.1);
//   - exactly one document (a second `---` document would otherwise be ignored);
//   - no duplicate key in any map (yaml-cpp keeps both and lookups see the first);
//   - aliases refer to finished nodes only (`&c {a: *c}` is a cycle: every walk of it recurses
//     forever) and, expanded, the document has at most `max_nodes` nodes (a "billion laughs" file
//     of a few hundred bytes expands to 10^9 nodes);
//   - nesting at most `max_depth` levels.
// Problems are diagnostics naming the source, line, key path ("layers[3].kernel") and rule.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "systole/common/error.h"

namespace systole {

struct YamlLimits {
  size_t max_nodes = 4'000'000;  // expanded; a 100,000-layer workload has ~1.2 million
  int max_depth = 64;            // real inputs nest 4-6 levels
};

// Arch configs, DRAM presets and energy tables hold a few hundred nodes.
inline constexpr YamlLimits kSmallYamlLimits{100'000, 32};

struct YamlDocument {
  YAML::Node root;                             // null when `problems` is not empty
  std::vector<Diagnostic> problems;            // every problem found; empty when the text was accepted
  std::map<std::string, std::string> aliases;  // key path whose value is an alias -> "*anchor"

  // The value column of a diagnostic about the node at `path`: "*anchor" when the document wrote
  // an alias there (never its expansion), else yaml_value_text(n).
  std::string echo(const std::string& path, const YAML::Node& n) const;
};

// Parses `text` (named `source` in diagnostics). Never throws for bad text: every problem is in
// the result's `problems`.
YamlDocument parse_yaml_document(const std::string& text, const std::string& source,
                                 const YamlLimits& limits = YamlLimits{});

// A node as the value column of a diagnostic: a scalar's text, else a one-line flow rendering of
// at most `max_bytes` bytes ("{rows: 4, cols: ...}"). Visits at most a bounded number of nodes,
// so it is safe on any tree parse_yaml_document accepted.
std::string yaml_value_text(const YAML::Node& n, size_t max_bytes = 120);

}  // namespace systole
