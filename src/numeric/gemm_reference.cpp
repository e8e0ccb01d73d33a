// The reference tile GEMM (k-grouped, numeric/k_grouped_sum.h) and requantisation.
#include "systole/numeric/gemm_reference.h"

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/numeric/k_grouped_sum.h"
#include "systole/numeric/tensor.h"

namespace systole {

void reference_gemm_int(int64_t m, int64_t n, int64_t k, const int32_t* a, const int32_t* w, int64_t* out,
                        bool accumulate, const AccumulatorSpec& acc, int64_t k_group) {
  KGroupedSum<IntArith> sum({&acc}, k_group);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      sum.reset(accumulate ? out[i * n + j] : 0);
      for (int64_t kk = 0; kk < k; ++kk) sum.mac(a[i * k + kk], w[kk * n + j]);
      out[i * n + j] = sum.finish();
    }
  }
}

void reference_gemm_fp(int64_t m, int64_t n, int64_t k, const float* a, const float* w, float* out,
                       bool accumulate, int64_t k_group) {
  KGroupedSum<FpArith> sum({}, k_group);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      sum.reset(accumulate ? out[i * n + j] : 0.0f);
      for (int64_t kk = 0; kk < k; ++kk) sum.mac(a[i * k + kk], w[kk * n + j]);
      out[i * n + j] = sum.finish();
    }
  }
}

int64_t requantize(int64_t acc, int shift, DataType out) {
  if (!is_integer(out)) {
    throw InternalError(
        fmt::format("requantize to {}: float outputs are rounded with round_to", to_string(out)));
  }
  if (shift < 0 || shift > 63) throw InternalError(fmt::format("requantize shift {} not in 0..63", shift));
  if (shift == 0) return saturate_to(out, acc);
  // acc = q * 2^shift + rem with 0 <= rem < 2^shift (q = floor(acc / 2^shift)).
  const int64_t q = acc >> shift;  // arithmetic shift: floor (guaranteed by GCC/Clang, C++20)
  const uint64_t rem = static_cast<uint64_t>(acc) & ((uint64_t{1} << shift) - 1);
  const uint64_t half = uint64_t{1} << (shift - 1);
  const int64_t r = (rem > half || (rem == half && (q & 1) != 0)) ? q + 1 : q;
  return saturate_to(out, r);
}

}  // namespace systole
