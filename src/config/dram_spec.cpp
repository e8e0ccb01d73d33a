// DRAM device presets (arch/dram/<name>.yaml): enum spellings, preset lookup and the validating
// loader. Every problem in a preset is collected (file, line, key, value, rule) and thrown as one
// ConfigError.
#include "systole/config/dram_spec.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "dram_power_reader.h"
#include "enum_table.h"
#include "systole/common/error.h"
#include "systole/common/input_file.h"
#include "systole/config/data_files.h"
#include "systole/config/yaml_document.h"
#include "systole/config/yaml_text.h"

namespace systole {
namespace {

constexpr std::array<std::pair<DramPagePolicy, const char*>, 2> kPagePolicies{{
    {DramPagePolicy::kOpen, "open"},
    {DramPagePolicy::kClosed, "closed"},
}};
#define SYSTOLE_DRAM_SCHEDULER_ENTRY(name, enumerator) std::pair{DramScheduler::enumerator, #name},
constexpr std::array kSchedulers{SYSTOLE_DRAM_SCHEDULERS(SYSTOLE_DRAM_SCHEDULER_ENTRY)};
#undef SYSTOLE_DRAM_SCHEDULER_ENTRY
constexpr std::array<std::pair<DramAddressMapping, const char*>, 3> kMappings{{
    {DramAddressMapping::kRoBaRaCoCh, "RoBaRaCoCh"},
    {DramAddressMapping::kChRaBaRoCo, "ChRaBaRoCo"},
    {DramAddressMapping::kRoCoBaRaCh, "RoCoBaRaCh"},
}};

using config_detail::name_of;
using config_detail::names_of;
using config_detail::parse_from;

constexpr int64_t kMaxTimingNck = 1 << 14;
constexpr int64_t kMaxRefreshNck = 1 << 20;

bool is_power_of_two(int64_t v) {
  return v > 0 && (v & (v - 1)) == 0;
}

// Reads one preset file, collecting diagnostics.
class PresetReader {
 public:
  explicit PresetReader(std::string path) : m_path(std::move(path)) {}

  DramDeviceSpec read(const YAML::Node& root) {
    DramDeviceSpec spec;
    spec.path = m_path;
    spec.name = std::filesystem::path(m_path).stem().string();
    if (!root.IsMap()) {
      add(yaml_line(root), "", yaml_short_text(root),
          "a DRAM preset must be a map with keys standard, source, "
          "organization and timing (and optionally power)");
      return spec;
    }
    m_root_line = yaml_line(root);
    check_keys(root, "", {"standard", "source", "organization", "timing", "power"});
    read_string(root, "standard", &spec.standard);
    read_string(root, "source", &spec.source);

    const YAML::Node org = section(root, "organization");
    if (org) {
      check_keys(org, "organization.",
                 {"channels", "ranks", "bank_groups", "banks_per_group", "rows", "columns", "bus_width_bits",
                  "beats_per_clock"});
      DramOrganization& o = spec.org;
      // Upper bounds: well above every JEDEC part (HBM3: 32 pseudo-channels; DDR5: 8 bank groups
      // of 4 banks, 128 Ki rows, 1 Ki columns; LPDDR5: 4 beats per CK) and low enough that the
      // controller's per-bank state and every address computation stay small and in 64 bits.
      read_pow2(org, "organization.", "channels", 64, &o.channels);
      read_pow2(org, "organization.", "ranks", 8, &o.ranks);
      read_pow2(org, "organization.", "bank_groups", 16, &o.bank_groups);
      read_pow2(org, "organization.", "banks_per_group", 64, &o.banks_per_group);
      read_pow2(org, "organization.", "rows", 1 << 20, &o.rows);
      read_pow2(org, "organization.", "columns", 1 << 16, &o.columns);
      read_pow2(org, "organization.", "bus_width_bits", 1024, &o.bus_width_bits);
      read_pow2(org, "organization.", "beats_per_clock", 16, &o.beats_per_clock);
      if (ok("organization.bus_width_bits") && o.bus_width_bits < 8) {
        add(line("organization.bus_width_bits"), "organization.bus_width_bits",
            std::to_string(o.bus_width_bits), "must be at least 8 (whole bytes per beat)");
      }
    }

    const YAML::Node tim = section(root, "timing");
    if (tim) {
      check_keys(tim, "timing.",
                 {"tck_ps", "bl",    "cl",    "cwl",   "rcd", "rp",    "ras",   "rc",  "rtp", "wr",
                  "ccd_s",  "ccd_l", "rrd_s", "rrd_l", "faw", "wtr_s", "wtr_l", "rtw", "rfc", "refi"});
      DramTiming& t = spec.timing;
      read_tck(tim, &t.tck_ps);
      read_pow2(tim, "timing.", "bl", 64, &t.bl);
      const std::pair<const char*, int64_t*> at_least_one[] = {
          {"cl", &t.cl},       {"cwl", &t.cwl},     {"rcd", &t.rcd}, {"rp", &t.rp},       {"ras", &t.ras},
          {"rc", &t.rc},       {"rtp", &t.rtp},     {"wr", &t.wr},   {"ccd_s", &t.ccd_s}, {"ccd_l", &t.ccd_l},
          {"rrd_s", &t.rrd_s}, {"rrd_l", &t.rrd_l}, {"faw", &t.faw}, {"wtr_s", &t.wtr_s}, {"wtr_l", &t.wtr_l},
          {"rfc", &t.rfc},     {"refi", &t.refi}};
      // 2^14 nCK (5 us at DDR5's 0.3125 ns) is ten times the longest JEDEC timing besides the
      // refresh interval (tRFC of 32 Gb DDR5: 1,312 nCK); tREFI (DDR4: 12,480 nCK) may reach 2^20.
      // No timing can then stall a simulation for hours.
      for (const auto& [key, field] : at_least_one) {
        read_int(tim, "timing.", key, 1, std::string(key) == "refi" ? kMaxRefreshNck : kMaxTimingNck, field);
      }
      read_int(tim, "timing.", "rtw", 0, kMaxTimingNck, &t.rtw);
    }
    if (m_diags.empty()) cross_checks(spec);
    // Optional; checked against the device only when organization and timing are valid.
    if (const YAML::Node power = root["power"]) {
      spec.power = config_detail::read_dram_power(power, m_path, spec, m_diags.empty(), &m_diags);
    }
    return spec;
  }

