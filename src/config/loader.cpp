// load_arch: reads a Systole YAML config (or a SCALE-Sim .cfg) against the schema, applies --set
// overrides, and checks across parameters. Every problem is collected, then thrown as one
// ConfigError.
#include "systole/config/loader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "resolve.h"
#include "systole/config/scalesim_cfg.h"
#include "systole/config/yaml_text.h"

namespace systole {
namespace config_detail {
namespace {

const char* node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Undefined:
      break;
  }
  return "an undefined node";
}

// One-line flow-style text of a node for the diagnostic's value column: `{value: 32}`, `[1, 2]`.
std::string node_text(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  std::string out;
  if (n.IsSequence()) {
    for (const auto& item : n) out += (out.empty() ? "" : ", ") + node_text(item);
    return "[" + out + "]";
  }
  if (n.IsMap()) {
    for (const auto& kv : n)
      out += (out.empty() ? "" : ", ") + node_text(kv.first) + ": " + node_text(kv.second);
    return "{" + out + "}";
  }
  return "";
}

class YamlWalker {
 public:
  explicit YamlWalker(LoadState* st) : m_st(st) {}

  void walk_root(const YAML::Node& root) {
    // Without a map there are no keys to speak of: one diagnostic, not one per required key.
    if (root.IsNull()) {
      add(1, "", "", "the config is empty; it must be a map with at least schema_version and name");
      m_st->check_required = false;
      return;
    }
    if (!root.IsMap()) {
      add(yaml_line(root), "", node_text(root),
          std::string("the config must be a map of keys (got ") + node_kind(root) + ")");
      m_st->check_required = false;
      return;
    }
    walk_map(root, "");
  }

 private:
  void add(int line, const std::string& key, const std::string& value, const std::string& rule) {
    m_st->diagnostics.add({m_st->source, line, key, value, rule});
  }

  void walk_map(const YAML::Node& map, const std::string& section) {
    std::map<std::string, int> first_line;  // duplicate keys: yaml-cpp keeps both
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node k = it->first;  // copies: it-> yields a temporary proxy
      const YAML::Node v = it->second;
      if (!k.IsScalar()) {
        add(yaml_line(k), section, node_text(k),
            "a key must be a plain name (got " + std::string(node_kind(k)) + ")");
        continue;
      }
      const std::string path = section.empty() ? k.Scalar() : section + "." + k.Scalar();
      if (auto [pos, fresh] = first_line.emplace(path, yaml_line(k)); !fresh) {
        add(yaml_line(k), path, node_text(v),
            "duplicate key (first written at line " + std::to_string(pos->second) + ")");
        continue;
      }
      if (const ParamDef* p = find_param(path)) {
        read_param(*p, v);
      } else if (is_schema_section(path)) {
        if (v.IsMap()) {
          walk_map(v, path);
        } else if (!v.IsNull()) {  // `core:` with every child commented out is an empty section
          add(yaml_line(v), path, node_text(v),
              std::string("must be a map (a section of keys) (got ") + node_kind(v) + ")");
        }
      } else if (path == "dram.device") {
        // arch_to_json writes the resolved device of kind cycle here (report.json); it is output.
        add(yaml_line(k), path, "...",
            "is the device systole resolved from dram.preset (written in report.json), not an input: "
            "remove it, and name the device with dram.preset (a preset name or a preset file)");
      } else {
        std::string rule = "unknown key";
        const std::string hint = suggest_schema_key(path);
        if (!hint.empty()) rule += "; did you mean '" + hint + "'?";
        add(yaml_line(k), path, node_text(v), rule);
      }
    }
  }

  void read_param(const ParamDef& p, const YAML::Node& v) {
    m_st->explicit_keys[p.key] = {m_st->source, yaml_line(v)};  // written, even if wrong: not "missing"
    if (!v.IsScalar()) {
      add(yaml_line(v), p.key, node_text(v), param_rule(p) + " (got " + node_kind(v) + ")");
      return;
    }
    // A quoted "32" is a string in YAML; only string and enum parameters take quoted text.
    const bool quoted = v.Tag() == "!";
    if (quoted && p.type != ParamType::kString && p.type != ParamType::kEnum) {
      add(yaml_line(v), p.key, v.Scalar(), param_rule(p) + " (got a quoted string)");
      return;
    }
    ParamValue value;
    std::string rule;
    if (!parse_param_value(p, v.Scalar(), &value, &rule)) {
      add(yaml_line(v), p.key, v.Scalar(), rule);
      return;
    }
    set_param(m_st, p, value, {m_st->source, yaml_line(v)});
  }

  LoadState* m_st;
};

}  // namespace

void read_yaml(const std::string& text, LoadState* st) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    st->diagnostics.add({st->source, line, "", "", "malformed YAML: " + e.msg});
    st->check_required = false;  // the keys could not be read, so none is known to be missing
    return;
  }
  YamlWalker(st).walk_root(root);
}

}  // namespace config_detail

namespace {

bool has_cfg_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".cfg";
}

std::string read_file_or_throw(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(Diagnostic{path, 0, "", "", "is a directory, not a config file"});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(Diagnostic{path, 0, "", "", "cannot open the config file (does it exist?)"});
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ArchSpec load_arch(const std::string& path, const std::vector<std::string>& overrides) {
  const std::string text = read_file_or_throw(path);
  if (has_cfg_extension(path)) return load_scalesim_cfg_from_string(text, path, overrides);
  return load_arch_from_string(text, path, overrides);
}

ArchSpec load_arch_from_string(const std::string& yaml_text, const std::string& source_name,
                               const std::vector<std::string>& overrides) {
  config_detail::LoadState st = config_detail::initial_state(source_name);
  config_detail::read_yaml(yaml_text, &st);
  config_detail::apply_overrides(overrides, &st);
  return config_detail::finish(std::move(st));
}

}  // namespace systole
