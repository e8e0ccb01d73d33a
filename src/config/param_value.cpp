// Parameter values: parsing text in a parameter's schema type, range/choice checks, the rule text
// shown in diagnostics and in docs/config-reference.md, and formatting values back to text.
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/text.h"
#include "systole/config/schema.h"

namespace systole {
namespace {

// Shortest round-trip text of a bound: 4096.0 -> "4096", 25.6 -> "25.6".
std::string bound(double v) {
  return fmt::format("{}", v);
}

bool is_integer_text(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// Decimal notation only: digits, at most one '.', an optional exponent. Rejects "inf", "nan",
// hex floats and YAML's ".inf", which strtod would accept.
bool is_decimal_text(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  bool digits = false;
  bool dot = false;
  for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  if (!digits) return false;
  if (i == s.size()) return true;
  ++i;  // exponent
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool parse_bool_text(const std::string& s, bool* out) {
  if (s == "true" || s == "True" || s == "TRUE") {
    *out = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    *out = false;
    return true;
  }
  return false;
}

// What the text looks like, for "(got ...)" in a type error.
std::string kind_of_text(const std::string& s) {
  bool b = false;
  if (s.empty()) return "nothing";
  if (is_integer_text(s)) return "an integer";
  if (is_decimal_text(s)) return "a decimal number";
  if (parse_bool_text(s, &b)) return "a boolean";
  return "text";
}

bool is_power_of_two(double v) {
  if (v < 1 || v != std::floor(v) || v > 9.0e15) return false;
  const auto i = static_cast<int64_t>(v);
  return (i & (i - 1)) == 0;
}

}  // namespace

const char* to_string(ParamType t) {
  switch (t) {
    case ParamType::kInt:
      return "int";
    case ParamType::kFloat:
      return "float";
    case ParamType::kBool:
      return "bool";
    case ParamType::kString:
      return "string";
    case ParamType::kEnum:
      return "enum";
  }
  return "?";
}

bool NumericRange::contains(double v) const {
  if (std::isnan(v)) return false;
  if (min_exclusive ? !(v > min) : !(v >= min)) return false;
  if (max_exclusive ? !(v < max) : !(v <= max)) return false;
  return !power_of_two || is_power_of_two(v);
}

std::string NumericRange::describe() const {
  std::string out;
  if (!min_exclusive && !max_exclusive && min == max) return "= " + bound(min);
  if (power_of_two) out = "a power of two ";
  const bool has_min = std::isfinite(min);
  const bool has_max = std::isfinite(max);
  if (has_min) out += (min_exclusive ? "> " : ">= ") + bound(min);
  if (has_min && has_max) out += " and ";
  if (has_max) out += (max_exclusive ? "< " : "<= ") + bound(max);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string param_rule(const ParamDef& p) {
  const NumericRange& r = p.range;
  const bool exact = !r.min_exclusive && !r.max_exclusive && r.min == r.max;
  switch (p.type) {
    case ParamType::kInt:
      if (exact) return "must be " + bound(r.min);
      if (r.power_of_two) return "must be " + r.describe();
      return "must be an integer " + r.describe();
    case ParamType::kFloat:
      if (exact) return "must be " + bound(r.min);
      return "must be a number " + r.describe();
    case ParamType::kBool:
      return "must be true or false";
    case ParamType::kString:
      return p.non_empty ? "must be a non-empty string" : "must be a string";
    case ParamType::kEnum: {
      std::string out = "must be one of: ";
      for (size_t i = 0; i < p.choices.size(); ++i) out += (i ? ", " : "") + p.choices[i];
      return out;
    }
  }
  throw InternalError("unknown ParamType");
}

std::string check_param_value(const ParamDef& p, const ParamValue& v) {
  switch (p.type) {
    case ParamType::kInt:
      if (!std::holds_alternative<int64_t>(v)) break;
      return p.range.contains(static_cast<double>(std::get<int64_t>(v))) ? "" : param_rule(p);
    case ParamType::kFloat:
      if (!std::holds_alternative<double>(v)) break;
      return p.range.contains(std::get<double>(v)) ? "" : param_rule(p);
    case ParamType::kBool:
      if (!std::holds_alternative<bool>(v)) break;
      return "";
    case ParamType::kString:
      if (!std::holds_alternative<std::string>(v)) break;
      return p.non_empty && std::get<std::string>(v).empty() ? param_rule(p) : "";
    case ParamType::kEnum: {
      if (!std::holds_alternative<std::string>(v)) break;
      for (const auto& c : p.choices) {
        if (c == std::get<std::string>(v)) return "";
      }
      return param_rule(p);
    }
  }
  throw InternalError("value of the wrong C++ type for parameter " + p.key);
}

bool parse_param_value(const ParamDef& p, const std::string& text, ParamValue* out, std::string* rule) {
  ParamValue v;
  switch (p.type) {
    case ParamType::kInt: {
      if (!is_integer_text(text)) {
        *rule = param_rule(p) + " (got " + kind_of_text(text) + ")";
        return false;
      }
      const size_t sign = text[0] == '+' || text[0] == '-' ? 1 : 0;
      if (text.size() > sign + 1 && text[sign] == '0') {
        *rule = param_rule(p) + " (got a leading zero, which YAML 1.1 reads as octal: write it without)";
        return false;
      }
      errno = 0;
      const long long i = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == ERANGE) {
        *rule = param_rule(p) + " (got an integer that does not fit in 64 bits)";
        return false;
      }
      v = static_cast<int64_t>(i);
      break;
    }
    case ParamType::kFloat: {
      if (!is_decimal_text(text)) {
        *rule = param_rule(p) + " (got " + kind_of_text(text) + ")";
        return false;
      }
      errno = 0;
      const double d = std::strtod(text.c_str(), nullptr);
      if (errno == ERANGE || !std::isfinite(d)) {
        *rule = param_rule(p) + " (got a number out of the double range)";
        return false;
      }
      v = d;
      break;
    }
    case ParamType::kBool: {
      bool b = false;
      if (!parse_bool_text(text, &b)) {
        *rule = param_rule(p) + " (got " + kind_of_text(text) + ")";
        return false;
      }
      v = b;
      break;
    }
    case ParamType::kString:
    case ParamType::kEnum:
      // Names end up in report.json (UTF-8 JSON), file names and terminals.
      if (text.size() > 4096) {
        *rule = param_rule(p) + " of at most 4096 bytes";
        return false;
      }
      if (!is_valid_utf8(text) || first_control_char(text) != std::string::npos ||
          text.find('\n') != std::string::npos || text.find('\t') != std::string::npos) {
        *rule = param_rule(p) + " of UTF-8 text without control characters";
        return false;
      }
      v = text;
      break;
  }
  std::string problem = check_param_value(p, v);
  if (!problem.empty()) {
    *rule = std::move(problem);
    return false;
  }
  *out = std::move(v);
  return true;
}

std::string format_param_value(const ParamValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  std::string d = fmt::format("{}", std::get<double>(v));
  if (d.find_first_of(".eEn") == std::string::npos) d += ".0";  // "1000" -> "1000.0"; keeps "inf"
  return d;
}

}  // namespace systole
