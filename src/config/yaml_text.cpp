#include "systole/config/yaml_text.h"

#include <algorithm>

namespace systole {

int yaml_line(const YAML::Node& n) {
  return n.Mark().is_null() ? 0 : n.Mark().line + 1;
}

std::string yaml_short_text(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a map";
  return "";
}

std::string join_comma(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::vector<Diagnostic> unknown_keys(const YAML::Node& map, const std::string& file,
                                     const std::string& prefix, const std::vector<std::string>& known) {
  std::vector<Diagnostic> out;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string name = it->first.IsScalar() ? it->first.Scalar() : yaml_short_text(it->first);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      out.push_back({file, yaml_line(it->first), prefix + name, yaml_short_text(it->second),
                     "unknown key (expected one of: " + join_comma(known) + ")"});
    }
  }
  return out;
}

bool plain_number(const YAML::Node& n, double* out) {
  return n.IsScalar() && n.Tag() == "?" && YAML::convert<double>::decode(n, *out);
}

}  // namespace systole
