#include "yaml_reader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "systole/common/text.h"
#include "systole/config/yaml_text.h"

namespace systole {
namespace workload_yaml {
namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string suggestion(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  size_t best_d = word.size() / 3 + 2;
  for (const std::string& k : known) {
    size_t d = edit_distance(word, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

int line_of(const YAML::Node& n) {
  return n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
}

std::string text_of(const YAML::Node& n) {
  return yaml_value_text(n);
}

void Reader::fail(const YAML::Node& at, int fallback_line, const std::string& key, const std::string& value,
                  const std::string& rule) {
  int line = at.IsDefined() ? line_of(at) : 0;
  const auto alias = m_doc.aliases.find(key);
  m_diags.add({m_file, line > 0 ? line : fallback_line, key,
               alias == m_doc.aliases.end() ? value : alias->second, rule});
}

void Reader::check_keys(const YAML::Node& map, const std::string& prefix,
                        const std::vector<std::string>& allowed, const std::string& owner) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string k = it->first.IsScalar() ? it->first.Scalar() : text_of(it->first);
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    fail(it->first, 0, prefix + k, text_of(it->second),
         fmt::format("unknown key for {}{}; accepted: {}", owner, suggestion(k, allowed),
                     join_comma(allowed)));
  }
}

bool Reader::get_int(const YAML::Node& n, const std::string& key, int64_t* out) {
  if (!n.IsScalar()) {
    fail(n, 0, key, text_of(n), "must be an integer");
    return false;
  }
  const std::string& s = n.Scalar();
  size_t start = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  bool digits = s.size() > start && std::all_of(s.begin() + static_cast<long>(start), s.end(),
                                                [](char ch) { return ch >= '0' && ch <= '9'; });
  if (n.Tag() != "?") {  // quoted ("32") or explicitly tagged (!!str 32): text, not a number
    fail(n, 0, key, s, "must be an integer (got a quoted or tagged value)");
    return false;
  }
  if (digits && s.size() > start + 1 && s[start] == '0') {
    fail(n, 0, key, s, "must be an integer without a leading zero (YAML 1.1 reads 040 as octal)");
    return false;
  }
  errno = 0;
  long long v = digits ? std::strtoll(s.c_str(), nullptr, 10) : 0;
  if (!digits || errno == ERANGE) {
    fail(n, 0, key, s, errno == ERANGE ? "must be an integer that fits in 64 bits" : "must be an integer");
    return false;
  }
  *out = v;
  return true;
}

bool Reader::get_bool(const YAML::Node& n, const std::string& key, bool* out) {
  if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) {
    *out = n.Scalar() == "true";
    return true;
  }
  fail(n, 0, key, text_of(n), "must be true or false");
  return false;
}

bool Reader::get_string(const YAML::Node& n, const std::string& key, std::string* out) {
  if (n.IsScalar() && !n.Scalar().empty()) {
    // Names reach report.json, layers.csv, file names and terminals: one line, no controls.
    const std::string& s = n.Scalar();
    if (s.size() > 4096) {
      fail(n, 0, key, s, "must be a string of at most 4096 bytes");
      return false;
    }
    if (s.find_first_of("\n\r\t") != std::string::npos || first_control_char(s) != std::string::npos) {
      fail(n, 0, key, s, "must be a one-line string without control characters (TAB, newline, ...)");
      return false;
    }
    *out = s;
    return true;
  }
  fail(n, 0, key, text_of(n), "must be a non-empty string");
  return false;
}

bool Reader::get_number(const YAML::Node& n, const std::string& key, double* out) {
  double v = 0.0;
  if (!plain_number(n, &v) || !std::isfinite(v)) {
    fail(n, 0, key, text_of(n), "must be a plain decimal number, e.g. 2 or 0.5");
    return false;
  }
  *out = v;
  return true;
}

bool Reader::get_quant(const YAML::Node& n, const std::string& key, std::optional<QuantParams>* out) {
  if (!n.IsMap()) {
    fail(n, 0, key, text_of(n), "must be a map {scale, zero_point}, e.g. {scale: 0.05, zero_point: 0}");
    return false;
  }
  check_keys(n, key + ".", {"scale", "zero_point"}, "a quantisation");
  QuantParams q;
  double scale = 0.0;
  if (!n["scale"]) {
    fail(n, 0, key + ".scale", "", "required: the real value of one integer step, a number > 0");
    return false;
  }
  if (!get_number(n["scale"], key + ".scale", &scale)) return false;
  q.scale = static_cast<float>(scale);
  if (!(scale > 0.0) || !(q.scale > 0.0f) || !std::isfinite(q.scale)) {
    fail(n["scale"], 0, key + ".scale", text_of(n["scale"]),
         "must be a number > 0 that fp32 holds (about 1.2e-38 to 3.4e38)");
    return false;
  }
  if (n["zero_point"]) {
    if (!get_int(n["zero_point"], key + ".zero_point", &q.zero_point)) return false;
    if (q.zero_point < INT32_MIN || q.zero_point > INT32_MAX) {
      fail(n["zero_point"], 0, key + ".zero_point", text_of(n["zero_point"]), "must be a 32-bit integer");
      return false;
    }
  }
  *out = q;
  return true;
}

bool Reader::get_npy_path(const YAML::Node& n, const std::string& key, std::string* out) {
  std::string text;
  if (!get_string(n, key, &text)) return false;
  std::filesystem::path path(text);
  if (path.is_relative()) path = std::filesystem::path(m_file).parent_path() / path;
  if (path.extension() != ".npy") {
    fail(n, 0, key, text, "must name a NumPy .npy file");
    return false;
  }
  if (!std::filesystem::is_regular_file(path)) {
    fail(n, 0, key, text, fmt::format("no such file: {}", path.string()));
    return false;
  }
  *out = path.string();
  return true;
}

bool Reader::get_int_list(const YAML::Node& n, const std::string& key, std::vector<int64_t>* out) {
  if (!n.IsSequence()) {
    fail(n, 0, key, text_of(n), "must be a list of integers, e.g. [1, 3, 224, 224]");
    return false;
  }
  out->clear();
  bool ok = true;
  for (size_t i = 0; i < n.size(); ++i) {
    int64_t v = 0;
    ok = get_int(n[i], fmt::format("{}[{}]", key, i), &v) && ok;
    out->push_back(v);
  }
  return ok;
}

bool Reader::get_number_list(const YAML::Node& n, const std::string& key, std::vector<double>* out) {
  if (!n.IsSequence()) {
    fail(n, 0, key, text_of(n), "must be a list of numbers, e.g. [2, 1.5]");
    return false;
  }
  out->clear();
  bool ok = true;
  for (size_t i = 0; i < n.size(); ++i) {
    double v = 0.0;
    ok = get_number(n[i], fmt::format("{}[{}]", key, i), &v) && ok;
    out->push_back(v);
  }
  return ok;
}

bool Reader::get_pair(const YAML::Node& n, const std::string& key, int64_t* h, int64_t* w) {
  if (n.IsSequence()) {
    std::vector<int64_t> v;
    if (!get_int_list(n, key, &v)) return false;
    if (v.size() != 2) {
      fail(n, 0, key, text_of(n), "must be an integer or a list [h, w]");
      return false;
    }
    *h = v[0];
    *w = v[1];
    return true;
  }
  if (!get_int(n, key, h)) return false;
  *w = *h;
  return true;
}

bool Reader::get_padding(const YAML::Node& n, const std::string& key, int64_t pads[4], bool* same) {
  *same = false;
  if (n.IsScalar() && (n.Scalar() == "same" || n.Scalar() == "valid")) {
    *same = n.Scalar() == "same";
    pads[0] = pads[1] = pads[2] = pads[3] = 0;
    return true;
  }
  if (n.IsSequence()) {
    std::vector<int64_t> v;
    if (!get_int_list(n, key, &v)) return false;
    if (v.size() == 2) {
      pads[0] = pads[1] = v[0];
      pads[2] = pads[3] = v[1];
      return true;
    }
    if (v.size() == 4) {
      std::copy(v.begin(), v.end(), pads);
      return true;
    }
    fail(n, 0, key, text_of(n),
         "must be an integer, [ph, pw], [top, bottom, left, right], 'same' or 'valid'");
    return false;
  }
  int64_t p = 0;
  if (!n.IsScalar() || !std::all_of(n.Scalar().begin(), n.Scalar().end(),
                                    [](char ch) { return (ch >= '0' && ch <= '9') || ch == '-'; })) {
    fail(n, 0, key, text_of(n),
         "must be an integer, [ph, pw], [top, bottom, left, right], 'same' or 'valid'");
    return false;
  }
  if (!get_int(n, key, &p)) return false;
  pads[0] = pads[1] = pads[2] = pads[3] = p;
  return true;
}

}  // namespace workload_yaml
}  // namespace systole
