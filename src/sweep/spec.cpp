#include "systole/sweep/spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/input_file.h"
#include "systole/config/yaml_document.h"
#include "systole/config/yaml_text.h"

namespace systole::sweep {

const char* to_string(Combine c) {
  switch (c) {
    case Combine::kGrid:
      return "grid";
    case Combine::kZip:
      return "zip";
    case Combine::kPoints:
      return "points";
  }
  return "?";
}

namespace {

constexpr uint64_t kMaxSpecBytes = 16 << 20;

int line_of(const YAML::Node& n) {
  return n.Mark().is_null() ? 0 : n.Mark().line + 1;
}

// Reads a spec into SweepSpec, collecting every problem.
class SpecReader {
 public:
  SpecReader(const YamlDocument& doc, const std::string& source) : m_doc(doc), m_source(source) {}

  void fail(const YAML::Node& at, const std::string& key, const std::string& value, const std::string& rule) {
    m_diags.add({m_source, line_of(at), key, value, rule});
  }
  DiagnosticList& diags() { return m_diags; }

  std::string text(const std::string& path, const YAML::Node& n) const { return m_doc.echo(path, n); }

  bool scalar(const YAML::Node& n, const std::string& key, std::string* out) {
    if (!n.IsScalar()) {
      fail(n, key, text(key, n), "must be a single value");
      return false;
    }
    *out = n.Scalar();
    return true;
  }

  // A non-empty string.
  bool string(const YAML::Node& n, const std::string& key, const char* what, std::string* out) {
    if (!scalar(n, key, out)) return false;
    if (out->empty()) {
      fail(n, key, "", fmt::format("must be {}", what));
      return false;
    }
    return true;
  }

  // A config key of the schema.
  const ParamDef* param(const YAML::Node& at, const std::string& path, const std::string& key) {
    const ParamDef* p = find_param(key);
    if (p == nullptr) fail(at, path, key, unknown_key_rule(key));
    return p;
  }

  // A value of `p` written as YAML scalar text, checked as --set checks it.
  bool value(const ParamDef& p, const YAML::Node& n, const std::string& key, ParamValue* out) {
    std::string s;
    if (!scalar(n, key, &s)) return false;
    std::string rule;
    if (!parse_param_value(p, s, out, &rule)) {
      fail(n, key, text(key, n), fmt::format("{} ({})", rule, p.key));
      return false;
    }
    return true;
  }

  // A list axis, or a {from, to, step | times} range, of `p`'s values.
  bool axis_values(const ParamDef& p, const YAML::Node& n, const std::string& key,
                   std::vector<ParamValue>* out);

 private:
  bool range(const ParamDef& p, const YAML::Node& n, const std::string& key, std::vector<ParamValue>* out);

