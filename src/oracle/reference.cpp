// reference_layer: checks the operand count and dispatches by layer kind.
#include <fmt/format.h>

#include "reference_detail.h"
#include "systole/common/error.h"
#include "systole/oracle/reference.h"

namespace systole {

Tensor reference_layer(const Layer& layer, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                       const ReferenceOptions& opt) {
  namespace rd = reference_detail;
  for (const Tensor* t : inputs) {
    if (t == nullptr) throw InternalError("reference_layer '" + layer.name + "': null input tensor");
  }
  auto need_inputs = [&](size_t lo, size_t hi) {
    if (inputs.size() < lo || inputs.size() > hi) {
      rd::layer_error(layer, fmt::format("takes {}..{} input tensors, got {}", lo, hi, inputs.size()));
    }
  };
  auto need_weights = [&](bool yes) {
    if ((weights != nullptr) != yes) {
      rd::layer_error(layer, yes ? "needs a weight tensor" : "takes no weight tensor");
    }
  };
  switch (layer.kind) {
    case LayerKind::kConv2d:
      need_inputs(1, 1);
      need_weights(true);
      return rd::conv2d(layer, *inputs[0], *weights, opt);
    case LayerKind::kMatmul:
      need_inputs(1, 2);
      need_weights(inputs.size() == 1);
      return inputs.size() == 1 ? rd::matmul(layer, *inputs[0], *weights, true, opt)
                                : rd::matmul(layer, *inputs[0], *inputs[1], false, opt);
    case LayerKind::kPool:
      need_inputs(1, 1);
      need_weights(false);
      return rd::pool(layer, *inputs[0]);
    case LayerKind::kAdd:
      need_inputs(2, 64);
      need_weights(false);
      return rd::add(layer, inputs);
    case LayerKind::kActivation:
      need_inputs(1, 1);
      need_weights(false);
      return rd::activation(layer, *inputs[0]);
    case LayerKind::kSoftmax:
      need_inputs(1, 1);
      need_weights(false);
      return rd::softmax(layer, *inputs[0]);
    case LayerKind::kLayerNorm:
      // The compiler does not load layernorm's scale and shift: they are 1 and 0 here.
      need_inputs(1, 1);
      return rd::layernorm(layer, *inputs[0]);
    case LayerKind::kReshape:
      need_inputs(1, 1);
      need_weights(false);
      return rd::reshape(layer, *inputs[0]);
    case LayerKind::kTranspose:
      need_inputs(1, 1);
      need_weights(false);
      return rd::transpose(layer, *inputs[0]);
  }
  throw InternalError("reference_layer: unknown layer kind");
}

}  // namespace systole
