// load_arch: reads a Systole YAML config (or a SCALE-Sim .cfg) against the schema, applies --set
// overrides, and checks across parameters. Every problem is collected, then thrown as one
// ConfigError.
#include "systole/config/loader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "core_overrides.h"
#include "resolve.h"
#include "systole/common/input_file.h"
#include "systole/config/scalesim_cfg.h"
#include "systole/config/yaml_document.h"
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

// "tag:yaml.org,2002:str" as written: "!!str".
std::string short_tag(const std::string& tag) {
  const std::string core = "tag:yaml.org,2002:";
  return tag.compare(0, core.size(), core) == 0 ? "!!" + tag.substr(core.size()) : tag;
}

class YamlWalker {
 public:
  YamlWalker(LoadState* st, const YamlDocument& doc) : m_st(st), m_doc(doc) {}

  void walk_root(const YAML::Node& root) {
    // Without a map there are no keys to speak of: one diagnostic, not one per required key.
    if (root.IsNull()) {
      add(1, "", "", "the config is empty; it must be a map with at least schema_version and name");
      m_st->check_required = false;
      return;
    }
    if (!root.IsMap()) {
      add(yaml_line(root), "", node_text("", root),
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
        add(yaml_line(k), section, node_text(section, k),
            "a key must be a plain name (got " + std::string(node_kind(k)) + ")");
        continue;
      }
      const std::string path = section.empty() ? k.Scalar() : section + "." + k.Scalar();
      if (auto [pos, fresh] = first_line.emplace(path, yaml_line(k)); !fresh) {
        add(yaml_line(k), path, node_text(path, v),
            "duplicate key (first written at line " + std::to_string(pos->second) + ")");
        continue;
      }
      std::string selector, rest;
      if (split_core_override_key(path, &selector, &rest)) {
        walk_core_override(path, selector, rest, k, v);
      } else if (const ParamDef* p = find_param(path)) {
        read_param(*p, v);
      } else if (is_schema_section(path)) {
        if (v.IsMap()) {
          walk_map(v, path);
        } else if (!v.IsNull()) {  // `core:` with every child commented out is an empty section
          add(yaml_line(v), path, node_text(path, v),
              std::string("must be a map (a section of keys) (got ") + node_kind(v) + ")");
        }
      } else if (path == "dram.device") {
        // arch_to_json writes the resolved device of kind cycle here (report.json); it is output.
        add(yaml_line(k), path, "...",
            "is the device systole resolved from dram.preset (written in report.json), not an input: "
            "remove it, and name the device with dram.preset (a preset name or a preset file)");
      } else {
        add(yaml_line(k), path, node_text(path, v), unknown_key_rule(path));
      }
    }
  }

  // cores.<selector>[.<rest>]: a section of core.* keys for some cores (core_overrides.h).
  void walk_core_override(const std::string& path, const std::string& selector, const std::string& rest,
                          const YAML::Node& k, const YAML::Node& v) {
    const std::string core_key = rest.empty() ? "core" : "core." + rest;
    if (const ParamDef* p = rest.empty() ? nullptr : find_param(core_key)) {
      read_param(*p, v, path, [this, selector, rest](const ParamValue& value, const ValueOrigin& origin) {
        record_core_override(m_st, selector, rest, value, origin);
      });
    } else if (core_key == "core" || is_schema_section(core_key)) {
      if (v.IsMap()) {
        walk_map(v, path);
      } else if (!v.IsNull()) {
        add(yaml_line(v), path, node_text(path, v),
            std::string("must be a map of core.* keys for these cores (got ") + node_kind(v) + ")");
      }
    } else {
      add(yaml_line(k), path, node_text(path, v),
          "unknown key: below cores." + selector + " go the keys of core.* (" + unknown_key_rule(core_key) +
              ")");
    }
  }

  void read_param(const ParamDef& p, const YAML::Node& v) {
    read_param(p, v, p.key, [this, &p](const ParamValue& value, const ValueOrigin& origin) {
      set_param(m_st, p, value, origin);
    });
  }

