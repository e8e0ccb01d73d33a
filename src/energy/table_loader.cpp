// Validating loader of arch/energy/<node>.yaml. Every problem is collected with file, line, key,
// value and rule, then thrown as one ConfigError; nothing is defaulted or corrected.
#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "systole/common/error.h"
#include "systole/common/input_file.h"
#include "systole/config/data_files.h"
#include "systole/config/yaml_document.h"
#include "systole/config/yaml_text.h"
#include "systole/energy/energy_table.h"

namespace systole::energy {
namespace {

// 1 uJ: a thousand times a 64-byte DRAM access, far above any per-action energy there is.
constexpr double kMaxEnergyPj = 1e6;

constexpr int kSchemaVersion = 1;

class TableReader {
 public:
  explicit TableReader(std::string path) : m_path(std::move(path)) {}

  EnergyTable read(const YAML::Node& root) {
    EnergyTable t;
    t.path = m_path;
    if (!root.IsMap()) {
      add(yaml_line(root), "", yaml_short_text(root), "an energy table must be a map");
      return t;
    }
    m_root_line = yaml_line(root);
    check_keys(root, "",
               {"schema_version", "node", "clock_tree_share", "register_shift", "mac", "vector_op", "sram",
                "dram", "noc"});
    read_schema_version(root);
    if (const YAML::Node n = scalar(root, "", "node")) {
      if (n.Scalar().empty()) add(yaml_line(n), "node", "", "must not be empty");
      t.node = n.Scalar();
    }
    t.clock_tree_share = entry(root, "clock_tree_share", "clock_tree_share", "fraction");
    if (t.clock_tree_share.line > 0 && t.clock_tree_share.value >= 1.0) {
      add(t.clock_tree_share.line, "clock_tree_share.value", std::to_string(t.clock_tree_share.value),
          "must be < 1 (a share of the total dynamic energy)");
    }
    t.register_shift_pj_per_byte = entry(root, "register_shift", "register_shift", "pJ/byte");
    read_macs(root, &t);
    read_vector_ops(root, &t);
    read_sram(root, &t);
    read_dram(root, &t);
    read_noc(root, &t);
    return t;
  }

  DiagnosticList& diagnostics() { return m_diags; }

 private:
  void add(int line, const std::string& key, const std::string& value, const std::string& rule) {
    m_diags.add({m_path, line, key, value, rule});
  }

  void check_keys(const YAML::Node& map, const std::string& prefix, const std::vector<std::string>& known) {
    for (Diagnostic& d : unknown_keys(map, m_path, prefix, known)) m_diags.add(d);
  }

  // The scalar at map[key], or a null node after a diagnostic (missing, or not a single value).
  YAML::Node scalar(const YAML::Node& map, const std::string& prefix, const std::string& key) {
    const YAML::Node n = map[key];
    if (!n) {
      add(map.IsMap() && map.size() > 0 ? yaml_line(map) : m_root_line, prefix + key, "",
          "missing required key");
      return YAML::Node();
    }
    if (!n.IsScalar()) {
      add(yaml_line(n), prefix + key, yaml_short_text(n), "must be a single value");
      return YAML::Node();
    }
    return n;
  }

  YAML::Node section(const YAML::Node& map, const std::string& key, bool want_list) {
    const YAML::Node n = map[key];
    if (!n) {
      add(m_root_line, key, "", want_list ? "missing required list" : "missing required section");
      return YAML::Node();
    }
    if (want_list ? !n.IsSequence() || n.size() == 0 : !n.IsMap()) {
      add(yaml_line(n), key, yaml_short_text(n), want_list ? "must be a non-empty list" : "must be a map");
      return YAML::Node();
    }
    return n;
  }

  void read_schema_version(const YAML::Node& root) {
    const YAML::Node n = scalar(root, "", "schema_version");
    if (!n) return;
    int v = 0;
    if (!YAML::convert<int>::decode(n, v) || v != kSchemaVersion) {
      add(yaml_line(n), "schema_version", n.Scalar(), "must be " + std::to_string(kSchemaVersion));
    }
  }

  // A number in [0, max] at map[key]; false after a diagnostic. Every energy is bounded (kMaxEnergyPj)
  // so that count x energy stays finite for any count a run can reach (< 2^63): reports never
  // carry inf or NaN.
  bool number(const YAML::Node& map, const std::string& key_path, const std::string& key, double* out,
              double max = kMaxEnergyPj) {
    const YAML::Node n = map[key];
    if (!n) {
      add(yaml_line(map), key_path, "", "missing required key");
      return false;
    }
    double v = 0.0;
    if (!plain_number(n, &v) || !std::isfinite(v) || v < 0.0 || v > max) {
      add(yaml_line(n), key_path, yaml_short_text(n), fmt::format("must be a number >= 0 and <= {}", max));
      return false;
    }
    *out = v;
    return true;
  }

