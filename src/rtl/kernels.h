// Private to src/rtl: the vectorised inner loops of one clock cycle over all PE rows (structure
// of arrays, contiguous registers of C PEs per row). Compiled for baseline x86-64 and, through
// target_clones, for AVX2 and AVX-512, picked at load time; no -march flags. Arithmetic as
// numeric/arith.h (float: product then sum, two roundings; -ffp-contract=off keeps them unfused).
// The integer versions do not saturate: callers use them only when no partial sum can leave the
// accumulator's range.
#pragma once

#include <cstdint>

namespace systole::rtl::detail {

// One row of PEs passing partial sums down (weight-/input-stationary), hop depth 1:
// out[c] = in[c] + a[c] * w[c], and the operand's fold tag must equal the stationary's.
template <typename Acc, typename V>
struct PassRow {
  Acc* out;
  const Acc* in;
  const V* a;
  const V* w;
  const int32_t* tag;   // fold tag of the operand at each PE, -1 = not valid
  const int32_t* wtag;  // fold tag of the stationary operand at each PE
};

// One row of PEs accumulating in place (output-stationary), hop depth 1: acc[c] += a[c] * b[c];
// both operands must carry the same fold tag, and a valid one must equal the accumulator's.
template <typename Acc, typename V>
struct AccRow {
  Acc* acc;
  const V* a;
  const V* b;
  const int32_t* atag;
  const int32_t* btag;
  const int32_t* acctag;
};

// Each returns true when some PE's tags disagree (a register hazard; the caller throws).
bool mac_rows(const PassRow<int32_t, int16_t>* rows, int64_t nrows, int64_t n);
bool mac_rows(const PassRow<int32_t, int32_t>* rows, int64_t nrows, int64_t n);
bool mac_rows(const PassRow<int64_t, int32_t>* rows, int64_t nrows, int64_t n);
bool mac_rows(const PassRow<float, float>* rows, int64_t nrows, int64_t n);
bool acc_rows(const AccRow<int32_t, int16_t>* rows, int64_t nrows, int64_t n);
bool acc_rows(const AccRow<int32_t, int32_t>* rows, int64_t nrows, int64_t n);
bool acc_rows(const AccRow<int64_t, int32_t>* rows, int64_t nrows, int64_t n);
bool acc_rows(const AccRow<float, float>* rows, int64_t nrows, int64_t n);

}  // namespace systole::rtl::detail
