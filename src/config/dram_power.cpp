// The `power:` section of a DRAM preset (config/dram_power.h): reading and validation. Problems
// are added to the preset's diagnostics as file:line: key = 'value': rule.
#include "dram_power_reader.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "systole/config/yaml_text.h"

namespace systole::config_detail {
namespace {

// Bounds: above every supply of a DDR/LPDDR/HBM device (DDR4 VPP 2.5 V, LPDDR VDD1 1.8 V) and
// every IDD of one device (DDR4 x16 IDD5B is about 1 A at the most), low enough that no derived
// energy can overflow.
constexpr double kMaxVolt = 5.0;
constexpr double kMaxMilliamp = 10000.0;
constexpr int kMaxRails = 4;

const std::vector<std::string>& current_keys() {
  static const std::vector<std::string> kKeys = {"idd0", "idd2n", "idd3n", "idd4r", "idd4w", "idd5b"};
  return kKeys;
}

class PowerReader {
 public:
  PowerReader(std::string path, DiagnosticList* diags) : m_path(std::move(path)), m_diags(diags) {}

  DramPowerSpec read(const YAML::Node& n, const DramDeviceSpec& device, bool device_ok) {
    DramPowerSpec p;
    if (!n.IsMap()) {
      add(yaml_line(n), "power", yaml_short_text(n),
          "must be a map with keys source, device_width_bits and rails");
      return p;
    }
    check_keys(n, "power.", {"source", "device_width_bits", "rails"});
    const size_t before = m_diags->items().size();
    if (const YAML::Node s = scalar(n, "power.", "source")) {
      if (s.Scalar().empty()) {
        add(yaml_line(s), "power.source", "", "must name the datasheet, part number and table");
      }
      p.source = s.Scalar();
    }
    double width = 0.0;
    int width_line = yaml_line(n);
    if (const YAML::Node w = sourced(n, "power.device_width_bits", "bit", &width, 1.0, 1024.0)) {
      width_line = yaml_line(w);
      const auto bits = static_cast<int64_t>(width);
      if (static_cast<double>(bits) != width || (bits & (bits - 1)) != 0) {
        add(width_line, "power.device_width_bits.value", fmt::format("{}", width),
            "must be a power of two (the DQ width of one device: 4, 8, 16, ...)");
      } else {
        p.device_width_bits = bits;
      }
    }
    read_rails(n, &p);
    if (m_diags->items().size() != before || !device_ok) return p;
    cross_checks(p, device, width_line);
    return p;
  }

 private:
  void add(int line, const std::string& key, const std::string& value, const std::string& rule) {
    m_diags->add({m_path, line, key, value, rule});
  }

  void check_keys(const YAML::Node& map, const std::string& prefix, const std::vector<std::string>& known) {
    for (Diagnostic& d : unknown_keys(map, m_path, prefix, known)) m_diags->add(d);
  }

  YAML::Node scalar(const YAML::Node& map, const std::string& prefix, const std::string& key) {
    const YAML::Node v = map[key];
    if (!v) {
      add(yaml_line(map), prefix + key, "", "missing required key");
      return YAML::Node();
    }
    if (!v.IsScalar()) {
      add(yaml_line(v), prefix + key, yaml_short_text(v), "must be a single value");
      return YAML::Node();
    }
    return v;
  }

  // parent[last part of key_path] as {value, unit, source}: value a number in [lo, hi] (lo
  // excluded when lo_open), unit exactly `unit`, source non-empty. Returns the map, or a null node
  // after recording what was wrong.
  YAML::Node sourced(const YAML::Node& parent, const std::string& key_path, const std::string& unit,
                     double* out, double lo, double hi, bool lo_open = false) {
    const std::string key = key_path.substr(key_path.rfind('.') + 1);
    const YAML::Node n = parent[key];
    if (!n) {
      add(yaml_line(parent), key_path, "", "missing required entry {value, unit, source}");
      return YAML::Node();
    }
    if (!n.IsMap()) {
      add(yaml_line(n), key_path, yaml_short_text(n), "must be a map {value, unit, source}");
      return YAML::Node();
    }
    check_keys(n, key_path + ".", {"value", "unit", "source"});
    bool ok = true;
    if (const YAML::Node v = scalar(n, key_path + ".", "value")) {
      const std::string& text = v.Scalar();
      double x = 0.0;
      if (!plain_number(v, &x) || !std::isfinite(x) || x < lo || x > hi || (lo_open && x == lo)) {
        add(yaml_line(v), key_path + ".value", text,
            fmt::format("must be a number {} {} and <= {} ({})", lo_open ? ">" : ">=", lo, hi, unit));
        ok = false;
      } else {
        *out = x;
      }
    } else {
      ok = false;
    }
    if (const YAML::Node u = scalar(n, key_path + ".", "unit")) {
      if (u.Scalar() != unit) {
        add(yaml_line(u), key_path + ".unit", u.Scalar(), "must be '" + unit + "'");
        ok = false;
      }
    } else {
      ok = false;
    }
    if (const YAML::Node s = scalar(n, key_path + ".", "source")) {
      if (s.Scalar().empty()) {
        add(yaml_line(s), key_path + ".source", "", "must name the datasheet table the value is from");
        ok = false;
      }
    } else {
      ok = false;
    }
    return ok ? n : YAML::Node();
  }