  DiagnosticList& diagnostics() { return m_diags; }

 private:
  void add(int line, const std::string& key, const std::string& value, const std::string& rule) {
    m_diags.add({m_path, line, key, value, rule});
  }
  bool ok(const std::string& key) const { return m_read.count(key) > 0; }
  int line(const std::string& key) const {
    auto it = m_read.find(key);
    return it == m_read.end() ? 0 : it->second;
  }

  void check_keys(const YAML::Node& map, const std::string& prefix, const std::vector<std::string>& known) {
    for (Diagnostic& d : unknown_keys(map, m_path, prefix, known)) m_diags.add(d);
  }

  YAML::Node section(const YAML::Node& root, const std::string& key) {
    const YAML::Node n = root[key];
    if (!n) {
      add(m_root_line, key, "", "missing required section");
      return YAML::Node();
    }
    if (!n.IsMap()) {
      add(yaml_line(n), key, yaml_short_text(n), "must be a map (a section of keys)");
      return YAML::Node();
    }
    return n;
  }

  // The scalar at prefix+key, or a null node after recording a diagnostic.
  YAML::Node scalar(const YAML::Node& map, const std::string& prefix, const std::string& key) {
    const YAML::Node n = map[key];
    if (!n) {
      add(yaml_line(map), prefix + key, "", "missing required key");
      return YAML::Node();
    }
    if (!n.IsScalar()) {
      add(yaml_line(n), prefix + key, yaml_short_text(n), "must be a single value");
      return YAML::Node();
    }
    return n;
  }

  void read_string(const YAML::Node& map, const std::string& key, std::string* out) {
    const YAML::Node n = scalar(map, "", key);
    if (!n) return;
    if (n.Scalar().empty()) {
      add(yaml_line(n), key, "", "must not be empty");
      return;
    }
    *out = n.Scalar();
    m_read[key] = yaml_line(n);
  }

  void read_int(const YAML::Node& map, const std::string& prefix, const std::string& key, int64_t min,
                int64_t max, int64_t* out) {
    const YAML::Node n = scalar(map, prefix, key);
    if (!n) return;
    const std::string& text = n.Scalar();
    const std::string unit = prefix == "timing." ? " (nCK)" : "";
    const std::string rule =
        "must be an integer >= " + std::to_string(min) + " and <= " + std::to_string(max) + unit;
    size_t used = 0;
    int64_t v = 0;
    try {
      v = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    const bool digits_only = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits_only || used == 0 || used != text.size() || v < min || v > max) {
      add(yaml_line(n), prefix + key, text, rule);
      return;
    }
    *out = v;
    m_read[prefix + key] = yaml_line(n);
  }

  void read_pow2(const YAML::Node& map, const std::string& prefix, const std::string& key, int64_t max,
                 int64_t* out) {
    int64_t v = 0;
    read_int(map, prefix, key, 1, max, &v);
    if (!ok(prefix + key)) return;
    if (!is_power_of_two(v)) {
      m_read.erase(prefix + key);
      add(yaml_line(map[key]), prefix + key, map[key].Scalar(), "must be a power of two");
      return;
    }
    *out = v;
  }

  void read_tck(const YAML::Node& map, double* out) {
    const YAML::Node n = scalar(map, "timing.", "tck_ps");
    if (!n) return;
    const std::string& text = n.Scalar();
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    // 100 ps (10 GHz) to 100 ns (10 MHz): every DRAM command clock there is.
    if (used == 0 || used != text.size() || !std::isfinite(v) || v < 100 || v > 100000) {
      add(yaml_line(n), "timing.tck_ps", text,
          "must be a number >= 100 and <= 100000 (command clock period, ps)");
      return;
    }
    *out = v;
    m_read["timing.tck_ps"] = yaml_line(n);
  }

