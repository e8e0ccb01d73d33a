// Spellings of the attribute enums in layer_attrs.h (YAML values and error messages).
#include "systole/workload/layer_attrs.h"

#include <array>
#include <utility>

namespace systole {
namespace {

template <typename E, size_t N>
using Table = std::array<std::pair<E, const char*>, N>;

template <typename E, size_t N>
bool parse_from(const Table<E, N>& table, const std::string& s, E* out) {
  for (const auto& [e, name] : table) {
    if (s == name) {
      *out = e;
      return true;
    }
  }
  return false;
}

template <typename E, size_t N>
const char* name_of(const Table<E, N>& table, E e) {
  for (const auto& [v, name] : table) {
    if (v == e) return name;
  }
  return "?";
}

template <typename E, size_t N>
std::vector<std::string> names_of(const Table<E, N>& table) {
  std::vector<std::string> out;
  for (const auto& entry : table) out.emplace_back(entry.second);
  return out;
}

constexpr Table<PoolMode, 2> kPoolModes{{{PoolMode::kMax, "max"}, {PoolMode::kAvg, "avg"}}};
constexpr Table<ActivationFunc, 7> kActivationFuncs{{
    {ActivationFunc::kRelu, "relu"},
    {ActivationFunc::kRelu6, "relu6"},
    {ActivationFunc::kGelu, "gelu"},
    {ActivationFunc::kSigmoid, "sigmoid"},
    {ActivationFunc::kTanh, "tanh"},
    {ActivationFunc::kSilu, "silu"},
    {ActivationFunc::kHardSwish, "hardswish"},
}};

}  // namespace

const char* to_string(PoolMode m) {
  return name_of(kPoolModes, m);
}
bool parse_pool_mode(const std::string& s, PoolMode* out) {
  return parse_from(kPoolModes, s, out);
}
std::vector<std::string> pool_mode_names() {
  return names_of(kPoolModes);
}

const char* to_string(ActivationFunc f) {
  return name_of(kActivationFuncs, f);
}
bool parse_activation_func(const std::string& s, ActivationFunc* out) {
  return parse_from(kActivationFuncs, s, out);
}
std::vector<std::string> activation_func_names() {
  return names_of(kActivationFuncs);
}

}  // namespace systole
