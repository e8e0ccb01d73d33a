#include "systole/workload/network.h"

#include <ostream>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole {

std::ostream& operator<<(std::ostream& os, const LayerKind& k) {
  return os << k.name();
}

void Layer::attrs_mismatch() const {
  throw InternalError(
      fmt::format("layer '{}' ({}): its attributes are not of the type asked for", name, to_string(kind)));
}

std::string layer_key(const Layer& l, size_t index) {
  return fmt::format("layers[{}]", l.source_index >= 0 ? static_cast<size_t>(l.source_index) : index);
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