  // Reads the {value, unit, source} fields of `map` (which may carry other, already checked keys).
  Sourced fields(const YAML::Node& map, const std::string& key_path, const std::string& unit) {
    Sourced s;
    bool ok = number(map, key_path + ".value", "value", &s.value, unit == "fraction" ? 1.0 : kMaxEnergyPj);
    if (const YAML::Node u = scalar(map, key_path + ".", "unit")) {
      if (u.Scalar() != unit) {
        add(yaml_line(u), key_path + ".unit", u.Scalar(), "must be '" + unit + "'");
        ok = false;
      }
    } else {
      ok = false;
    }
    if (const YAML::Node src = scalar(map, key_path + ".", "source")) {
      if (src.Scalar().find_first_not_of(" \t") == std::string::npos) {
        add(yaml_line(src), key_path + ".source", src.Scalar(), "must name the paper and table or figure");
        ok = false;
      }
      s.source = src.Scalar();
    } else {
      ok = false;
    }
    s.line = ok ? yaml_line(map) : 0;
    return s;
  }

  // A map at parent[key] holding exactly value, unit and source.
  Sourced entry(const YAML::Node& parent, const std::string& key, const std::string& key_path,
                const std::string& unit) {
    const YAML::Node n = parent[key];
    if (!n) {
      add(yaml_line(parent), key_path, "", "missing required entry {value, unit, source}");
      return Sourced();
    }
    if (!n.IsMap()) {
      add(yaml_line(n), key_path, yaml_short_text(n), "must be a map {value, unit, source}");
      return Sourced();
    }
    check_keys(n, key_path + ".", {"value", "unit", "source"});
    return fields(n, key_path, unit);
  }

  bool data_type(const YAML::Node& map, const std::string& prefix, const std::string& key, DataType* out) {
    const YAML::Node n = scalar(map, prefix, key);
    if (!n) return false;
    if (!parse_data_type(n.Scalar(), out)) {
      add(yaml_line(n), prefix + key, n.Scalar(),
          "unknown data type (expected one of: " + join_comma(data_type_names()) + ")");
      return false;
    }
    return true;
  }

  void read_macs(const YAML::Node& root, EnergyTable* t) {
    const YAML::Node list = section(root, "mac", true);
    if (!list) return;
    std::set<std::pair<DataType, DataType>> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node e = list[i];
      const std::string p = "mac[" + std::to_string(i) + "]";
      if (!e.IsMap()) {
        add(yaml_line(e), p, yaml_short_text(e),
            "must be a map {input, weight, accumulate, value, unit, source}");
        continue;
      }
      check_keys(e, p + ".", {"input", "weight", "accumulate", "value", "unit", "source"});
      MacEntry m;
      const bool types = data_type(e, p + ".", "input", &m.input) &
                         data_type(e, p + ".", "weight", &m.weight) &
                         data_type(e, p + ".", "accumulate", &m.accumulate);
      m.pj = fields(e, p, "pJ");
      if (types && !seen.insert({m.input, m.weight}).second) {
        add(yaml_line(e), p, std::string(to_string(m.input)) + " x " + to_string(m.weight),
            "duplicate entry for this (input, weight) pair");
      }
      t->macs.push_back(m);
    }
  }

  void read_vector_ops(const YAML::Node& root, EnergyTable* t) {
    const YAML::Node list = section(root, "vector_op", true);
    if (!list) return;
    std::set<std::pair<VectorOp, DataType>> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node e = list[i];
      const std::string p = "vector_op[" + std::to_string(i) + "]";
      if (!e.IsMap()) {
        add(yaml_line(e), p, yaml_short_text(e), "must be a map {op, type, value, unit, source}");
        continue;
      }
      check_keys(e, p + ".", {"op", "type", "value", "unit", "source"});
      VectorOpEntry v;
      bool ok = data_type(e, p + ".", "type", &v.type);
      if (const YAML::Node op = scalar(e, p + ".", "op")) {
        if (!parse_vector_op(op.Scalar(), &v.op)) {
          add(yaml_line(op), p + ".op", op.Scalar(),
              "unknown operation (expected one of: " + join_comma(vector_op_names()) + ")");
          ok = false;
        }
      } else {
        ok = false;
      }
      v.pj = fields(e, p, "pJ");
      if (ok && !seen.insert({v.op, v.type}).second) {
        add(yaml_line(e), p, std::string(to_string(v.op)) + " " + to_string(v.type), "duplicate entry");
      }
      t->vector_ops.push_back(v);
    }
  }

