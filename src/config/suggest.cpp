// "Did you mean" for unknown keys: the schema's keys (YAML, --set) and SCALE-Sim .cfg keys.
#include <algorithm>

#include "systole/config/schema.h"

namespace systole {
namespace {

std::string last_component(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

// Levenshtein distance (insert, delete, substitute; each costs 1).
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1);
  std::vector<size_t> cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

// A key whose last component matches exactly is the likeliest intent (a parameter put in the wrong
// section: `rows` at top level -> `core.array.rows`); among several, the one closest overall. Else
// the closest path within a third of the last component's length (1..3 edits), so that `rowz`
// suggests `rows` but `bogus` suggests nothing. Ties keep declaration order.
std::string suggest_key(const std::string& key, const std::vector<std::string>& known) {
  const std::string last = last_component(key);
  std::string best;
  size_t best_distance = 0;
  for (const auto& k : known) {
    if (k == key || last_component(k) != last) continue;
    const size_t d = edit_distance(key, k);
    if (best.empty() || d < best_distance) {
      best = k;
      best_distance = d;
    }
  }
  if (!best.empty()) return best;
  const size_t threshold = std::clamp<size_t>(last.size() / 3, 1, 3);
  for (const auto& k : known) {
    const size_t d = edit_distance(key, k);
    if (d > 0 && d <= threshold && (best.empty() || d < best_distance)) {
      best = k;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace systole