  // Reads the value of parameter p written at `key` (p.key, or a per-core override of it) and hands
  // it to `store` once it is checked.
  template <typename Store>
  void read_param(const ParamDef& p, const YAML::Node& v, const std::string& key, Store store) {
    // The same parameter written twice in one file, once nested and once as a dotted key
    // (`core: {array: {rows: 16}}` and `core.array.rows: 8`): neither may silently win.
    if (const auto it = m_st->explicit_keys.find(key);
        it != m_st->explicit_keys.end() && it->second.file == m_st->source) {
      add(yaml_line(v), key, node_text(key, v),
          "duplicate key (first written at line " + std::to_string(it->second.line) + ")");
      return;
    }
    m_st->explicit_keys[key] = {m_st->source, yaml_line(v)};  // written, even if wrong: not "missing"
    if (p.list && v.IsSequence()) {
      std::string joined;
      for (const YAML::Node& item : v) {
        if (!item.IsScalar()) {
          add(yaml_line(item), key, node_text(key, item),
              param_rule(p) + " (a list item is " + node_kind(item) + ", not a scalar)");
          return;
        }
        joined += (joined.empty() ? "" : ", ") + item.Scalar();
      }
      ParamValue value;
      std::string rule;
      if (!parse_param_value(p, joined, &value, &rule)) {
        add(yaml_line(v), key, joined, rule);
        return;
      }
      store(value, ValueOrigin{m_st->source, yaml_line(v)});
      return;
    }
    if (!v.IsScalar()) {
      add(yaml_line(v), key, node_text(key, v), param_rule(p) + " (got " + node_kind(v) + ")");
      return;
    }
    // A quoted "32" is a string in YAML; only string and enum parameters take quoted text. An
    // explicit tag (`!!str 32`, `!!float 1`) is never read as something else: it is refused.
    const bool quoted = v.Tag() == "!";
    const bool text_param = p.type == ParamType::kString || p.type == ParamType::kEnum;
    if (quoted && !text_param) {
      add(yaml_line(v), key, v.Scalar(), param_rule(p) + " (got a quoted string)");
      return;
    }
    if (!quoted && v.Tag() != "?" && !(text_param && v.Tag() == "tag:yaml.org,2002:str")) {
      add(yaml_line(v), key, v.Scalar(),
          param_rule(p) + " (got a value with the explicit tag '" + short_tag(v.Tag()) + "')");
      return;
    }
    ParamValue value;
    std::string rule;
    if (!parse_param_value(p, v.Scalar(), &value, &rule)) {
      add(yaml_line(v), key, v.Scalar(), rule);
      return;
    }
    store(value, ValueOrigin{m_st->source, yaml_line(v)});
  }

  // The value written at `path`, for a diagnostic: bounded, and an alias as its anchor.
  std::string node_text(const std::string& path, const YAML::Node& n) const { return m_doc.echo(path, n); }

  LoadState* m_st;
  const YamlDocument& m_doc;
};

}  // namespace

void read_yaml(const std::string& text, LoadState* st) {
  const YamlDocument doc = parse_yaml_document(text, st->source, kSmallYamlLimits);
  if (!doc.problems.empty()) {
    for (const Diagnostic& d : doc.problems) st->diagnostics.add(d);
    st->check_required = false;  // the keys could not be read, so none is known to be missing
    return;
  }
  YamlWalker(st, doc).walk_root(doc.root);
}

}  // namespace config_detail

namespace {

bool has_cfg_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".cfg";
}

}  // namespace

ArchSpec load_arch(const std::string& path, const std::vector<std::string>& overrides) {
  const std::string text = read_input_file_as<ConfigError>(path, "config file", kMaxConfigBytes);
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

ArchSpec load_arch_from_json(const nlohmann::json& config, const std::string& source_name,
                             const std::string& key_prefix) {
  config_detail::LoadState st = config_detail::initial_state(source_name);
  config_detail::read_yaml(config.dump(), &st);  // JSON is YAML
  try {
    return config_detail::finish(std::move(st));
  } catch (const ConfigError& e) {
    std::vector<Diagnostic> renamed = e.diagnostics();
    for (Diagnostic& d : renamed) {
      d.line = 0;  // a line of the re-serialised tree would point nowhere in the user's file
      if (!d.key.empty()) d.key = key_prefix + d.key;
    }
    throw ConfigError(std::move(renamed));
  }
}

}  // namespace systole
