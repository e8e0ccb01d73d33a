// reference_layer: checks the operand count and hands the layer to its operator's reference
// (oracle/operator_reference.h).
#include "systole/oracle/reference.h"

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/oracle/operator_reference.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/operator.h"

namespace systole {

ReferenceRegistry& reference_registry() {
  static ReferenceRegistry registry("layer kind reference");
  return registry;
}

const IOperatorReference& reference_of(const LayerKind& kind) {
  return reference_registry().get(kind.name());
}

Tensor reference_layer(const Layer& layer, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                       const ReferenceOptions& opt) {
  for (const Tensor* t : inputs) {
    if (t == nullptr) throw InternalError("reference_layer '" + layer.name + "': null input tensor");
  }
  const auto [lo, hi] = operator_of(layer.kind).arity();
  if (inputs.size() < lo || inputs.size() > hi) {
    reference_support::layer_error(layer,
                                   fmt::format("takes {}..{} input tensors, got {}", lo, hi, inputs.size()));
  }
  return reference_of(layer.kind).reference(layer, inputs, weights, opt);
}

}  // namespace systole
