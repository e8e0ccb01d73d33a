// The oracle side of a layer kind: what the reference layers and the functional check ask of its
// operator (src/ops/, one file per kind, registered with its workload and compiler parts;
// docs/operators.md). No SystemC here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/common/registry.h"
#include "systole/config/arch_spec.h"
#include "systole/numeric/tensor.h"
#include "systole/oracle/reference.h"
#include "systole/workload/network.h"

namespace systole {

class IOperatorReference {
 public:
  virtual ~IOperatorReference() = default;

  // What the layer must compute: its output from its input tensors (as many as its arity allows,
  // checked by reference_layer) and its weights (nullptr unless takes_weights), written as plain
  // loop nests independent of the hardware models. Operand problems (shapes, dtypes, missing or
  // unexpected weights) are a UserError naming the layer (reference_support.h layer_error).
  virtual Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                           const ReferenceOptions& opt) const = 0;

  // Whether the functional check reads the layer's weights from DRAM and passes them to
  // reference() (conv2d, matmul with weights, gather). Layernorm owns scale and shift that the
  // compiler does not load: false.
  virtual bool takes_weights(const Layer& l) const {
    (void)l;
    return false;
  }
  // The weight tensor's logical shape; its DRAM layout is this, row-major. Default: flat.
  virtual Shape weight_shape(const Layer& l) const { return {l.weight_elements}; }
  // Reduction length of one output element (the float tolerance, docs/functional.md). Default 1.
  virtual int64_t reduction_length(const Layer& l) const {
    (void)l;
    return 1;
  }
  // Whether the layer's STOREs requantise accumulators (GEMM layers): the reference then uses
  // requant_shift(arch, reduction_length).
  virtual bool requantises() const { return false; }

  // Functional simulation support on `arch` (docs/functional.md): "" when supported, else why not
  // (the check prefixes "functional simulation does not support this layer: ").
  virtual std::string functional_support(const ArchSpec& arch, const Network& net, const Layer& l) const {
    (void)arch;
    (void)net;
    (void)l;
    return "";
  }
};

using ReferenceRegistry = SharedRegistry<IOperatorReference>;
// Filled by src/ops/ ("layer kind reference" in UnknownVariant).
ReferenceRegistry& reference_registry();
const IOperatorReference& reference_of(const LayerKind& kind);

}  // namespace systole
