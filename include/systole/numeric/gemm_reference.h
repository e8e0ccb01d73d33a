// The reference GEMM and requantisation: plain loop nests, written independently of the array
// models, that define what a MAC tile must compute (the whole layers are in oracle/reference.h).
// Arithmetic and accumulation order as in numeric/arith.h. No SystemC here.
#pragma once

#include <cstdint>

#include "systole/numeric/arith.h"
#include "systole/numeric/data_type.h"

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

}  // namespace systole
