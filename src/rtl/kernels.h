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
// out[c] = in[c] + a[c + shift] * w[c], and the operand's fold tag tag[c + shift] must equal the
// stationary's. `shift` (the head of the operand delay lines, mac_rows' argument) is the only part
// that changes from cycle to cycle, so a row's pointers are set up once per tile.
template <typename Acc, typename V>
struct PassRow {
  Acc* out;
  const Acc* in;
  const V* a;
  const V* w;
  const int32_t* tag;   // fold tag of the operand at each PE, -1 = not valid
  const int32_t* wtag;  // fold tag of the stationary operand at each PE
};

// One row of PEs accumulating in place (output-stationary), hop depth 1:
// acc[c] += a[c + shift_a] * b[c + shift_b]; both operands (tags atag[c + shift_a] and
// btag[c + shift_b]) must carry the same fold tag, and a valid one must equal the accumulator's.
// The shifts (acc_rows' arguments) are the only parts that change from cycle to cycle.
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
bool mac_rows(const PassRow<int32_t, int16_t>* rows, int64_t nrows, int64_t n, int64_t shift);
bool mac_rows(const PassRow<int32_t, int32_t>* rows, int64_t nrows, int64_t n, int64_t shift);
bool mac_rows(const PassRow<int64_t, int32_t>* rows, int64_t nrows, int64_t n, int64_t shift);
bool mac_rows(const PassRow<float, float>* rows, int64_t nrows, int64_t n, int64_t shift);
bool acc_rows(const AccRow<int32_t, int16_t>* rows, int64_t nrows, int64_t n, int64_t shift_a,
              int64_t shift_b);
bool acc_rows(const AccRow<int32_t, int32_t>* rows, int64_t nrows, int64_t n, int64_t shift_a,
              int64_t shift_b);
bool acc_rows(const AccRow<int64_t, int32_t>* rows, int64_t nrows, int64_t n, int64_t shift_a,
              int64_t shift_b);
bool acc_rows(const AccRow<float, float>* rows, int64_t nrows, int64_t n, int64_t shift_a, int64_t shift_b);

}  // namespace systole::rtl::detail
