// The registry of the operators' lowerings.
#include "systole/compiler/operator_lowering.h"

namespace systole {

std::vector<int64_t> IOperatorLowering::view_strides(const Layer& l, const lowering::TensorView& src) const {
  (void)src;
  return lowering::contiguous_strides(l.output_shape);
}

LoweringRegistry& lowering_registry() {
  static LoweringRegistry registry("layer kind lowering");
  return registry;
}

const IOperatorLowering& lowering_of(const LayerKind& kind) {
  return lowering_registry().get(kind.name());
}

}  // namespace systole
