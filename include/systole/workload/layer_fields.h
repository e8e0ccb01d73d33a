// The YAML keys of one layer, as an operator's parse() reads them (workload/operator.h). Every
// reader checks the value as docs/workload-format.md says and, when it is wrong, records a
// diagnostic with the file, the line, the key path ("layers[3].kernel"), the value as written and
// the rule, then returns false; the loader reports all of them together. `key` is the layer's own
// key ("kernel"); the path prefix is added here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "systole/workload/network.h"

namespace systole {

namespace workload_yaml {
class Reader;
}

class LayerFields {
 public:
  // `node`: the layer's map; `prefix`: "layers[3]."; `type`: the spelling used.
  LayerFields(workload_yaml::Reader& reader, const YAML::Node& node, std::string prefix, int line,
              std::string type, const Layer& layer)
      : m_reader(reader),
        m_node(node),
        m_prefix(std::move(prefix)),
        m_line(line),
        m_type(std::move(type)),
        m_layer(layer) {}

  const std::string& type() const { return m_type; }  // the `type` spelling, e.g. "gemm"
  const Layer& layer() const { return m_layer; }      // name and inputs, as read so far
  bool has(const std::string& key) const { return static_cast<bool>(m_node[key]); }
  // The value of `key` as written, for a diagnostic ("" when absent).
  std::string text(const std::string& key) const;

  // A diagnostic at the key's line (the layer's when the key is absent).
  void fail(const std::string& key, const std::string& value, const std::string& rule);
  // A required key is missing: a diagnostic at the layer's line with an empty value.
  void missing(const std::string& key, const std::string& rule);

  bool get_int(const std::string& key, int64_t* out);
  bool get_bool(const std::string& key, bool* out);
  bool get_string(const std::string& key, std::string* out);
  bool get_number(const std::string& key, double* out);  // a plain decimal number
  bool get_int_list(const std::string& key, std::vector<int64_t>* out);
  bool get_number_list(const std::string& key, std::vector<double>* out);
  bool get_pair(const std::string& key, int64_t* h, int64_t* w);  // an int (both) or [h, w]
  // int, [ph, pw], [top, bottom, left, right], "same" or "valid" into pads = {top, bottom, left,
  // right}; *same is true for "same".
  bool get_padding(const std::string& key, int64_t pads[4], bool* same);
  // One of `names`: a diagnostic listing them (with the closest as a suggestion) otherwise.
  bool get_choice(const std::string& key, const std::vector<std::string>& names, std::string* out);

  // " (did you mean 'x'?)" for the closest of `known`, or "".
  static std::string suggestion(const std::string& word, const std::vector<std::string>& known);

 private:
  workload_yaml::Reader& m_reader;
  const YAML::Node& m_node;
  std::string m_prefix;
  int m_line;
  std::string m_type;
  const Layer& m_layer;
};

}  // namespace systole
