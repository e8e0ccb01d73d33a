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

// A whole layer (conv2d as a direct 7-deep loop nest over NCHW, not via im2col; matmul incl.
// batch and transpose_b) from its input tensors and weights ([out_channels, C/groups, kh, kw] or
// [K, out_features]); integer layers requantise with `shift`. The conv k order inside a k_group
// is k = (c * kh + r) * kw + s (channel-major, the compiler's im2col order); padding taps count as
// products 0 * w. The output dtype is the (first) input's dtype. Vector and layout layers (pool,
// add, activation, softmax, layernorm without affine, reshape, transpose) use numeric/vector_math.h;
// a fused activation is its own activation layer applied to this output (for relu6 the result is
// the same as applying it to the accumulator, see vector_math.h). Operand problems (shapes,
// mixed integer/float, softmax etc. on integers) throw UserError naming the layer and the dtype.
// Rules and examples: docs/numerics.md.
struct ReferenceOptions {
  AccumulatorSpec acc;
  int64_t k_group = 0;  // as above, from the array's dataflow and rows
  int requant_shift = 0;
};
Tensor reference_layer(const Layer& layer, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                       const ReferenceOptions& opt);

}  // namespace systole
