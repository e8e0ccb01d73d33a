// expand_sweep (sweep/spec.h): a spec's combinations as points, with their derived values checked
// and the constraints applied.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/sweep/spec.h"

namespace systole::sweep {

Expression::Lookup arch_lookup(const ArchSpec& arch) {
  return [&arch](const std::string& name) -> std::optional<ParamValue> {
    const ParamDef* p = find_param(name);
    if (p == nullptr) return std::nullopt;
    return p->get(arch);
  };
}

namespace {

// A derived value in its key's type: an integral float is an integer, an integer a float.
bool convert(const ParamDef& p, const ParamValue& v, ParamValue* out, std::string* rule) {
  switch (p.type) {
    case ParamType::kInt:
      if (std::holds_alternative<int64_t>(v)) {
        *out = v;
        return true;
      }
      if (const auto* d = std::get_if<double>(&v);
          d != nullptr && *d == std::floor(*d) && std::fabs(*d) < 9.0e15) {
        *out = static_cast<int64_t>(*d);
        return true;
      }
      break;
    case ParamType::kFloat:
      if (std::holds_alternative<int64_t>(v) || std::holds_alternative<double>(v)) {
        *out = std::holds_alternative<double>(v) ? std::get<double>(v)
                                                 : static_cast<double>(std::get<int64_t>(v));
        return true;
      }
      break;
    case ParamType::kBool:
      if (std::holds_alternative<bool>(v)) {
        *out = v;
        return true;
      }
      break;
    case ParamType::kString:
    case ParamType::kEnum:
      if (std::holds_alternative<std::string>(v)) {
        *out = v;
        return true;
      }
      break;
  }
  *rule = fmt::format("{} (the expression gave {} {})", param_rule(p), type_name(v), value_text(v));
  return false;
}

std::string describe(const std::vector<Assignment>& params) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : params) parts.push_back(k + ": " + value_text(v));
  return "{" + fmt::format("{}", fmt::join(parts, ", ")) + "}";
}

}  // namespace

SweepPlan expand_sweep(const SweepSpec& spec, const Expression::Lookup& base) {
  // The combinations, as indices into each axis (grid, zip) or the points' own values.
  size_t count = 0;
  if (spec.combine == Combine::kPoints) {
    count = spec.points.size();
  } else if (spec.combine == Combine::kZip) {
    count = spec.axes.empty() ? 0 : spec.axes[0].values.size();
  } else {
    count = 1;
    for (const SweepAxis& a : spec.axes) {
      if (a.values.empty() || count > kMaxSweepPoints / a.values.size()) {
        throw UserError("sweep spec error",
                        {Diagnostic{spec.source, a.line, "axes", "",
                                    fmt::format("the grid has more than {} points", kMaxSweepPoints)}});
      }
      count *= a.values.size();
    }
  }
  SweepPlan plan;
  plan.combinations = count;
  DiagnosticList problems;
  std::vector<Assignment> set_values = spec.set;
  for (size_t c = 0; c < count; ++c) {
    SweepPoint point;
    if (spec.combine == Combine::kPoints) {
      point.params = spec.points[c];
    } else {
      size_t rest = c;
      std::vector<size_t> at(spec.axes.size());
      for (size_t a = spec.axes.size(); a-- > 0;) {
        const size_t n = spec.axes[a].values.size();
        at[a] = spec.combine == Combine::kZip ? c : rest % n;
        rest /= n;
      }
      for (size_t a = 0; a < spec.axes.size(); ++a)
        point.params.emplace_back(spec.axes[a].key, spec.axes[a].values[at[a]]);
    }
    const size_t given = point.params.size();
    auto lookup = [&](const std::string& name) -> std::optional<ParamValue> {
      for (const auto& [k, v] : point.params) {
        if (k == name) return v;
      }
      for (const auto& [k, v] : set_values) {
        if (k == name) return v;
      }
      return base(name);
    };
    bool ok = true;
    for (const DerivedParam& d : spec.derived) {
      const ParamDef& p = *find_param(d.key);
      const std::string where =
          describe({point.params.begin(), point.params.begin() + static_cast<std::ptrdiff_t>(given)});
      try {
        const ParamValue raw = d.expression.evaluate(lookup);
        ParamValue v;
        std::string rule;
        if (!convert(p, raw, &v, &rule) || !(rule = check_param_value(p, v)).empty()) {
          problems.add({spec.source, d.line, "derived." + d.key, value_text(raw),
                        fmt::format("at point {}: {}", where, rule)});
          ok = false;
          break;
        }
        point.params.emplace_back(d.key, v);
      } catch (const ExpressionError& e) {
        problems.add({spec.source, d.line, "derived." + d.key, d.expression.text(),
                      fmt::format("at point {}: {}", where, e.what())});
        ok = false;
        break;
      }
    }
    if (!ok) {
      if (problems.items().size() >= 10) break;
      continue;
    }
    bool keep = true;
    for (size_t i = 0; i < spec.constraints.size() && keep; ++i) {
      const Constraint& k = spec.constraints[i];
      try {
        const ParamValue v = k.expression.evaluate(lookup);
        if (!std::holds_alternative<bool>(v)) {
          problems.add({spec.source, k.line, fmt::format("constraints[{}]", i), k.expression.text(),
                        fmt::format("at point {}: must be true or false, not {} {}", describe(point.params),
                                    type_name(v), value_text(v))});
          ok = false;
          break;
        }
        keep = std::get<bool>(v);
      } catch (const ExpressionError& e) {
        problems.add({spec.source, k.line, fmt::format("constraints[{}]", i), k.expression.text(),
                      fmt::format("at point {}: {}", describe(point.params), e.what())});
        ok = false;
        break;
      }
    }
    if (!ok) {
      if (problems.items().size() >= 10) break;
      continue;
    }
    if (!keep) {
      ++plan.pruned;
      continue;
    }
    for (const auto& [k, v] : spec.set) point.overrides.push_back(k + "=" + format_param_value(v));
    for (const auto& [k, v] : point.params) point.overrides.push_back(k + "=" + format_param_value(v));
    point.index = plan.points.size();
    plan.points.push_back(std::move(point));
  }
  if (!problems.empty()) throw SweepError(problems.take());
  return plan;
}

}  // namespace systole::sweep
