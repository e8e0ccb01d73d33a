// Reference implementations: plain loop nests, written independently of the array models, that
// define what each layer must compute. Arithmetic and accumulation order as in numeric/arith.h.
// No SystemC here.
#pragma once

#include <cstdint>

#include "systole/numeric/arith.h"
#include "systole/numeric/tensor.h"
#include "systole/workload/network.h"

namespace systole {

// out[m][n] = (accumulate ? out[m][n] : 0) + sum_k a[m][k] * w[k][n] (row-major, a: m x k,
// w: k x n), adding products in ascending k. k_group > 0: products are summed from 0 in groups of
// k_group consecutive k (a fold's rows of a weight- or input-stationary array) and each group's
// sum is then added into out; k_group == 0: every product is added straight into out.
void reference_gemm_int(int64_t m, int64_t n, int64_t k, const int32_t* a, const int32_t* w, int64_t* out,
                        bool accumulate, const AccumulatorSpec& acc, int64_t k_group);
void reference_gemm_fp(int64_t m, int64_t n, int64_t k, const float* a, const float* w, float* out,
                       bool accumulate, int64_t k_group);

// Output requantisation from an integer accumulator to an integer output dtype:
// out = saturate_dtype(round_half_to_even(acc / 2^shift)) (shift >= 0). Float outputs: the fp32
// accumulator value rounded to the output dtype.
int64_t requantize(int64_t acc, int shift, DataType out);

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
