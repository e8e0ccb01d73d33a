// Resolution steps shared by the YAML and .cfg readers: defaults, --set overrides, cross-field
// checks and derived fields.
#include "resolve.h"

#include "core_overrides.h"

#include "systole/config/noc_attachment.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "systole/config/dram_spec.h"
#include "systole/config/types.h"

namespace systole::config_detail {
namespace {

bool is_float_type(DataType t) {
  return t == DataType::kFp16 || t == DataType::kBf16 || t == DataType::kFp32;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// How late a key was written: 0 = schema default, 1 = the input file, 2 = --set.
int key_layer(const LoadState& st, const std::string& key) {
  const auto it = st.explicit_keys.find(key);
  if (it == st.explicit_keys.end()) return 0;
  return it->second.file == "--set" ? 2 : 1;
}

class CrossChecker {
 public:
  explicit CrossChecker(LoadState* st) : m_st(st) {}

  // A diagnostic on `key` at the place its value came from (the input file without a line when
  // the value is the default).
  void fail(const std::string& key, const std::string& rule) {
    const ParamDef* p = find_param(key);
    if (p == nullptr) throw InternalError("cross-field check names unknown key " + key);
    ValueOrigin where{m_st->source, 0};
    if (auto it = m_st->explicit_keys.find(key); it != m_st->explicit_keys.end()) where = it->second;
    m_st->diagnostics.add({where.file, where.line, key, format_param_value(p->get(m_st->spec)), rule});
  }

  bool is_explicit(const std::string& key) const { return m_st->explicit_keys.count(key) != 0; }

  int layer(const std::string& key) const { return key_layer(*m_st, key); }

 private:
  LoadState* m_st;
};

// Keys that only one family of DRAM models reads. Such a key is a contradiction when it holds a
// value other than its default and was written no earlier than the dram.kind that makes it
// meaningless (both in the file, or the key on the command line). A key written in the file
// beneath a `--set dram.kind=...` is overridden along with the file's kind, so
// `--set dram.kind=cycle` works on any arch file; a default value changes nothing, so a resolved
// config (report.json) loads again.
constexpr const char* kSimpleOnlyKeys[] = {"dram.latency_ns", "dram.bandwidth_gbps"};
constexpr const char* kCycleOnlyKeys[] = {"dram.preset",          "dram.channels",    "dram.page_policy",
                                          "dram.address_mapping", "dram.queue_depth", "dram.refresh",
                                          "dram.scheduler",       "dram.row_hit_cap"};

// The NoC's shape and VCs against its topology (config/noc_params.h).
void check_noc(CrossChecker& c, const ArchSpec& spec) {
  const NocParams& n = spec.noc;
  if (n.topology == NocTopology::kRing) {
    if (n.y != 1) c.fail("noc.y", "must be 1 with noc.topology ring (noc.x routers in a cycle)");
    if (n.x < 2) c.fail("noc.x", "must be at least 2 with noc.topology ring");
    if (n.vcs % 2 != 0) {
      c.fail("noc.vcs",
             "must be even with noc.topology ring: its dateline splits each port's VCs into two classes");
    }
  }
  if (n.topology == NocTopology::kCrossbar && n.x * n.y > 256) {
    c.fail("noc.x",
           fmt::format("with noc.y = {}: a crossbar of {} nodes; at most 256 (one router with a port per "
                       "node)",
                       n.y, n.x * n.y));
  }
}

void check_dram(CrossChecker& c, const ArchSpec& spec) {
  const DramParams& d = spec.dram;
  const int kind_layer = c.layer("dram.kind");
  auto contradicts = [&](const char* key) {
    const ParamDef* p = find_param(key);
    return c.is_explicit(key) && c.layer(key) >= kind_layer && !(p->get(spec) == p->default_value);
  };
  if (d.kind == DramKind::kCycle) {
    for (const char* key : kSimpleOnlyKeys) {
      if (contradicts(key))
        c.fail(key, "has no effect with dram.kind cycle: the device preset (dram.preset) gives the timing");
    }
    if (d.channels > 0 && (d.channels & (d.channels - 1)) != 0) {
      c.fail("dram.channels",
             "must be a power of two (the address mappings take the channel from address bits), or 0 for "
             "the preset's count");
    }
    return;
  }
  for (const char* key : kCycleOnlyKeys) {
    if (contradicts(key))
      c.fail(key, fmt::format("has no effect with dram.kind {}: only dram.kind cycle reads it",
                              to_string(d.kind)));
  }
}

// kind cycle: reads the preset named by dram.preset (dram_preset_path: beside the arch file, then
// the source tree's arch/dram) and applies dram.channels. A preset that cannot be found is a
// diagnostic on dram.preset at the place it was written; a broken preset file reports its own
// file and line.
void resolve_dram_device(LoadState* st) {
  DramParams& d = st->spec.dram;
  d.device = DramDeviceSpec{};
  if (d.kind != DramKind::kCycle) return;
  ValueOrigin where{st->source, 0};
  if (auto it = st->explicit_keys.find("dram.preset"); it != st->explicit_keys.end()) where = it->second;
  const std::string arch_dir =
      st->source.empty() ? std::string() : std::filesystem::path(st->source).parent_path().string();
  std::string path;
  try {
    path = dram_preset_path(d.preset, arch_dir);
  } catch (const ConfigError& e) {
    // dram_preset_path names the places searched and the presets found, without a file: the
    // mistake is where dram.preset was written.
    for (const Diagnostic& diag : e.diagnostics()) {
      st->diagnostics.add({where.file, where.line, "dram.preset", d.preset, diag.rule});
    }
    return;
  }
  try {
    d.device = load_dram_preset(path);
  } catch (const ConfigError& e) {
    for (const Diagnostic& diag : e.diagnostics()) st->diagnostics.add(diag);
    st->diagnostics.add({where.file, where.line, "dram.preset", d.preset,
                         "the preset file " + path + " is not a valid DRAM device (see above)"});
    return;
  }
  if (d.channels > 0) d.device.org.channels = d.channels;
  // The energy of a cycle-level device's traffic is priced at its own standard; naming another
  // one is a contradiction, unless it was written beneath a later dram.kind (a file's choice for
  // its own DRAM model, overridden with `--set dram.kind=cycle`): then the device's standard wins.
  EnergyDramStandard& std_choice = st->spec.energy.dram_standard;
  if (std_choice != EnergyDramStandard::kAuto && d.device.standard != to_string(std_choice)) {
    if (key_layer(*st, "energy.dram_standard") < key_layer(*st, "dram.kind")) {
      std_choice = EnergyDramStandard::kAuto;
      return;
    }
    ValueOrigin at{st->source, 0};
    if (auto it = st->explicit_keys.find("energy.dram_standard"); it != st->explicit_keys.end())
      at = it->second;
    st->diagnostics.add({at.file, at.line, "energy.dram_standard", to_string(std_choice),
                         "must be auto or " + d.device.standard + " (the standard of dram.preset '" +
                             d.preset + "') with dram.kind cycle"});
  }
}

// core.operands must name declared scratchpads, and a scratchpad whose keys were written must
// hold a role, unless its keys lie beneath a later placement (a file's weight scratchpad under
// `--set core.operands.weight=unified`): then it is simply not built.
void check_scratchpads(CrossChecker& c, const LoadState& st) {
  const ScratchpadsParams& sp = st.spec.core.scratchpads;
  std::string declared;
  for (const NamedScratchpad& s : sp.declared) declared += (declared.empty() ? "" : ", ") + s.name;
  int placement_layer = 0;
  for (const OperandRole r : kOperandRoles) {
    const std::string key = std::string("core.operands.") + to_string(r);
    placement_layer = std::max(placement_layer, c.layer(key));
    if (sp.find(sp.name_of(r)) == nullptr) {
      c.fail(key, "must name a scratchpad the spec declares (" + declared +
                      "); declare another as core.scratchpads.<name> with at least one of its keys");
    }
  }
  const std::string prefix = "core.scratchpads.";
  for (const NamedScratchpad& s : sp.declared) {
    if (sp.holds_a_role(s.name)) continue;
    for (const auto& [key, origin] : st.explicit_keys) {
      if (key.rfind(prefix + s.name + ".", 0) != 0 || c.layer(key) < placement_layer) continue;
      std::string placed;
      for (const OperandRole r : kOperandRoles)
        placed += fmt::format("{}{} in '{}'", placed.empty() ? "" : ", ", to_string(r), sp.name_of(r));
      c.fail(key, fmt::format("is set, but no operand lives in scratchpad '{}' (core.operands places {}); "
                              "remove its keys or place a role in it",
                              s.name, placed));
      break;
    }
  }
}

}  // namespace

void cross_check(LoadState* st) {
  CrossChecker c(st);
  check_dram(c, st->spec);
  check_noc(c, st->spec);
  check_scratchpads(c, *st);
  const ArrayParams& a = st->spec.core.array;

  // scalesim_compat fixes the microarchitecture; asking for a feature SCALE-Sim lacks beside it is
  // a contradiction, not something to fix silently.
  if (a.scalesim_compat) {
    ArchSpec want = st->spec;
    want.core.array.microarch = ArrayMicroarch::scalesim();
    for (const char* key : {"core.array.preload_overlap", "core.array.fold_pipelining",
                            "core.array.input_skew_registers", "core.array.output_skew_registers",
                            "core.array.pe_pipeline_depth", "core.array.accumulator_rmw_latency"}) {
      const ParamDef* p = find_param(key);
      if (c.is_explicit(key) && p->get(st->spec) != p->get(want)) {
        c.fail(key,
               "must be " + format_param_value(p->get(want)) +
                   " (or left out) when core.array.scalesim_compat is true: SCALE-Sim v2 has a fixed array "
                   "microarchitecture (no preload overlap, no fold pipelining, no skew registers, "
                   "single-stage PEs, no accumulator latency)");
      }
    }
    if (c.is_explicit("core.array.operand_feeder") && a.operand_feeder != OperandFeeder::kStaged) {
      c.fail(
          "core.array.operand_feeder",
          "must be staged (or left out) when core.array.scalesim_compat is true: SCALE-Sim v2's SRAMs feed "
          "the array without bank conflicts");
    }
  }

  // One PE multiplies an input by a weight and adds into the accumulator: integer products need
  // an integer accumulator (int32), floating-point products an fp32 one, and mixing integer and
  // floating-point operands has no defined product format.
  const bool float_in = is_float_type(a.input_type);
  if (is_float_type(a.weight_type) != float_in) {
    c.fail("core.array.weight_type",
           std::string("must be ") + (float_in ? "a floating-point" : "an integer") +
               " format like core.array.input_type ('" + to_string(a.input_type) + "')");
  }
  const DataType want_acc = float_in ? DataType::kFp32 : DataType::kInt32;
  if (a.accumulator_type != want_acc) {
    c.fail("core.array.accumulator_type", std::string("must be ") + to_string(want_acc) + " for " +
                                              (float_in ? "floating-point" : "integer") +
                                              " inputs (core.array.input_type '" + to_string(a.input_type) +
                                              "')");
  }
}

LoadState initial_state(const std::string& source) {
  LoadState st;
  st.source = source;
  for (const auto& p : arch_schema()) {
    if (!p.required) p.set(st.spec, p.default_value);
  }
  return st;
}

void set_param(LoadState* st, const ParamDef& p, const ParamValue& v, const ValueOrigin& origin) {
  p.set(st->spec, v);
  st->explicit_keys[p.key] = origin;
}

void apply_overrides(const std::vector<std::string>& overrides, LoadState* st) {
  const std::string kFile = "--set";
  for (const auto& text : overrides) {
    const auto eq = text.find('=');
    if (eq == std::string::npos) {
      st->diagnostics.add({kFile, 0, trim(text), "", "an override must be written key.path=value"});
      continue;
    }
    const std::string key = trim(text.substr(0, eq));
    const std::string value = trim(text.substr(eq + 1));
    std::string selector, rest;
    const bool per_core = split_core_override_key(key, &selector, &rest);
    const ParamDef* p = per_core ? (rest.empty() ? nullptr : find_param("core." + rest)) : find_param(key);
    if (p == nullptr && per_core) {
      const std::string core_key = rest.empty() ? "core" : "core." + rest;
      st->diagnostics.add({kFile, 0, key, value,
                           core_key == "core" || is_schema_section(core_key)
                               ? "is a section, not a parameter; set one of its keys"
                               : "unknown key: below cores." + selector + " go the keys of core.* (" +
                                     unknown_key_rule(core_key) + ")"});
      continue;
    }
    if (p == nullptr) {
      const std::string rule = is_schema_section(key) ? "is a section, not a parameter; set one of its keys"
                                                      : unknown_key_rule(key);
      st->diagnostics.add({kFile, 0, key, value, rule});
      continue;
    }
    ParamValue v;
    std::string rule;
    st->explicit_keys[key] = {kFile, 0};  // written, even if wrong: not "missing"
    if (!parse_param_value(*p, value, &v, &rule)) {
      st->diagnostics.add({kFile, 0, key, value, rule});
      continue;
    }
    if (per_core) {
      record_core_override(st, selector, rest, v, {kFile, 0});
    } else {
      set_param(st, *p, v, {kFile, 0});
    }
  }
}

// Keys of the other DRAM family that a later dram.kind overrode (a file's latency_ns beneath
// `--set dram.kind=cycle`) return to their defaults: the resolved config (report.json) says only
// what is simulated, and loads again as a config file (which would refuse such a key).
void reset_other_family(LoadState* st) {
  const bool cycle = st->spec.dram.kind == DramKind::kCycle;
  const auto reset = [&](const char* key) {
    const ParamDef* p = find_param(key);
    if (!(p->get(st->spec) == p->default_value)) p->set(st->spec, p->default_value);
  };
  if (cycle) {
    for (const char* key : kSimpleOnlyKeys) reset(key);
  } else {
    for (const char* key : kCycleOnlyKeys) reset(key);
  }
}

void derive_core_fields(CoreParams* core) {
  ArrayParams& a = core->array;
  if (a.scalesim_compat) {
    a.microarch = ArrayMicroarch::scalesim();
    a.operand_feeder = OperandFeeder::kStaged;
  } else {
    a.microarch.scalesim_counting = false;
  }
}

ArchSpec finish(LoadState st) {
  if (st.check_required) {
    for (const auto& p : arch_schema()) {
      if (p.required && st.explicit_keys.count(p.key) == 0) {
        st.diagnostics.add({st.source, 0, p.key, "", "required key is missing"});
      }
    }
  }
  if (st.diagnostics.empty()) cross_check(&st);
  if (st.diagnostics.empty()) resolve_dram_device(&st);
  if (!st.diagnostics.empty()) throw ConfigError(st.diagnostics.take());
  reset_other_family(&st);
  resolve_core_overrides(&st);
  if (!st.diagnostics.empty()) throw ConfigError(st.diagnostics.take());
  derive_core_fields(&st.spec.core);
  st.spec.source_path = st.source;
  for (const auto& [key, origin] : st.explicit_keys)
    st.spec.key_origins[key] = KeyOrigin{origin.file, origin.line};
  // The placement needs the resolved DRAM device (its channel count).
  if (st.spec.cores.count > 1) {
    (void)resolve_noc_attachment(st.spec);
  } else {
    for (const char* key : {"noc.attach.cores", "noc.attach.memory"}) {
      const ParamDef* p = find_param(key);
      if (!(p->get(st.spec) == p->default_value)) {
        const KeyOrigin at = st.spec.origin_of(key);
        throw ConfigError(Diagnostic{at.file, at.line, key, std::get<std::string>(p->get(st.spec)),
                                     "places cores and memory controllers on the NoC, which a single core "
                                     "(cores.count 1) does not use: it talks to DRAM directly; leave it "
                                     "out or raise cores.count"});
      }
    }
  }
  return std::move(st.spec);
}

}  // namespace systole::config_detail
