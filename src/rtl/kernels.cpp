#include "kernels.h"

#define SYSTOLE_RTL_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))

namespace systole::rtl::detail {
namespace {

// Tag checks without branches or compares, so that they vectorise to a few bitwise operations:
// `diff` (x ^ y) is nonzero iff x != y; `tag >> 31` is all ones iff tag < 0 (not valid). The result
// is nonzero iff tag >= 0 && diff != 0; callers OR these together and test for nonzero.
inline int32_t hazard_if(int32_t diff, int32_t tag) {
  return diff & ~(tag >> 31);
}

template <typename Acc, typename V>
inline int32_t pass_row(Acc* __restrict out, const Acc* __restrict in, const V* __restrict a,
                        const V* __restrict w, const int32_t* __restrict tag, const int32_t* __restrict wtag,
                        int64_t n) {
  int32_t bad = 0;
  for (int64_t c = 0; c < n; ++c) {
    bad |= hazard_if(tag[c] ^ wtag[c], tag[c]);
    const Acc p = static_cast<Acc>(a[c]) * static_cast<Acc>(w[c]);  // float: rounded product
    out[c] = in[c] + p;
  }
  return bad;
}

template <typename Acc, typename V>
inline int32_t acc_row(Acc* __restrict acc, const V* __restrict a, const V* __restrict b,
                       const int32_t* __restrict atag, const int32_t* __restrict btag,
                       const int32_t* __restrict acctag, int64_t n) {
  int32_t bad = 0;
  for (int64_t c = 0; c < n; ++c) {
    bad |= (atag[c] ^ btag[c]) | hazard_if(atag[c] ^ acctag[c], atag[c]);
    const Acc p = static_cast<Acc>(a[c]) * static_cast<Acc>(b[c]);
    acc[c] = acc[c] + p;
  }
  return bad;
}

template <typename Acc, typename V>
inline bool all_pass(const PassRow<Acc, V>* rows, int64_t nrows, int64_t n, int64_t shift) {
  int32_t bad = 0;
  for (int64_t r = 0; r < nrows; ++r) {
    const PassRow<Acc, V>& x = rows[r];
    bad |= pass_row(x.out, x.in, x.a + shift, x.w, x.tag + shift, x.wtag, n);
  }
  return bad != 0;
}

template <typename Acc, typename V>
inline bool all_acc(const AccRow<Acc, V>* rows, int64_t nrows, int64_t n, int64_t shift_a, int64_t shift_b) {
  int32_t bad = 0;
  for (int64_t r = 0; r < nrows; ++r) {
    const AccRow<Acc, V>& x = rows[r];
    bad |= acc_row(x.acc, x.a + shift_a, x.b + shift_b, x.atag + shift_a, x.btag + shift_b, x.acctag, n);
  }
  return bad != 0;
}

}  // namespace

SYSTOLE_RTL_CLONES bool mac_rows(const PassRow<int32_t, int16_t>* rows, int64_t nrows, int64_t n,
                                 int64_t shift) {
  return all_pass(rows, nrows, n, shift);
}
SYSTOLE_RTL_CLONES bool mac_rows(const PassRow<int32_t, int32_t>* rows, int64_t nrows, int64_t n,
                                 int64_t shift) {
  return all_pass(rows, nrows, n, shift);
}
SYSTOLE_RTL_CLONES bool mac_rows(const PassRow<int64_t, int32_t>* rows, int64_t nrows, int64_t n,
                                 int64_t shift) {
  return all_pass(rows, nrows, n, shift);
}
SYSTOLE_RTL_CLONES bool mac_rows(const PassRow<float, float>* rows, int64_t nrows, int64_t n, int64_t shift) {
  return all_pass(rows, nrows, n, shift);
}
SYSTOLE_RTL_CLONES bool acc_rows(const AccRow<int32_t, int16_t>* rows, int64_t nrows, int64_t n,
                                 int64_t shift_a, int64_t shift_b) {
  return all_acc(rows, nrows, n, shift_a, shift_b);
}
SYSTOLE_RTL_CLONES bool acc_rows(const AccRow<int32_t, int32_t>* rows, int64_t nrows, int64_t n,
                                 int64_t shift_a, int64_t shift_b) {
  return all_acc(rows, nrows, n, shift_a, shift_b);
}
SYSTOLE_RTL_CLONES bool acc_rows(const AccRow<int64_t, int32_t>* rows, int64_t nrows, int64_t n,
                                 int64_t shift_a, int64_t shift_b) {
  return all_acc(rows, nrows, n, shift_a, shift_b);
}
SYSTOLE_RTL_CLONES bool acc_rows(const AccRow<float, float>* rows, int64_t nrows, int64_t n, int64_t shift_a,
                                 int64_t shift_b) {
  return all_acc(rows, nrows, n, shift_a, shift_b);
}

}  // namespace systole::rtl::detail
