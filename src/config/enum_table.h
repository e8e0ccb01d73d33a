// Enum <-> spelling tables of the config library (types.cpp, dram_spec.cpp): a constexpr array of
// (value, spelling) pairs per enum and three lookups over it. Internal to src/config.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace systole::config_detail {

template <typename E, size_t N>
using EnumTable = std::array<std::pair<E, const char*>, N>;

// false (and *out untouched) when `s` is not one of the spellings.
template <typename E, size_t N>
bool parse_from(const EnumTable<E, N>& table, const std::string& s, E* out) {
  for (const auto& [e, name] : table) {
    if (s == name) {
      *out = e;
      return true;
    }
  }
  return false;
}

// "?" for a value missing from the table (a bug: every enumerator has a row).
template <typename E, size_t N>
const char* name_of(const EnumTable<E, N>& table, E e) {
  for (const auto& [v, name] : table) {
    if (v == e) return name;
  }
  return "?";
}

template <typename E, size_t N>
std::vector<std::string> names_of(const EnumTable<E, N>& table) {
  std::vector<std::string> out;
  for (const auto& entry : table) out.emplace_back(entry.second);
  return out;
}

}  // namespace systole::config_detail