  void read_rails(const YAML::Node& n, DramPowerSpec* p) {
    const YAML::Node rails = n["rails"];
    if (!rails) {
      add(yaml_line(n), "power.rails", "", "missing required section (one map per supply rail)");
      return;
    }
    if (!rails.IsMap() || rails.size() == 0 || rails.size() > static_cast<size_t>(kMaxRails)) {
      add(yaml_line(rails), "power.rails", yaml_short_text(rails),
          fmt::format("must be a map of 1 to {} supply rails (e.g. vdd, vpp; vdd1, vdd2)", kMaxRails));
      return;
    }
    for (auto it = rails.begin(); it != rails.end(); ++it) {
      const std::string name = it->first.IsScalar() ? it->first.Scalar() : yaml_short_text(it->first);
      const std::string prefix = "power.rails." + name;
      const YAML::Node r = it->second;
      const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      });
      if (!name_ok) {
        add(yaml_line(it->first), prefix, yaml_short_text(r),
            "a rail name must be lower-case letters and digits (vdd, vpp, vdd1, vdd2)");
        continue;
      }
      if (!r.IsMap()) {
        add(yaml_line(r), prefix, yaml_short_text(r),
            "must be a map with voltage, idd0, idd2n, idd3n, idd4r, idd4w and idd5b");
        continue;
      }
      std::vector<std::string> known = {"voltage"};
      known.insert(known.end(), current_keys().begin(), current_keys().end());
      check_keys(r, prefix + ".", known);
      DramRail rail;
      rail.name = name;
      sourced(r, prefix + ".voltage", "V", &rail.voltage_v, 0.0, kMaxVolt, true);
      double* currents[] = {&rail.idd0_ma,  &rail.idd2n_ma, &rail.idd3n_ma,
                            &rail.idd4r_ma, &rail.idd4w_ma, &rail.idd5b_ma};
      for (size_t i = 0; i < current_keys().size(); ++i) {
        sourced(r, prefix + "." + current_keys()[i], "mA", currents[i], 0.0, kMaxMilliamp);
      }
      m_lines[name] = yaml_line(r);
      p->rails.push_back(rail);
    }
  }

  // Relations with the device: a rank holds whole devices, and no derived energy is negative
  // (IDD0 over tRC covers the standby current it replaces; the burst and refresh currents are at
  // least the active standby current they are measured on top of).
  void cross_checks(const DramPowerSpec& p, const DramDeviceSpec& d, int width_line) {
    const int64_t bus = d.org.bus_width_bits;
    if (p.device_width_bits > bus || bus % p.device_width_bits != 0) {
      add(width_line, "power.device_width_bits.value", std::to_string(p.device_width_bits),
          fmt::format("must divide organization.bus_width_bits ({}): a rank is whole devices", bus));
    }
    const DramTiming& t = d.timing;
    for (const DramRail& r : p.rails) {
      const std::string prefix = "power.rails." + r.name;
      const int line = m_lines[r.name];
      const std::pair<const char*, double> above_idd3n[] = {
          {"idd4r", r.idd4r_ma}, {"idd4w", r.idd4w_ma}, {"idd5b", r.idd5b_ma}};
      for (const auto& [key, ma] : above_idd3n) {
        if (ma < r.idd3n_ma) {
          add(line, prefix + "." + key + ".value", fmt::format("{}", ma),
              fmt::format("must be >= idd3n ({} mA): the energy above active standby would be negative",
                          r.idd3n_ma));
        }
      }
      // IDD0 * tRC >= IDD3N * tRAS + IDD2N * (tRC - tRAS), in mA x nCK.
      const double act = r.idd0_ma * static_cast<double>(t.rc);
      const double standby =
          r.idd3n_ma * static_cast<double>(t.ras) + r.idd2n_ma * static_cast<double>(t.rc - t.ras);
      if (act < standby) {
        add(line, prefix + ".idd0.value", fmt::format("{}", r.idd0_ma),
            fmt::format("must satisfy idd0 x rc >= idd3n x ras + idd2n x (rc - ras) = {} mA x nCK "
                        "(else ACT+PRE energy is negative)",
                        standby));
      }
    }
  }

  std::string m_path;
  DiagnosticList* m_diags;
  std::map<std::string, int> m_lines;  // rail name -> line
};

}  // namespace

DramPowerSpec read_dram_power(const YAML::Node& power, const std::string& path, const DramDeviceSpec& device,
                              bool device_ok, DiagnosticList* diags) {
  return PowerReader(path, diags).read(power, device, device_ok);
}

}  // namespace systole::config_detail
