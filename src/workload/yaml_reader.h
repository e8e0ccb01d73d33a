// The value readers and diagnostics of the YAML workload reader (internal to src/workload):
// integers, booleans, strings, lists, kernel pairs, padding and .npy paths, each checked as
// docs/workload-format.md says and reported with the key path and the value as written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "systole/common/error.h"
#include "systole/config/yaml_document.h"
#include "systole/numeric/quantized.h"

namespace systole {
namespace workload_yaml {

// " (did you mean 'x'?)" for the closest of `known` within a third of the length, else "".
std::string suggestion(const std::string& word, const std::vector<std::string>& known);

int line_of(const YAML::Node& n);

// Bounded: aliases make a small document a large tree.
std::string text_of(const YAML::Node& n);

class Reader {
 public:
  Reader(std::string file, const YamlDocument& doc) : m_file(std::move(file)), m_doc(doc) {}

  // `value` is what was written at `key`; an alias there is shown as its anchor, never expanded.
  void fail(const YAML::Node& at, int fallback_line, const std::string& key, const std::string& value,
            const std::string& rule);
  DiagnosticList& diags() { return m_diags; }
  const std::string& file() const { return m_file; }

  // Rejects keys of `map` not in `allowed`, with a suggestion.
  void check_keys(const YAML::Node& map, const std::string& prefix, const std::vector<std::string>& allowed,
                  const std::string& owner);

  bool get_int(const YAML::Node& n, const std::string& key, int64_t* out);
  bool get_bool(const YAML::Node& n, const std::string& key, bool* out);
  bool get_string(const YAML::Node& n, const std::string& key, std::string* out);
  // A plain YAML number (integer or decimal; config/yaml_text.h plain_number).
  bool get_number(const YAML::Node& n, const std::string& key, double* out);
  // A .npy path, relative to the workload file's directory unless absolute; the file must exist.
  bool get_npy_path(const YAML::Node& n, const std::string& key, std::string* out);
  bool get_int_list(const YAML::Node& n, const std::string& key, std::vector<int64_t>* out);
  bool get_number_list(const YAML::Node& n, const std::string& key, std::vector<double>* out);
  // An int (both axes) or [h, w].
  bool get_pair(const YAML::Node& n, const std::string& key, int64_t* h, int64_t* w);
  // int, [ph, pw], [top, bottom, left, right], "same" or "valid".
  bool get_padding(const YAML::Node& n, const std::string& key, int64_t pads[4], bool* same);
  // A tensor's quantisation, {scale: > 0, zero_point: integer, default 0} (Layer::quant).
  bool get_quant(const YAML::Node& n, const std::string& key, std::optional<QuantParams>* out);

 private:
  std::string m_file;
  const YamlDocument& m_doc;
  DiagnosticList m_diags;
};

}  // namespace workload_yaml
}  // namespace systole