  void read_sram(const YAML::Node& root, EnergyTable* t) {
    const YAML::Node s = section(root, "sram", false);
    if (!s) return;
    check_keys(s, "sram.", {"word_bits", "points"});
    if (const YAML::Node w = scalar(s, "sram.", "word_bits")) {
      int64_t bits = 0;
      if (!YAML::convert<int64_t>::decode(w, bits) || bits < 8 || bits % 8 != 0) {
        add(yaml_line(w), "sram.word_bits", w.Scalar(),
            "must be a whole number of bytes in bits (8, 16, ...)");
      } else {
        t->sram.word_bits = bits;
      }
    }
    const YAML::Node pts = s["points"];
    if (!pts || !pts.IsSequence() || pts.size() == 0) {
      add(pts ? yaml_line(pts) : yaml_line(s), "sram.points", pts ? yaml_short_text(pts) : "",
          "must be a non-empty list of {capacity_kib, read, write}");
      return;
    }
    for (size_t i = 0; i < pts.size(); ++i) {
      const YAML::Node e = pts[i];
      const std::string p = "sram.points[" + std::to_string(i) + "]";
      if (!e.IsMap()) {
        add(yaml_line(e), p, yaml_short_text(e), "must be a map {capacity_kib, read, write}");
        continue;
      }
      check_keys(e, p + ".", {"capacity_kib", "read", "write"});
      SramPoint pt;
      if (number(e, p + ".capacity_kib", "capacity_kib", &pt.capacity_kib, 1 << 30)) {
        if (pt.capacity_kib <= 0.0) {
          add(yaml_line(e["capacity_kib"]), p + ".capacity_kib", e["capacity_kib"].Scalar(), "must be > 0");
        } else if (!t->sram.points.empty() && pt.capacity_kib <= t->sram.points.back().capacity_kib) {
          add(yaml_line(e["capacity_kib"]), p + ".capacity_kib", e["capacity_kib"].Scalar(),
              "capacities must be strictly increasing");
        }
      }
      pt.read_pj = entry(e, "read", p + ".read", "pJ");
      pt.write_pj = entry(e, "write", p + ".write", "pJ");
      t->sram.points.push_back(pt);
    }
  }

  void read_dram(const YAML::Node& root, EnergyTable* t) {
    const YAML::Node list = section(root, "dram", true);
    if (!list) return;
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node e = list[i];
      const std::string p = "dram[" + std::to_string(i) + "]";
      if (!e.IsMap()) {
        add(yaml_line(e), p, yaml_short_text(e), "must be a map {standard, value, unit, source}");
        continue;
      }
      check_keys(e, p + ".", {"standard", "value", "unit", "source"});
      DramEntry d;
      if (const YAML::Node st = scalar(e, p + ".", "standard")) {
        d.standard = st.Scalar();
        if (!seen.insert(d.standard).second)
          add(yaml_line(st), p + ".standard", d.standard, "duplicate standard");
      }
      d.pj_per_bit = fields(e, p, "pJ/bit");
      t->dram.push_back(d);
    }
  }

  // The optional noc section: {link: pJ/bit/mm, router: pJ/bit}, both required when it is there.
  void read_noc(const YAML::Node& root, EnergyTable* t) {
    if (!root["noc"]) return;
    const YAML::Node s = section(root, "noc", false);
    if (!s) return;
    check_keys(s, "noc.", {"link", "router"});
    t->has_noc = true;
    t->noc.link_pj_per_bit_mm = entry(s, "link", "noc.link", "pJ/bit/mm");
    t->noc.router_pj_per_bit = entry(s, "router", "noc.router", "pJ/bit");
  }

  std::string m_path;
  int m_root_line = 1;
  DiagnosticList m_diags;
};

}  // namespace

EnergyTable load_energy_table(const std::string& path) {
  const YamlDocument doc = parse_yaml_document(
      read_input_file_as<ConfigError>(path, "energy table", kMaxConfigBytes), path, kSmallYamlLimits);
  if (!doc.problems.empty()) throw ConfigError(doc.problems);
  TableReader reader(path);
  EnergyTable table = reader.read(doc.root);
  if (!reader.diagnostics().empty()) throw ConfigError(reader.diagnostics().take());
  return table;
}

std::string energy_table_path(const std::string& name, const std::string& arch_dir) {
  return find_arch_data_file("energy", "energy.table", "energy table", name, arch_dir);
}

}  // namespace systole::energy