  const YamlDocument& m_doc;
  std::string m_source;
  DiagnosticList m_diags;
};

bool SpecReader::axis_values(const ParamDef& p, const YAML::Node& n, const std::string& key,
                             std::vector<ParamValue>* out) {
  if (n.IsSequence()) {
    if (n.size() == 0) {
      fail(n, key, "[]", "must list at least one value");
      return false;
    }
    if (n.size() > kMaxAxisValues) {
      fail(n, key, fmt::format("{} values", n.size()),
           fmt::format("at most {} values per axis", kMaxAxisValues));
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n.size(); ++i) {
      ParamValue v;
      if (value(p, n[i], fmt::format("{}[{}]", key, i), &v)) {
        out->push_back(v);
      } else {
        ok = false;
      }
    }
    return ok;
  }
  if (n.IsMap()) return range(p, n, key, out);
  if (n.IsScalar()) {  // one value: a fixed axis
    ParamValue v;
    if (!value(p, n, key, &v)) return false;
    out->push_back(v);
    return true;
  }
  fail(n, key, text(key, n), "must be a list of values or a range {from, to, step} / {from, to, times}");
  return false;
}

bool SpecReader::range(const ParamDef& p, const YAML::Node& n, const std::string& key,
                       std::vector<ParamValue>* out) {
  const std::vector<std::string> allowed = {"from", "to", "step", "times"};
  bool ok = true;
  for (const auto& kv : n) {
    const std::string k = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      const std::string near = suggest_key(k, allowed);
      fail(kv.first, key + "." + k, text(key + "." + k, kv.second),
           "unknown key of a range (from, to, and step or times)" +
               (near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
      ok = false;
    }
  }
  if (!ok) return false;
  if (p.type != ParamType::kInt && p.type != ParamType::kFloat) {
    fail(n, key, text(key, n),
         fmt::format("a range needs a numeric key; {} is {}: list its values", p.key,
                     systole::to_string(p.type)));
    return false;
  }
  for (const char* k : {"from", "to"}) {
    if (!n[k]) {
      fail(n, key + "." + k, "", "required in a range");
      ok = false;
    }
  }
  if (!n["step"] == !n["times"]) {
    fail(n, key, text(key, n), "a range takes exactly one of step (linear) and times (geometric)");
    ok = false;
  }
  if (!ok) return false;
  const bool ints = p.type == ParamType::kInt;
  auto number = [&](const char* k, double* v) {
    double d = 0.0;
    const std::string path = key + "." + k;
    if (!plain_number(n[k], &d) || !std::isfinite(d)) {
      fail(n[k], path, text(path, n[k]), "must be a number");
      return false;
    }
    if (ints && (d != std::floor(d) || std::fabs(d) > 9.0e15)) {
      fail(n[k], path, text(path, n[k]), fmt::format("must be an integer: {} is an integer key", p.key));
      return false;
    }
    *v = d;
    return true;
  };
  double from = 0, to = 0, step = 0, times = 0;
  const bool geometric = static_cast<bool>(n["times"]);
  if (!number("from", &from) || !number("to", &to)) return false;
  if (geometric ? !number("times", &times) : !number("step", &step)) return false;
  if (to < from) {
    fail(n, key, text(key, n),
         fmt::format("to ({}) must not be below from ({})", n["to"].Scalar(), n["from"].Scalar()));
    return false;
  }
  if (geometric ? !(times > 1.0) || !(from > 0.0) : !(step > 0.0)) {
    fail(n, key, text(key, n),
         geometric ? "a geometric range needs from > 0 and times > 1" : "a linear range needs step > 0");
    return false;
  }
  // Values from + i * step (or from * times^i) up to `to`, computed from i so that no error
  // accumulates; a float end within 1e-9 of a step counts as reached.
  const double slack = ints ? 0.0 : 1e-9 * (geometric ? to : step);
  const double count = geometric ? std::floor(std::log(to / from) / std::log(times) + 1e-9) + 1.0
                                 : std::floor((to - from + slack) / step) + 1.0;
  if (!(count <= static_cast<double>(kMaxAxisValues))) {
    fail(n, key, text(key, n),
         fmt::format("gives {:.0f} values; at most {} per axis", count, kMaxAxisValues));
    return false;
  }
  for (size_t i = 0;; ++i) {
    const double v =
        geometric ? from * std::pow(times, static_cast<double>(i)) : from + static_cast<double>(i) * step;
    if (v > to + slack) break;
    if (out->size() >= kMaxAxisValues) break;  // rounding at the end of a range of exactly the limit
    ParamValue pv;
    if (ints) {
      pv = static_cast<int64_t>(std::llround(v));
    } else {
      pv = std::min(v, to);
    }
    const std::string rule = check_param_value(p, pv);
    if (!rule.empty()) {
      fail(n, key, value_text(pv), fmt::format("{} ({}, value {} of the range)", rule, p.key, i));
      return false;
    }
    if (out->empty() || out->back() != pv) out->push_back(pv);
  }
  return true;
}

// The directory of `source`, to resolve relative paths written in the spec.
std::string resolve_beside(const std::string& source, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  const std::filesystem::path beside = std::filesystem::path(source).parent_path() / p;
  std::error_code ec;
  return std::filesystem::exists(beside, ec) ? beside.string() : path;
}

}  // namespace

SweepSpec parse_sweep_spec(const std::string& text, const std::string& source) {
  const YamlDocument doc = parse_yaml_document(text, source, YamlLimits{2'000'000, 32});
  if (!doc.problems.empty()) throw SweepError(doc.problems);
  SpecReader r(doc, source);
  SweepSpec s;
  s.source = source;
  const YAML::Node& root = doc.root;
  if (!root.IsMap()) {
    r.fail(root, "", text.size() > 60 ? text.substr(0, 60) : text,
           "a sweep spec is a map: name, arch, workloads, axes, ...");
    throw SweepError(r.diags().take());
  }
  const std::vector<std::string> top = {"name", "arch",   "workloads", "set",        "combine",
                                        "axes", "points", "derived",   "constraints"};
  for (const auto& kv : root) {
    const std::string k = kv.first.Scalar();
    if (std::find(top.begin(), top.end(), k) == top.end()) {
      const std::string near = suggest_key(k, top);
      r.fail(
          kv.first, k, r.text(k, kv.second),
          "unknown key of a sweep spec" + (near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
    }
  }
  if (!root["name"]) {
    r.fail(root, "name", "", "required: the sweep's name");
  } else if (r.string(root["name"], "name", "the sweep's name", &s.name)) {
    // It names the default output folder (out/sweep-<name>) and the sweep's rows in sweep.db.
    const bool plain =
        s.name.size() <= 64 && s.name[0] != '.' && std::all_of(s.name.begin(), s.name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
        });
    if (!plain) {
      r.fail(root["name"], "name", s.name,
             "must be at most 64 letters, digits, '_', '-' or '.', not starting with '.' (it names the "
             "output folder)");
    }
  }
  if (!root["arch"]) {
    r.fail(root, "arch", "", "required: the base arch (a preset name such as default, or a path)");
  } else if (r.string(root["arch"], "arch", "a preset name or a path", &s.arch)) {
    s.arch = resolve_beside(source, s.arch);
  }
  const YAML::Node& wl = root["workloads"];
  if (!wl) {
    r.fail(root, "workloads", "", "required: a list of workloads (names or paths)");
  } else if (wl.IsScalar()) {
    std::string w;
    if (r.string(wl, "workloads", "a workload", &w)) s.workloads.push_back(resolve_beside(source, w));
  } else if (!wl.IsSequence() || wl.size() == 0) {
    r.fail(wl, "workloads", r.text("workloads", wl),
           "must be a non-empty list of workloads (names or paths)");
  } else {
    for (size_t i = 0; i < wl.size(); ++i) {
      std::string w;
      const std::string key = fmt::format("workloads[{}]", i);
      if (!r.string(wl[i], key, "a workload", &w)) continue;
      w = resolve_beside(source, w);
      if (std::find(s.workloads.begin(), s.workloads.end(), w) != s.workloads.end()) {
        r.fail(wl[i], key, w, "listed twice");
        continue;
      }
      s.workloads.push_back(w);
    }
  }

  std::set<std::string> swept;  // keys the axes or points give
  if (const YAML::Node& set = root["set"]) {
    if (!set.IsMap()) {
      r.fail(set, "set", r.text("set", set),
             "must be a map of config keys to values, e.g. {core.array.input_type: int8}");
    } else {
      for (const auto& kv : set) {
        const std::string k = kv.first.Scalar(), path = "set." + k;
        const ParamDef* p = r.param(kv.first, path, k);
        ParamValue v;
        if (p != nullptr && r.value(*p, kv.second, path, &v)) s.set.emplace_back(k, v);
      }
    }
  }

  std::string combine = "grid";
  if (root["combine"]) r.scalar(root["combine"], "combine", &combine);
  if (combine == "grid") {
    s.combine = Combine::kGrid;
  } else if (combine == "zip") {
    s.combine = Combine::kZip;
  } else if (combine == "points") {
    s.combine = Combine::kPoints;
  } else {
    r.fail(root["combine"], "combine", combine, "must be one of: grid, zip, points");
  }

  const YAML::Node& axes = root["axes"];
  const YAML::Node& points = root["points"];
  if (s.combine == Combine::kPoints) {
    if (axes)
      r.fail(axes, "axes", r.text("axes", axes), "combine: points takes its values from `points`, not axes");
    if (!points || !points.IsSequence() || points.size() == 0) {
      r.fail(points ? points : root, "points", points ? r.text("points", points) : "",
             "combine: points needs a non-empty list of points, each a map of config keys to values");
    } else if (points.size() > kMaxSweepPoints) {
      r.fail(points, "points", fmt::format("{} points", points.size()),
             fmt::format("at most {} points", kMaxSweepPoints));
    } else {
      std::vector<std::string> keys;  // of the first point
      for (size_t i = 0; i < points.size(); ++i) {
        const YAML::Node& pt = points[i];
        const std::string path = fmt::format("points[{}]", i);
        if (!pt.IsMap() || pt.size() == 0) {
          r.fail(pt, path, r.text(path, pt), "must be a map of config keys to values");
          continue;
        }
        std::vector<Assignment> a;
        std::vector<std::string> these;
        for (const auto& kv : pt) {
          const std::string k = kv.first.Scalar();
          these.push_back(k);
          const ParamDef* p = r.param(kv.first, path + "." + k, k);
          ParamValue v;
          if (p != nullptr && r.value(*p, kv.second, path + "." + k, &v)) a.emplace_back(k, v);
        }
        if (i == 0) keys = these;
        if (these != keys) {
          r.fail(pt, path, r.text(path, pt),
                 fmt::format("every point sets the same keys in the same order as points[0] ({})",
                             fmt::join(keys, ", ")));
          continue;
        }
        s.points.push_back(std::move(a));
      }
      swept.insert(keys.begin(), keys.end());
    }
  } else {
    if (points) r.fail(points, "points", r.text("points", points), "explicit points need combine: points");
    if (!axes || !axes.IsMap() || axes.size() == 0) {
      r.fail(axes ? axes : root, "axes", axes ? r.text("axes", axes) : "",
             "required: a map of config keys to their values (a list, or a range {from, to, step})");
    } else {
      for (const auto& kv : axes) {
        const std::string k = kv.first.Scalar(), path = "axes." + k;
        const ParamDef* p = r.param(kv.first, path, k);
        SweepAxis axis;
        axis.key = k;
        axis.line = line_of(kv.first);
        if (p != nullptr && r.axis_values(*p, kv.second, path, &axis.values)) {
          swept.insert(k);
          s.axes.push_back(std::move(axis));
        }
      }
      if (s.combine == Combine::kZip && s.axes.size() > 1) {
        for (const SweepAxis& a : s.axes) {
          if (a.values.size() != s.axes[0].values.size()) {
            r.fail(axes[a.key], "axes." + a.key, fmt::format("{} values", a.values.size()),
                   fmt::format("combine: zip needs axes of one length: axes.{} has {}", s.axes[0].key,
                               s.axes[0].values.size()));
          }
        }
      }
    }
  }
  for (const Assignment& a : s.set) {
    if (swept.count(a.first))
      r.fail(root["set"], "set." + a.first, value_text(a.second), "is also swept: give it in one place");
  }

  // Every name an expression reads is a config key.
  auto check_names = [&](const Expression& e, const YAML::Node& at, const std::string& path) {
    bool ok = true;
    for (const std::string& name : e.names()) {
      if (find_param(name) == nullptr) {
        r.fail(at, path, e.text(), fmt::format("'{}': {}", name, unknown_key_rule(name)));
        ok = false;
      }
    }
    return ok;
  };
  auto expression = [&](const YAML::Node& n, const std::string& path, std::optional<Expression>* out) {
    std::string t;
    if (!r.scalar(n, path, &t)) return false;
    try {
      *out = Expression::parse(t);
    } catch (const ExpressionError& e) {
      r.fail(n, path, t, e.what());
      return false;
    }
    return check_names(**out, n, path);
  };
  if (const YAML::Node& derived = root["derived"]) {
    if (!derived.IsMap()) {
      r.fail(derived, "derived", r.text("derived", derived), "must be a map of config keys to expressions");
    } else {
      std::set<std::string> seen;
      for (const auto& kv : derived) {
        const std::string k = kv.first.Scalar(), path = "derived." + k;
        if (r.param(kv.first, path, k) == nullptr) continue;
        if (swept.count(k)) {
          r.fail(kv.first, path, k, "is an axis (or a point's key): a derived value would replace it");
          continue;
        }
        if (std::any_of(s.set.begin(), s.set.end(), [&](const Assignment& a) { return a.first == k; })) {
          r.fail(kv.first, path, k, "is in set: give it in one place");
          continue;
        }
        std::optional<Expression> e;
        if (expression(kv.second, path, &e)) s.derived.push_back({k, *e, line_of(kv.first)});
      }
    }
  }
  if (const YAML::Node& cs = root["constraints"]) {
    if (!cs.IsSequence()) {
      r.fail(cs, "constraints", r.text("constraints", cs),
             "must be a list of expressions that are true of a kept point");
    } else {
      for (size_t i = 0; i < cs.size(); ++i) {
        std::optional<Expression> e;
        if (expression(cs[i], fmt::format("constraints[{}]", i), &e))
          s.constraints.push_back({*e, line_of(cs[i])});
      }
    }
  }
  if (!r.diags().empty()) throw SweepError(r.diags().take());
  return s;
}

SweepSpec load_sweep_spec(const std::string& path) {
  return parse_sweep_spec(read_input_file_as<SweepError>(path, "sweep spec", kMaxSpecBytes), path);
}

}  // namespace systole::sweep
