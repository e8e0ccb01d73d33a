// Private to src/config: the state shared by the YAML and SCALE-Sim .cfg readers while a config is
// resolved, and the steps after reading (--set overrides, cross-field checks, derived fields).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "systole/common/error.h"
#include "systole/config/arch_spec.h"
#include "systole/config/schema.h"

namespace systole::config_detail {

// Where a parameter's value was written: a file and 1-based line, or "--set" with line 0.
struct ValueOrigin {
  std::string file;
  int line = 0;
};

struct LoadState {
  std::string source;                                // the input's name in diagnostics
  ArchSpec spec;                                     // starts as the schema defaults
  std::map<std::string, ValueOrigin> explicit_keys;  // parameters the input or --set wrote (valid or not)
  DiagnosticList diagnostics;
  // finish() reports required schema keys that neither the input nor --set wrote. The .cfg reader
  // turns this off (it checks SCALE-Sim's required keys itself), and so does a YAML input that
  // could not be read as a map.
  bool check_required = true;
  // cores.<selector>.* as read (core_overrides.h), with where each was written.
  std::vector<CoreOverride> core_overrides;
  std::vector<ValueOrigin> core_override_origins;
};

// An ArchSpec holding every non-required parameter's schema default (read from the schema, so the
// defaults live in one place), for the input named `source`.
LoadState initial_state(const std::string& source);

// Stores a value already checked by parse_param_value and records where it came from.
void set_param(LoadState* st, const ParamDef& p, const ParamValue& v, const ValueOrigin& origin);

// Applies "key.path=value" overrides in order; problems go into st->diagnostics with file "--set".
void apply_overrides(const std::vector<std::string>& overrides, LoadState* st);

// Reports missing required keys, checks across parameters (only when no problem was found before, so one
// mistake is not reported twice), derives ArrayParams::microarch, and returns the spec; throws ConfigError
// with every diagnostic collected so far when there is any.
ArchSpec finish(LoadState st);

// The checks across parameters of st->spec (DRAM, NoC, scratchpads, array formats); problems go into
// st->diagnostics.
void cross_check(LoadState* st);

// Fields derived from others of one core: ArrayParams::microarch from scalesim_compat.
void derive_core_fields(CoreParams* core);

// The readers. Both only collect diagnostics; they never throw for a user mistake.
void read_yaml(const std::string& text, LoadState* st);
void read_scalesim_cfg(const std::string& text, LoadState* st);

}  // namespace systole::config_detail
