#include "systole/stats/stat_tree.h"

#include <stdexcept>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/stats/formula.h"

namespace systole::stats {
namespace {

bool valid_path(const std::string& path) {
  if (path.empty() || path.front() == '.' || path.back() == '.') return false;
  char prev = 0;
  for (char c : path) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

// True when one path is the other's group ("a.b" and "a.b.c").
bool nests(const std::string& group, const std::string& path) {
  return path.size() > group.size() && path.compare(0, group.size(), group) == 0 && path[group.size()] == '.';
}

}  // namespace

void StatTree::add(Stat s) {
  if (!valid_path(s.path))
    throw InternalError(fmt::format("stat path '{}' is not dotted [a-z0-9_] names", s.path));
  for (const Stat& o : m_stats) {
    if (o.path == s.path) throw InternalError(fmt::format("stat '{}' declared twice", s.path));
    if (nests(o.path, s.path) || nests(s.path, o.path))
      throw InternalError(
          fmt::format("stat '{}' and '{}': a path is either a stat or a group", o.path, s.path));
  }
  m_stats.push_back(std::move(s));
}

void StatTree::counter(const std::string& path, const std::string& unit, const std::string& description,
                       int64_t value) {
  add({path, unit, description, static_cast<double>(value), true, value, ""});
}

void StatTree::counter(const std::string& path, const std::string& unit, const std::string& description,
                       double value) {
  add({path, unit, description, value, false, 0, ""});
}

void StatTree::derived(const std::string& path, const std::string& unit, const std::string& description,
                       const std::string& formula) {
  double v = 0.0;
  try {
    v = evaluate_formula(formula, [this](const std::string& name) { return value(name); });
  } catch (const std::invalid_argument& e) {
    throw InternalError(fmt::format("stat '{}': {}", path, e.what()));
  }
  add({path, unit, description, v, false, 0, formula});
}

const Stat* StatTree::find(const std::string& path) const {
  for (const Stat& s : m_stats) {
    if (s.path == path) return &s;
  }
  return nullptr;
}

double StatTree::value(const std::string& path) const {
  const Stat* s = find(path);
  if (s == nullptr) throw InternalError(fmt::format("stat '{}' is not declared", path));
  return s->value;
}

nlohmann::ordered_json StatTree::to_json() const {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  for (const Stat& s : m_stats) {
    nlohmann::ordered_json* at = &root;
    size_t begin = 0;
    for (size_t dot = s.path.find('.'); dot != std::string::npos; dot = s.path.find('.', begin)) {
      at = &(*at)[s.path.substr(begin, dot - begin)];
      begin = dot + 1;
    }
    nlohmann::ordered_json leaf;
    if (s.integer) {
      leaf["value"] = s.count;
    } else {
      leaf["value"] = s.value;
    }
    leaf["unit"] = s.unit;
    leaf["description"] = s.description;
    if (!s.formula.empty()) leaf["formula"] = s.formula;
    (*at)[s.path.substr(begin)] = std::move(leaf);
  }
  return root;
}

}  // namespace systole::stats
