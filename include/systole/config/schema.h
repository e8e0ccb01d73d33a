// The configuration schema: every ArchSpec parameter declared once (src/config/schema.cpp) with its
// key path, type, unit, default or "required", allowed range or choices, a one-line doc and an
// accessor bound to the ArchSpec field. YAML parsing, unknown-key rejection, `--set` overrides,
// range checks, arch_to_json and the generated docs/config-reference.md all read this table.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "systole/config/arch_spec.h"

namespace systole {

enum class ParamType { kInt, kFloat, kBool, kString, kEnum };

// "int", "float", "bool", "string", "enum"
const char* to_string(ParamType t);

// A parameter value in its schema type: int -> int64_t, float -> double, bool -> bool,
// string and enum -> std::string (an enum holds its YAML spelling, e.g. "ws").
using ParamValue = std::variant<int64_t, double, bool, std::string>;

// Allowed numeric interval (for int and float parameters), inclusive unless marked exclusive.
struct NumericRange {
  double min = -std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  double max = std::numeric_limits<double>::infinity();
  bool max_exclusive = false;
  bool power_of_two = false;  // int only

  bool contains(double v) const;
  // ">= 1 and <= 4096", "> 0", "= 1", a power of two ">= 1 and <= 1048576"
  std::string describe() const;
};

struct ParamDef {
  std::string key;  // dotted path, e.g. "core.array.rows"
  ParamType type = ParamType::kInt;
  std::string unit;  // e.g. "KiB", "MHz", "ns", "GB/s", "B/cycle"; "" when dimensionless
  bool required = false;
  ParamValue default_value;          // in the parameter's type; unused when required
  NumericRange range;                // int and float
  std::vector<std::string> choices;  // enum
  bool non_empty = false;            // string: "" is rejected
  // string: a YAML sequence of scalars is also accepted, read as its items joined by ", "
  // (`[0, 5, 10]` is "0, 5, 10"); the parameter's own check parses the list.
  bool list = false;
  std::string doc;  // one line: what it is and why the default

  // Accessor bound to the ArchSpec field. `set` expects a value already of this parameter's type
  // (checked by parse_param_value / check_param_value); it does not range-check.
  std::function<ParamValue(const ArchSpec&)> get;
  std::function<void(ArchSpec&, const ParamValue&)> set;

  // The dotted section this key lives in ("core.array" for "core.array.rows", "" at top level).
  std::string section() const;
};

// The schema, in declaration order (which is also the order of the reference doc).
const std::vector<ParamDef>& arch_schema();

// The parameter with this exact key, or nullptr. Besides the table's keys this finds the keys of
// a scratchpad the spec names itself, core.scratchpads.<name>.<field> for any valid name
// (is_scratchpad_name): their definitions are made on first use and live as long as the process.
const ParamDef* find_param(const std::string& key);

// The parameters of a scratchpad the spec names itself, with "<name>" in the key: what the
// reference documents for core.scratchpads.<name>.
const std::vector<ParamDef>& named_scratchpad_schema();

// A scratchpad name: a lower-case letter, then lower-case letters, digits or '_', at most 32.
bool is_scratchpad_name(const std::string& name);

// The parameters that describe `spec`, in schema order: the table without the scratchpads no
// operand role lives in, and with the keys of every scratchpad the spec names itself (after the
// standard ones). What arch_to_json writes.
std::vector<const ParamDef*> spec_params(const ArchSpec& spec);

// True when `path` is a section holding parameters ("core", "core.scratchpads.ifmap", ...).
bool is_schema_section(const std::string& path);

// Every section path in declaration order, "" (top level) first.
std::vector<std::string> schema_sections();

// The closest known key or section to an unknown `key`, or "" when nothing is close: a known
// path ending in the same last component, else the smallest edit distance within a threshold.
std::string suggest_key(const std::string& key, const std::vector<std::string>& known);
std::string suggest_schema_key(const std::string& key);
// What an unknown `key` is told: "unknown key", with why a scratchpad name is not one, or the
// closest known key.
std::string unknown_key_rule(const std::string& key);

// Parses `text` (as written in YAML or after `=` in --set) in the parameter's type and checks the
// range or choices. On success stores the value and returns true; otherwise returns false and
// sets `*rule` to what was expected, e.g. "must be an integer >= 1 and <= 4096 (got a float)".
// Integers: optional sign and decimal digits only (no "12abc", "1.0", "1e3", overflow rejected).
// Floats: decimal notation with optional exponent; inf and nan are rejected. Bools: true/false.
bool parse_param_value(const ParamDef& p, const std::string& text, ParamValue* out, std::string* rule);

// Checks a value already in the parameter's type against range, choices and non-emptiness.
// Returns "" when valid, else the rule (as above).
std::string check_param_value(const ParamDef& p, const ParamValue& v);

// The full rule for a parameter, e.g. "must be an integer >= 1 and <= 4096",
// "must be one of: ws, os, is".
std::string param_rule(const ParamDef& p);

// A value as text: ints in decimal, floats with at least one decimal ("1000.0"), bools as
// true/false, strings as is.
std::string format_param_value(const ParamValue& v);

}  // namespace systole
