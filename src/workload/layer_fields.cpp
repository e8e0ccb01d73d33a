#include "systole/workload/layer_fields.h"

#include "systole/config/yaml_text.h"
#include "yaml_reader.h"

namespace systole {

std::string LayerFields::text(const std::string& key) const {
  return m_node[key] ? workload_yaml::text_of(m_node[key]) : std::string();
}

void LayerFields::fail(const std::string& key, const std::string& value, const std::string& rule) {
  m_reader.fail(m_node[key], m_line, m_prefix + key, value, rule);
}

void LayerFields::missing(const std::string& key, const std::string& rule) {
  m_reader.fail(m_node, m_line, m_prefix + key, "", rule);
}

bool LayerFields::get_int(const std::string& key, int64_t* out) {
  return m_reader.get_int(m_node[key], m_prefix + key, out);
}
bool LayerFields::get_bool(const std::string& key, bool* out) {
  return m_reader.get_bool(m_node[key], m_prefix + key, out);
}
bool LayerFields::get_string(const std::string& key, std::string* out) {
  return m_reader.get_string(m_node[key], m_prefix + key, out);
}
bool LayerFields::get_number(const std::string& key, double* out) {
  return m_reader.get_number(m_node[key], m_prefix + key, out);
}
bool LayerFields::get_int_list(const std::string& key, std::vector<int64_t>* out) {
  return m_reader.get_int_list(m_node[key], m_prefix + key, out);
}
bool LayerFields::get_number_list(const std::string& key, std::vector<double>* out) {
  return m_reader.get_number_list(m_node[key], m_prefix + key, out);
}
bool LayerFields::get_pair(const std::string& key, int64_t* h, int64_t* w) {
  return m_reader.get_pair(m_node[key], m_prefix + key, h, w);
}
bool LayerFields::get_padding(const std::string& key, int64_t pads[4], bool* same) {
  return m_reader.get_padding(m_node[key], m_prefix + key, pads, same);
}

bool LayerFields::get_choice(const std::string& key, const std::vector<std::string>& names,
                             std::string* out) {
  std::string s;
  if (!get_string(key, &s)) return false;
  for (const std::string& n : names) {
    if (s == n) {
      *out = s;
      return true;
    }
  }
  fail(key, s, "must be one of: " + join_comma(names) + suggestion(s, names));
  return false;
}

std::string LayerFields::suggestion(const std::string& word, const std::vector<std::string>& known) {
  return workload_yaml::suggestion(word, known);
}

}  // namespace systole