  // Relations between parameters; run only when every key was valid by itself.
  void cross_checks(const DramDeviceSpec& s) {
    const DramTiming& t = s.timing;
    const DramOrganization& o = s.org;
    auto fail = [&](const std::string& key, int64_t value, const std::string& rule) {
      add(line(key), key, std::to_string(value), rule);
    };
    if (t.bl % o.beats_per_clock != 0) {
      fail("timing.bl", t.bl,
           "must be a multiple of organization.beats_per_clock (" + std::to_string(o.beats_per_clock) +
               ") so that a burst holds the bus a whole number of clocks");
    }
    if (o.columns % t.bl != 0) {
      fail("organization.columns", o.columns,
           "must be a multiple of timing.bl (" + std::to_string(t.bl) + ") so that a row holds whole bursts");
    }
    if (t.rc < t.ras + t.rp) {
      fail("timing.rc", t.rc,
           "must be >= ras + rp = " + std::to_string(t.ras) + " + " + std::to_string(t.rp) + " = " +
               std::to_string(t.ras + t.rp));
    }
    if (t.bl % o.beats_per_clock == 0 && t.ccd_s < t.bl / o.beats_per_clock) {
      fail("timing.ccd_s", t.ccd_s,
           "must be >= the burst duration bl / beats_per_clock = " +
               std::to_string(t.bl / o.beats_per_clock) + " nCK");
    }
    if (t.ccd_l < t.ccd_s)
      fail("timing.ccd_l", t.ccd_l, "must be >= ccd_s (" + std::to_string(t.ccd_s) + ")");
    if (t.rrd_l < t.rrd_s)
      fail("timing.rrd_l", t.rrd_l, "must be >= rrd_s (" + std::to_string(t.rrd_s) + ")");
    if (t.wtr_l < t.wtr_s)
      fail("timing.wtr_l", t.wtr_l, "must be >= wtr_s (" + std::to_string(t.wtr_s) + ")");
    if (t.faw < t.rrd_s) fail("timing.faw", t.faw, "must be >= rrd_s (" + std::to_string(t.rrd_s) + ")");
    // Real devices refresh 3-10 % of the time (DDR4-3200: rfc 560 of refi 12,480 nCK); a device
    // that refreshes more than half the time, or every few clocks, is a typo that would make a
    // simulation crawl through refresh events.
    if (t.refi < 2 * t.rfc || t.refi < 100) {
      fail("timing.refi", t.refi,
           "must be >= 2 x rfc (" + std::to_string(2 * t.rfc) +
               ") and >= 100 nCK: refresh may take at "
               "most half of the device's time");
    }
    if (o.bank_groups == 1 && (t.ccd_l != t.ccd_s || t.rrd_l != t.rrd_s || t.wtr_l != t.wtr_s)) {
      add(line("organization.bank_groups"), "organization.bank_groups", "1",
          "with one bank group the _s and _l timings (ccd, rrd, wtr) must be equal");
    }
  }

  std::string m_path;
  int m_root_line = 1;
  DiagnosticList m_diags;
  std::map<std::string, int> m_read;  // key path -> line, for keys read successfully
};

}  // namespace

const char* to_string(DramPagePolicy p) {
  return name_of(kPagePolicies, p);
}
bool parse_dram_page_policy(const std::string& s, DramPagePolicy* out) {
  return parse_from(kPagePolicies, s, out);
}
std::vector<std::string> dram_page_policy_names() {
  return names_of(kPagePolicies);
}

const char* to_string(DramScheduler s) {
  return name_of(kSchedulers, s);
}
bool parse_dram_scheduler(const std::string& s, DramScheduler* out) {
  return parse_from(kSchedulers, s, out);
}
std::vector<std::string> dram_scheduler_names() {
  return names_of(kSchedulers);
}

const char* to_string(DramAddressMapping m) {
  return name_of(kMappings, m);
}
bool parse_dram_address_mapping(const std::string& s, DramAddressMapping* out) {
  return parse_from(kMappings, s, out);
}
std::vector<std::string> dram_address_mapping_names() {
  return names_of(kMappings);
}

std::vector<std::string> dram_preset_names() {
  return yaml_stems(arch_data_dir("dram"));
}

std::string dram_preset_path(const std::string& name, const std::string& arch_dir) {
  return find_arch_data_file("dram", "dram.preset", "DRAM preset", name, arch_dir);
}

DramDeviceSpec load_dram_preset(const std::string& path) {
  const YamlDocument doc = parse_yaml_document(
      read_input_file_as<ConfigError>(path, "DRAM preset", kMaxConfigBytes), path, kSmallYamlLimits);
  if (!doc.problems.empty()) throw ConfigError(doc.problems);
  PresetReader reader(path);
  DramDeviceSpec spec = reader.read(doc.root);
  if (!reader.diagnostics().empty()) throw ConfigError(reader.diagnostics().take());
  return spec;
}

}  // namespace systole
