// Output generated from the schema: the resolved config as JSON (report.json) and the config
// reference (docs/config-reference.md). Neither names a parameter itself; both walk arch_schema().
#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/config/dram_spec.h"
#include "systole/config/loader.h"
#include "systole/config/scalesim_cfg.h"
#include "systole/config/schema.h"

namespace systole {
namespace {

nlohmann::json to_json(const ParamValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return std::get<std::string>(v);
}

// Markdown table cells may not hold '|' or a line break.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string allowed(const ParamDef& p) {
  switch (p.type) {
    case ParamType::kInt:
    case ParamType::kFloat:
      return p.range.describe();
    case ParamType::kBool:
      return "true, false";
    case ParamType::kString:
      return p.non_empty ? "non-empty" : "any";
    case ParamType::kEnum: {
      std::string out;
      for (size_t i = 0; i < p.choices.size(); ++i) out += (i ? ", " : "") + p.choices[i];
      return out;
    }
  }
  throw InternalError("unknown ParamType");
}

std::string last_component(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

// "core.array.rows" -> /core/array/rows (keys hold no '/' or '~', which would need escaping).
nlohmann::json::json_pointer pointer_of(const std::string& key) {
  std::string ptr = "/" + key;
  for (auto& c : ptr) c = c == '.' ? '/' : c;
  return nlohmann::json::json_pointer(ptr);
}

// The device dram.kind cycle resolved from dram.preset (with dram.channels applied). The file's
// path is left out: it depends on where the source tree is, and the name and source identify it.
nlohmann::json device_to_json(const DramDeviceSpec& d) {
  const DramOrganization& o = d.org;
  const DramTiming& t = d.timing;
  nlohmann::json j = nlohmann::json::object();
  j["name"] = d.name;
  j["standard"] = d.standard;
  j["source"] = d.source;
  j["organization"] = {{"channels", o.channels},
                       {"ranks", o.ranks},
                       {"bank_groups", o.bank_groups},
                       {"banks_per_group", o.banks_per_group},
                       {"rows", o.rows},
                       {"columns", o.columns},
                       {"bus_width_bits", o.bus_width_bits},
                       {"beats_per_clock", o.beats_per_clock}};
  j["timing"] = {{"tck_ps", t.tck_ps}, {"bl", t.bl},       {"cl", t.cl},       {"cwl", t.cwl},
                 {"rcd", t.rcd},       {"rp", t.rp},       {"ras", t.ras},     {"rc", t.rc},
                 {"rtp", t.rtp},       {"wr", t.wr},       {"ccd_s", t.ccd_s}, {"ccd_l", t.ccd_l},
                 {"rrd_s", t.rrd_s},   {"rrd_l", t.rrd_l}, {"faw", t.faw},     {"wtr_s", t.wtr_s},
                 {"wtr_l", t.wtr_l},   {"rtw", t.rtw},     {"rfc", t.rfc},     {"refi", t.refi}};
  if (d.power.present()) {
    nlohmann::json rails = nlohmann::json::object();
    for (const DramRail& r : d.power.rails) {
      rails[r.name] = {{"voltage_v", r.voltage_v}, {"idd0_ma", r.idd0_ma},   {"idd2n_ma", r.idd2n_ma},
                       {"idd3n_ma", r.idd3n_ma},   {"idd4r_ma", r.idd4r_ma}, {"idd4w_ma", r.idd4w_ma},
                       {"idd5b_ma", r.idd5b_ma}};
    }
    j["power"] = {{"source", d.power.source},
                  {"device_width_bits", d.power.device_width_bits},
                  {"rails", std::move(rails)}};
  }
  j["atom_bytes"] = d.atom_bytes();
  j["peak_gbps"] = d.peak_gbps();
  return j;
}

}  // namespace

nlohmann::json arch_to_json(const ArchSpec& spec) {
  nlohmann::json root = nlohmann::json::object();
  for (const ParamDef* p : spec_params(spec)) root[pointer_of(p->key)] = to_json(p->get(spec));
  // Per-core overrides as written (the loader takes them back): cores.<selector>.<key of core.*>.
  for (const CoreOverride& o : spec.cores.overrides)
    root["cores"][o.selector][pointer_of(o.key)] = to_json(o.value);
  // Not a parameter: what kind cycle resolved (read-only; the loader does not take it back).
  if (spec.dram.kind == DramKind::kCycle) root["dram"]["device"] = device_to_json(spec.dram.device);
  return root;
}

std::string config_reference_markdown() {
  std::string out =
      "# Configuration reference\n\n"
      "<!-- Generated from src/config/schema.cpp by `systole config-doc > docs/config-reference.md`; "
      "do not edit by hand (a unit test fails when this file is stale). -->\n\n"
      "An architecture is a YAML file shaped like the hardware: `core.array.rows` is the key `rows` "
      "in the map `array` in the map `core`. `schema_version` and `name` are required; every other "
      "key may be left out and then takes the default below. Values are checked against the "
      "*allowed* column; an unknown key, a wrong type, a value out of range or a missing required "
      "key is an error, and every error in a file is reported at once with its file, line and key. "
      "Nothing is corrected silently.\n\n"
      "Any key can be overridden on the command line with `--set key.path=value` (repeatable), "
      "e.g. `--set core.array.rows=64 --set dram.kind=ideal`; overrides are checked by the same "
      "rules. Units are part of the key name (`_kib`, `_mhz`, `_ns`, `_gbps`, `_bytes`, "
      "`_per_cycle`) and repeated in the *unit* column; 1 KiB = 1024 B, 1 GB/s = 1e9 B/s, a cycle "
      "is one core clock cycle.\n\n"
      "After the keys are read, checks across keys run: integer inputs and weights need an int32 "
      "accumulator, floating-point ones an fp32 accumulator, and `core.array.scalesim_compat: true` "
      "fixes the array microarchitecture: `preload_overlap`, `fold_pipelining`, the skew registers, "
      "`pe_pipeline_depth` and `accumulator_rmw_latency` may then only be left out or set to SCALE-Sim's "
      "values (false, false, false, false, 1, 0).\n\n"
      "`dram.kind: cycle` reads its device from `dram.preset`: a name looks in `dram/<name>.yaml` "
      "beside the arch file, then in the source tree's `arch/dram/`; anything with a `/` or ending "
      "in `.yaml` is a path. `dram.channels` (a power of two, 0 = the preset's) replaces the preset's "
      "channel count, and the resolved device is written under `dram.device` in report.json's "
      "config (output only; with the preset's `power` currents when it has them, which price DRAM "
      "per command: docs/energy.md). Keys that only the other DRAM models read are errors when they hold a "
      "non-default value and were written no earlier than `dram.kind` (in the same file, or on the "
      "command line): `latency_ns` and `bandwidth_gbps` with kind cycle; `preset`, `channels`, "
      "`page_policy`, `address_mapping`, `queue_depth`, `refresh`, `scheduler` and `row_hit_cap` with ideal "
      "or simple. "
      "`--set dram.kind=cycle` therefore works on an arch file written for kind simple.\n\n"
      "Scratchpads are named by the spec. `core.scratchpads.<name>` declares one (the standard three, "
      "`ifmap`, `weight` and `ofmap`, exist with the defaults below; any other name starts from the "
      "`core.scratchpads.<name>` defaults), and `core.operands` places each operand role (input "
      "activations, weights, outputs with their partial sums) in one of them. Roles that name the "
      "same scratchpad share it, its capacity and its ports: `core.operands: {ifmap: unified, weight: "
      "unified, ofmap: unified}` with `core.scratchpads.unified` is a unified buffer, and the compiler "
      "gives each role a region of it per layer (docs/hardware.md, \"Scratchpads\"). A core builds "
      "only the scratchpads that hold a role; a role naming a scratchpad the spec does not declare, or "
      "keys set for a scratchpad that holds no role, are errors (keys written beneath a later "
      "`--set core.operands...` are dropped with the scratchpad, as for `dram.kind`).\n\n"
      "A multi-core NPU may have cores of different specs (heterogeneous cores, docs/multicore.md). "
      "`cores.<cores>.<key>` gives the cores `<cores>` (one core, `2`, or an inclusive range, `2-3`) "
      "the value of `core.<key>`, for any key of the `core` section below: `cores: {count: 4, 2-3: "
      "{array: {rows: 16, cols: 16, dataflow: os}}}`, or `--set cores.3.scratchpads.ifmap.capacity_kib=64`. "
      "Each core's spec is `core` with the overrides that name it applied in the order written (the "
      "file's, then `--set`'s), and is checked by the same rules as `core`; an error names the override's "
      "key and line. The cores share one clock (`core.clock_mhz`), one set of number formats "
      "(`core.array.input_type`, `weight_type`, `accumulator_*`) and one array fidelity; an override "
      "of those to another value is an error. report.json's config gives the overrides as written.\n";
  std::vector<const ParamDef*> params;
  for (const auto& p : arch_schema()) {
    // The keys of a scratchpad the spec names itself come before the placement that uses it.
    if (p.key == "core.operands.ifmap") {
      for (const auto& q : named_scratchpad_schema()) params.push_back(&q);
    }
    params.push_back(&p);
  }
  std::string section = "\x01";  // no section has this name
  for (const ParamDef* pp : params) {
    const ParamDef& p = *pp;
    if (p.section() != section) {
      section = p.section();
      out += section.empty() ? std::string("\n## Top level\n\n") : fmt::format("\n## `{}`\n\n", section);
      out += "| key | type | unit | default | allowed | description |\n";
      out += "|---|---|---|---|---|---|\n";
    }
    const std::string def = p.required ? "**required**" : "`" + format_param_value(p.default_value) + "`";
    out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", last_component(p.key), to_string(p.type),
                       p.unit.empty() ? "-" : cell(p.unit), def, cell(allowed(p)), cell(p.doc));
  }
  out += "\n" + scalesim_cfg_reference_markdown();
  return out;
}

}  // namespace systole
