// SCALE-Sim v2 .cfg reader. The accepted sections and keys are those of SCALE-Sim v2's
// scalesim/scale_config.py and the configs it ships (configs/scale.cfg, google_ramulator.cfg,
// sparsity.cfg, scale_layout.cfg, tpuv5e_downscale.cfg in github.com/scalesim-project/scale-sim-v2).
// The INI dialect is configparser's: `key = value` or `key: value`, option names case-insensitive,
// section names case-sensitive, whole-line comments starting with '#' or ';', and an indented line
// continues the previous value (not supported here: reported).
#include "systole/config/scalesim_cfg.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "resolve.h"
#include "systole/common/text.h"

namespace systole {
namespace config_detail {
namespace {

enum class CfgKind { kInt, kIntList, kString, kBool, kChoice };

struct CfgKey {
  std::vector<std::string> sections;  // where SCALE-Sim's configs put it
  std::string name;                   // spelling in SCALE-Sim's configs
  CfgKind kind = CfgKind::kInt;
  int64_t min = 0;        // kInt, kIntList: smallest accepted value
  bool required = false;  // scale_config.read_conf_file reads it unconditionally
  std::string maps_to;    // the schema key it sets, or "" when accepted but not modelled
  std::string doc;
  std::vector<std::string> choices;  // kChoice
};

const std::vector<CfgKey>& cfg_keys() {
  static const std::vector<CfgKey> kKeys = [] {
    const std::vector<std::string> arch{"architecture_presets"};
    // configs/scale.cfg writes the layout keys under [architecture_presets], later configs under
    // [layout]; both are accepted.
    const std::vector<std::string> layout{"layout", "architecture_presets"};
    std::vector<CfgKey> k = {
        {{"general"},
         "run_name",
         CfgKind::kString,
         0,
         true,
         "name",
         "run name; becomes the accelerator name",
         {}},
        {arch, "ArrayHeight", CfgKind::kInt, 1, true, "core.array.rows", "PE rows", {}},
        {arch, "ArrayWidth", CfgKind::kInt, 1, true, "core.array.cols", "PE columns", {}},
        {arch,
         "IfmapSramSzkB",
         CfgKind::kInt,
         1,
         true,
         "core.scratchpads.ifmap.capacity_kib",
         "ifmap SRAM, KiB",
         {}},
        {arch,
         "FilterSramSzkB",
         CfgKind::kInt,
         1,
         true,
         "core.scratchpads.weight.capacity_kib",
         "filter SRAM, KiB",
         {}},
        {arch,
         "OfmapSramSzkB",
         CfgKind::kInt,
         1,
         true,
         "core.scratchpads.ofmap.capacity_kib",
         "ofmap SRAM, KiB",
         {}},
        {arch,
         "Dataflow",
         CfgKind::kChoice,
         0,
         true,
         "core.array.dataflow",
         "ws, os or is",
         {"ws", "os", "is"}},
        {arch,
         "Bandwidth",
         CfgKind::kIntList,
         1,
         false,
         "dram.bandwidth_gbps",
         "DRAM words/cycle, one entry per memory bank (required when InterfaceBandwidth is USER); "
         "bandwidth_gbps = sum x 1 B/word x clock_mhz / 1000 with the default clock",
         {}},
        {arch, "MemoryBanks", CfgKind::kInt, 1, false, "", "number of Bandwidth entries (checked)", {}},
        {arch, "IfmapOffset", CfgKind::kInt, 0, false, "", "DRAM address; placement is the compiler's", {}},
        {arch, "FilterOffset", CfgKind::kInt, 0, false, "", "DRAM address; placement is the compiler's", {}},
        {arch, "OfmapOffset", CfgKind::kInt, 0, false, "", "DRAM address; placement is the compiler's", {}},
        {arch, "ReadRequestBuffer", CfgKind::kInt, 1, false, "", "Ramulator request queue", {}},
        {arch, "WriteRequestBuffer", CfgKind::kInt, 1, false, "", "Ramulator request queue", {}},
        {arch,
         "OnChipMemoryBanks",
         CfgKind::kInt,
         1,
         false,
         "",
         "SRAM banks (banking comes in a later issue)",
         {}},
        {arch, "OnChipMemoryBankPorts", CfgKind::kInt, 1, false, "", "SRAM bank ports", {}},
        {layout, "IfmapCustomLayout", CfgKind::kBool, 0, false, "", "custom SRAM layout", {}},
        {layout, "FilterCustomLayout", CfgKind::kBool, 0, false, "", "custom SRAM layout", {}},
        {layout, "IfmapSRAMBankBandwidth", CfgKind::kInt, 1, false, "", "SRAM bank width", {}},
        {layout, "IfmapSRAMBankNum", CfgKind::kInt, 1, false, "", "SRAM banks", {}},
        {layout, "IfmapSRAMBankPort", CfgKind::kInt, 1, false, "", "SRAM bank ports", {}},
        {layout, "FilterSRAMBankBandwidth", CfgKind::kInt, 1, false, "", "SRAM bank width", {}},
        {layout, "FilterSRAMBankNum", CfgKind::kInt, 1, false, "", "SRAM banks", {}},
        {layout, "FilterSRAMBankPort", CfgKind::kInt, 1, false, "", "SRAM bank ports", {}},
        {{"sparsity"},
         "SparsitySupport",
         CfgKind::kBool,
         0,
         false,
         "",
         "must be false: sparsity is not modelled",
         {}},
        {{"sparsity"}, "SparseRep", CfgKind::kString, 0, false, "", "sparse representation", {}},
        {{"sparsity"}, "OptimizedMapping", CfgKind::kBool, 0, false, "", "sparse mapping", {}},
        {{"sparsity"}, "BlockSize", CfgKind::kInt, 1, false, "", "sparse block size", {}},
        {{"sparsity"},
         "RandomNumberGeneratorSeed",
         CfgKind::kInt,
         0,
         false,
         "",
         "sparsity generator seed",
         {}},
        {{"run_presets"},
         "InterfaceBandwidth",
         CfgKind::kChoice,
         0,
         true,
         "dram.kind",
         "USER: dram.kind simple with Bandwidth; CALC (stall-free bandwidth): dram.kind ideal",
         {"USER", "CALC"}},
        {{"run_presets"},
         "UseRamulatorTrace",
         CfgKind::kBool,
         0,
         false,
         "",
         "must be false: Systole's DRAM model is dram.kind",
         {}},
        {{"network_presets"},
         "TopologyCsvLoc",
         CfgKind::kString,
         0,
         false,
         "",
         "the workload is given with --workload instead",
         {}},
    };
    return k;
  }();
  return kKeys;
}

std::vector<std::string> cfg_sections() {
  std::vector<std::string> out;
  for (const auto& k : cfg_keys()) {
    for (const auto& s : k.sections) {
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

const CfgKey* find_cfg_key(const std::string& section, const std::string& name) {
  for (const auto& k : cfg_keys()) {
    if (lower(k.name) == lower(name) &&
        std::find(k.sections.begin(), k.sections.end(), section) != k.sections.end()) {
      return &k;
    }
  }
  return nullptr;
}

// configparser's getboolean spellings, case-insensitive.
bool parse_cfg_bool(const std::string& s, bool* out) {
  const std::string l = lower(s);
  if (l == "1" || l == "yes" || l == "true" || l == "on") {
    *out = true;
    return true;
  }
  if (l == "0" || l == "no" || l == "false" || l == "off") {
    *out = false;
    return true;
  }
  return false;
}

bool parse_cfg_int(const std::string& s, int64_t min, int64_t* out) {
  ParamDef p;
  p.type = ParamType::kInt;
  p.range.min = static_cast<double>(min);
  ParamValue v;
  std::string rule;
  if (!parse_param_value(p, s, &v, &rule)) return false;
  *out = std::get<int64_t>(v);
  return true;
}

struct CfgEntry {
  const CfgKey* def = nullptr;
  std::string written_key;  // "section.Name" as written
  std::string value;
  int line = 0;
};

class CfgReader {
 public:
  explicit CfgReader(LoadState* st) : m_st(st) {}

  void read(const std::string& text) {
    lex(text);
    check_required();
    if (m_st->diagnostics.empty()) map_onto_spec();
  }

 private:
  void add(int line, const std::string& key, const std::string& value, const std::string& rule) {
    m_st->diagnostics.add({m_st->source, line, key, value, rule});
  }

  void lex(const std::string& text) {
    std::istringstream in(text);
    std::string raw;
    std::string section;
    bool section_known = false;
    std::map<std::string, int> seen_sections;
    std::map<std::string, int> seen_keys;  // "section.lowercase key" -> line
    for (int line = 1; std::getline(in, raw); ++line) {
      const std::string s = trim(raw);
      if (s.empty() || s[0] == '#' || s[0] == ';') continue;
      if (raw[0] == ' ' || raw[0] == '\t') {
        add(line, section, s,
            "indented line: configparser reads it as a continuation of the previous value; remove the "
            "indentation");
        continue;
      }
      if (s.front() == '[') {
        if (s.back() != ']') {
          add(line, "", s, "malformed section header; expected [name]");
          section = "";
          section_known = false;
          continue;
        }
        section = trim(s.substr(1, s.size() - 2));
        const auto sections = cfg_sections();
        section_known = std::find(sections.begin(), sections.end(), section) != sections.end();
        if (auto [pos, fresh] = seen_sections.emplace(section, line); !fresh) {
          add(line, section, "", fmt::format("duplicate section (first at line {})", pos->second));
        } else if (!section_known) {
          std::string rule =
              "unknown section; SCALE-Sim v2 sections are " + fmt::format("{}", fmt::join(sections, ", "));
          const std::string hint = suggest_key(section, sections);
          if (!hint.empty()) rule += "; did you mean '" + hint + "'?";
          add(line, section, "", rule);
        }
        continue;
      }
      const auto sep = s.find_first_of("=:");
      if (sep == std::string::npos || sep == 0) {
        add(line, section, s, "malformed line; expected `key = value` or `key: value`");
        continue;
      }
      const std::string key = trim(s.substr(0, sep));
      const std::string value = trim(s.substr(sep + 1));
      const std::string path = section.empty() ? key : section + "." + key;
      if (section.empty()) {
        add(line, key, value, "key outside any section; put it under its [section]");
        continue;
      }
      if (!section_known) continue;  // the section header was reported once
      if (auto [pos, fresh] = seen_keys.emplace(section + "." + lower(key), line); !fresh) {
        add(line, path, value, fmt::format("duplicate key (first at line {})", pos->second));
        continue;
      }
      const CfgKey* def = find_cfg_key(section, key);
      if (def == nullptr) {
        report_unknown_key(line, section, key, value);
        continue;
      }
      m_entries.push_back({def, path, value, line});
      check_value(m_entries.back());
    }
  }

  void report_unknown_key(int line, const std::string& section, const std::string& key,
                          const std::string& value) {
    std::vector<std::string> here;
    std::string elsewhere;
    for (const auto& k : cfg_keys()) {
      const bool in_section = std::find(k.sections.begin(), k.sections.end(), section) != k.sections.end();
      if (in_section) here.push_back(lower(k.name));
      if (!in_section && lower(k.name) == lower(key)) elsewhere = k.sections.front();
    }
    std::string rule = "unknown key in [" + section + "]";
    if (!elsewhere.empty()) {
      rule += "; it belongs in [" + elsewhere + "]";
    } else if (const std::string hint = suggest_key(lower(key), here); !hint.empty()) {
      const auto it = std::find_if(cfg_keys().begin(), cfg_keys().end(),
                                   [&](const CfgKey& k) { return lower(k.name) == hint; });
      rule += "; did you mean '" + it->name + "'?";
    }
    add(line, section + "." + key, value, rule);
  }

  // Type and range of one value; mapped keys take the rule of the schema key they set.
  void check_value(const CfgEntry& e) {
    const CfgKey& k = *e.def;
    const ParamDef* target = k.maps_to.empty() ? nullptr : find_param(k.maps_to);
    std::string rule;
    switch (k.kind) {
      case CfgKind::kInt: {
        int64_t i = 0;
        if (target != nullptr) {
          ParamValue v;
          if (!parse_param_value(*target, e.value, &v, &rule)) rule += " (sets " + k.maps_to + ")";
        } else if (!parse_cfg_int(e.value, k.min, &i)) {
          rule = fmt::format("must be an integer >= {}", k.min);
        }
        break;
      }
      case CfgKind::kIntList: {
        std::istringstream items(e.value);
        std::string item;
        int64_t i = 0;
        bool ok = !e.value.empty();
        while (ok && std::getline(items, item, ',')) ok = parse_cfg_int(trim(item), k.min, &i);
        if (!ok) rule = fmt::format("must be a comma-separated list of integers >= {}", k.min);
        break;
      }
      case CfgKind::kString:
        if (e.value.empty()) rule = "must not be empty";
        break;
      case CfgKind::kBool: {
        bool b = false;
        if (!parse_cfg_bool(e.value, &b)) rule = "must be true or false";
        if (b && (k.name == "SparsitySupport" || k.name == "UseRamulatorTrace")) {
          rule = "must be false: Systole does not model this SCALE-Sim feature, so its results would differ";
        }
        break;
      }
      case CfgKind::kChoice:
        if (std::find(k.choices.begin(), k.choices.end(), e.value) == k.choices.end()) {
          rule = "must be one of: " + fmt::format("{}", fmt::join(k.choices, ", "));
        }
        break;
    }
    if (!rule.empty()) add(e.line, e.written_key, e.value, rule);
  }

  const CfgEntry* entry(const std::string& name) const {
    for (const auto& e : m_entries) {
      if (e.def->name == name) return &e;
    }
    return nullptr;
  }

  void check_required() {
    for (const auto& k : cfg_keys()) {
      if (k.required && entry(k.name) == nullptr) {
        add(0, k.sections.front() + "." + k.name, "", "required key is missing (SCALE-Sim v2 requires it)");
      }
    }
    const CfgEntry* mode = entry("InterfaceBandwidth");
    if (mode != nullptr && mode->value == "USER" && entry("Bandwidth") == nullptr) {
      add(mode->line, "architecture_presets.Bandwidth", "",
          "required key is missing: InterfaceBandwidth USER needs the DRAM Bandwidth (words/cycle)");
    }
    const CfgEntry* bw = entry("Bandwidth");
    const CfgEntry* banks = entry("MemoryBanks");
    if (bw != nullptr && banks != nullptr) {
      const auto count = std::count(bw->value.begin(), bw->value.end(), ',') + 1;
      if (std::to_string(count) != banks->value) {
        add(bw->line, bw->written_key, bw->value,
            fmt::format("must list one bandwidth per memory bank (MemoryBanks = {})", banks->value));
      }
    }
  }

  void set(const std::string& key, const ParamValue& v, int line) {
    const ParamDef* p = find_param(key);
    if (p == nullptr) throw InternalError(".cfg maps onto unknown key " + key);
    const std::string problem = check_param_value(*p, v);
    if (!problem.empty()) {
      add(line, key, format_param_value(v), problem + " (derived from the .cfg)");
      return;
    }
    set_param(m_st, *p, v, {m_st->source, line});
  }

  // Runs only on a clean file, so every value below parses.
  void map_onto_spec() {
    for (const auto& e : m_entries) {
      const CfgKey& k = *e.def;
      if (k.maps_to.empty() || k.kind == CfgKind::kIntList || k.name == "InterfaceBandwidth") continue;
      const ParamDef* p = find_param(k.maps_to);
      ParamValue v;
      std::string rule;
      if (!parse_param_value(*p, e.value, &v, &rule))
        throw InternalError("checked .cfg value fails: " + rule);
      set_param(m_st, *p, v, {m_st->source, e.line});
    }
    ArchSpec& s = m_st->spec;
    set("core.array.scalesim_compat", true, 0);

    // SCALE-Sim assumes the SRAMs feed the array without stalls: ports as wide as the array edge
    // (int8 operands, int32 partial sums), never narrower than the YAML defaults.
    const int64_t edge = std::max(s.core.array.rows, s.core.array.cols);
    const CfgEntry* mode = entry("InterfaceBandwidth");
    const CfgEntry* bw = entry("Bandwidth");
    int64_t words_per_cycle = 0;
    if (bw != nullptr) {
      std::istringstream items(bw->value);
      std::string item;
      int64_t i = 0;
      while (std::getline(items, item, ',') && parse_cfg_int(trim(item), 1, &i)) words_per_cycle += i;
    }
    const int64_t in_port = std::max<int64_t>(64, edge);
    const int64_t fill_port = std::max(in_port, words_per_cycle);
    const int64_t out_port = std::max<int64_t>(128, 4 * edge);
    set("core.scratchpads.ifmap.read_bytes_per_cycle", in_port, 0);
    set("core.scratchpads.ifmap.write_bytes_per_cycle", fill_port, 0);
    set("core.scratchpads.weight.read_bytes_per_cycle", in_port, 0);
    set("core.scratchpads.weight.write_bytes_per_cycle", fill_port, 0);
    set("core.scratchpads.ofmap.read_bytes_per_cycle", out_port, 0);
    set("core.scratchpads.ofmap.write_bytes_per_cycle", out_port, 0);
    // SCALE-Sim's SRAMs answer in the cycle they are accessed.
    for (const char* b : {"ifmap", "weight", "ofmap"}) {
      set(std::string("core.scratchpads.") + b + ".read_latency_cycles", int64_t{0}, 0);
      set(std::string("core.scratchpads.") + b + ".write_latency_cycles", int64_t{0}, 0);
    }

    // USER: a fixed-bandwidth channel without latency (SCALE-Sim v2 models DRAM bandwidth only);
    // CALC: SCALE-Sim computes the stall-free bandwidth, which is Systole's ideal DRAM.
    const bool user = mode->value == "USER";
    set("dram.kind", std::string(user ? "simple" : "ideal"), mode->line);
    set("dram.latency_ns", 0.0, mode->line);
    if (user) {
      const double gbps = static_cast<double>(words_per_cycle) * 1.0 * s.core.clock_mhz / 1000.0;
      set("dram.bandwidth_gbps", gbps, bw->line);
    }
  }

  LoadState* m_st;
  std::vector<CfgEntry> m_entries;
};

}  // namespace

void read_scalesim_cfg(const std::string& text, LoadState* st) {
  st->check_required = false;  // SCALE-Sim's own required keys are checked; run_name gives the name
  set_param(st, *find_param("schema_version"), int64_t{1}, {st->source, 0});
  CfgReader(st).read(text);
}

}  // namespace config_detail

ArchSpec load_scalesim_cfg_from_string(const std::string& cfg_text, const std::string& source_name,
                                       const std::vector<std::string>& overrides) {
  config_detail::LoadState st = config_detail::initial_state(source_name);
  // run_name and every other value reach report.json: the text must be UTF-8 without controls.
  if (Diagnostic bad; !check_input_text(cfg_text, source_name, &bad)) {
    st.diagnostics.add(std::move(bad));
    st.check_required = false;
  } else {
    config_detail::read_scalesim_cfg(cfg_text, &st);
  }
  config_detail::apply_overrides(overrides, &st);
  return config_detail::finish(std::move(st));
}

std::string scalesim_cfg_reference_markdown() {
  std::string out =
      "## SCALE-Sim v2 `.cfg` files\n\n"
      "`--arch file.cfg` reads a SCALE-Sim v2 config and maps it onto the keys above with "
      "`core.array.scalesim_compat: true`, int8 operands and int32 partial sums; `--set` overrides "
      "apply afterwards. Option names are case-insensitive, as in Python's configparser. Scratchpad "
      "ports are set as wide as the array edge (max(rows, cols) B/cycle for inputs, at least 64; 4 B "
      "per PE for partial sums, at least 128), because SCALE-Sim assumes its SRAMs never stall the "
      "array; `dram.latency_ns` is 0. Keys that map to nothing are checked and otherwise not "
      "modelled. Unknown sections and keys are errors.\n\n"
      "| section | key | value | required | sets | notes |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& k : config_detail::cfg_keys()) {
    std::string value;
    switch (k.kind) {
      case config_detail::CfgKind::kInt:
        value = fmt::format("integer >= {}", k.min);
        break;
      case config_detail::CfgKind::kIntList:
        value = fmt::format("integers >= {}, comma-separated", k.min);
        break;
      case config_detail::CfgKind::kString:
        value = "text";
        break;
      case config_detail::CfgKind::kBool:
        value = "true/false";
        break;
      case config_detail::CfgKind::kChoice:
        value = fmt::format("{}", fmt::join(k.choices, ", "));
        break;
    }
    out += fmt::format("| {} | `{}` | {} | {} | {} | {} |\n", fmt::join(k.sections, ", "), k.name, value,
                       k.required ? "yes" : "no", k.maps_to.empty() ? "-" : "`" + k.maps_to + "`", k.doc);
  }
  return out;
}

}  // namespace systole
