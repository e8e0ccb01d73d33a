#include "systole/workload/network.h"

#include <array>
#include <utility>

#include "systole/common/error.h"

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

constexpr Table<LayerKind, 9> kLayerKinds{{
    {LayerKind::kConv2d, "conv2d"},
    {LayerKind::kMatmul, "matmul"},
    {LayerKind::kPool, "pool"},
    {LayerKind::kAdd, "add"},
    {LayerKind::kActivation, "activation"},
    {LayerKind::kSoftmax, "softmax"},
    {LayerKind::kLayerNorm, "layernorm"},
    {LayerKind::kReshape, "reshape"},
    {LayerKind::kTranspose, "transpose"},
}};
constexpr Table<PoolMode, 2> kPoolModes{{{PoolMode::kMax, "max"}, {PoolMode::kAvg, "avg"}}};
constexpr Table<ActivationFunc, 5> kActivationFuncs{{
    {ActivationFunc::kRelu, "relu"},
    {ActivationFunc::kRelu6, "relu6"},
    {ActivationFunc::kGelu, "gelu"},
    {ActivationFunc::kSigmoid, "sigmoid"},
    {ActivationFunc::kTanh, "tanh"},
}};

}  // namespace

const char* to_string(LayerKind k) {
  return name_of(kLayerKinds, k);
}
bool parse_layer_kind(const std::string& s, LayerKind* out) {
  return parse_from(kLayerKinds, s, out);
}
std::vector<std::string> layer_kind_names() {
  return names_of(kLayerKinds);
}

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

int64_t Network::total_macs() const {
  int64_t total = 0;
  for (const Layer& l : layers) {
    if (l.macs < 0 || __builtin_add_overflow(total, l.macs, &total)) {
      throw WorkloadError(Diagnostic{source_path, l.source_line, l.name, std::to_string(l.macs),
                                     "the network's total MAC count overflows 64 bits at this layer "
                                     "(infer_shapes refuses such a network)"});
    }
  }
  return total;
}

const Layer* Network::find_layer(const std::string& layer_name) const {
  for (const Layer& l : layers) {
    if (l.name == layer_name) return &l;
  }
  return nullptr;
}

const TensorInput* Network::find_input(const std::string& input_name) const {
  for (const TensorInput& t : inputs) {
    if (t.name == input_name) return &t;
  }
  return nullptr;
}

}  // namespace systole
