// Reference layers: a whole network layer computed by plain loop nests, written independently of
// the array models (the functional oracle that every functional run is checked against).
// Arithmetic and accumulation order as in numeric/arith.h; the tile-level GEMM and the
// requantisation are numeric/gemm_reference.h. No SystemC here.
#pragma once

#include <vector>

#include "systole/numeric/arith.h"
#include "systole/numeric/gemm_reference.h"
#include "systole/numeric/tensor.h"
#include "systole/workload/network.h"

namespace systole {

// A whole layer from its input tensors and weights: the layer's operator's reference()
// (oracle/operator_reference.h; src/ops/<kind>.cpp says what each kind computes), after checking
// the number of inputs against the kind's arity. Integer MAC layers requantise with
// `requant_shift`; k_group is the accumulation grouping of the array (numeric/k_grouped_sum.h).
// The output dtype is the (first) input's dtype unless the kind says otherwise. A fused activation
// is its own activation layer applied to this output (for relu6 the result is the same as applying
// it to the accumulator, see vector_math.h). Operand problems (shapes, mixed integer/float,
// softmax etc. on integers) throw UserError naming the layer and the dtype. Rules and examples:
// docs/numerics.md.
struct ReferenceOptions {
  AccumulatorSpec acc;
  int64_t k_group = 0;  // as above, from the array's dataflow and rows
  int requant_shift = 0;
  // Convolutions: the order of k within the sum, as the compiler laid it out (MappingRecord::
  // conv_k_block): 0 is (channel, kernel row, kernel column); b > 0 is (channel block, kernel
  // row, kernel column, channel within the block) with blocks of b channels.
  int64_t conv_k_block = 0;
};
Tensor reference_layer(const Layer& layer, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                       const ReferenceOptions& opt);

}  // namespace systole
