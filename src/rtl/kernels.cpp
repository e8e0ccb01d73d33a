#include "kernels.h"

#define SYSTOLE_RTL_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))

namespace systole::rtl::detail {
namespace {

template <typename Acc, typename V>
inline int32_t pass_row(Acc* __restrict out, const Acc* __restrict in, const V* __restrict a,
                        const V* __restrict w, const int32_t* __restrict tag, const int32_t* __restrict wtag,
                        int64_t n) {
  int32_t bad = 0;
  for (int64_t c = 0; c < n; ++c) {
    bad |= static_cast<int32_t>(tag[c] >= 0) & static_cast<int32_t>(tag[c] != wtag[c]);
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
    bad |= static_cast<int32_t>(atag[c] != btag[c]) |
           (static_cast<int32_t>(atag[c] >= 0) & static_cast<int32_t>(atag[c] != acctag[c]));
    const Acc p = static_cast<Acc>(a[c]) * static_cast<Acc>(b[c]);
    acc[c] = acc[c] + p;
  }
  return bad;
}

template <typename Acc, typename V>
inline bool all_pass(const PassRow<Acc, V>* rows, int64_t nrows, int64_t n) {
  int32_t bad = 0;
  for (int64_t r = 0; r < nrows; ++r) {
    const PassRow<Acc, V>& x = rows[r];
    bad |= pass_row(x.out, x.in, x.a, x.w, x.tag, x.wtag, n);
  }
  return bad != 0;
}

template <typename Acc, typename V>
inline bool all_acc(const AccRow<Acc, V>* rows, int64_t nrows, int64_t n) {
  int32_t bad = 0;
  for (int64_t r = 0; r < nrows; ++r) {
    const AccRow<Acc, V>& x = rows[r];
    bad |= acc_row(x.acc, x.a, x.b, x.atag, x.btag, x.acctag, n);
  }
  return bad != 0;
}

}  // namespace

SYSTOLE_RTL_CLONES bool mac_rows(const PassRow<int32_t, int16_t>* rows, int64_t nrows, int64_t n) {
  return all_pass(rows, nrows, n);
}
SYSTOLE_RTL_CLONES bool mac_rows(const PassRow<int32_t, int32_t>* rows, int64_t nrows, int64_t n) {
  return all_pass(rows, nrows, n);
}
SYSTOLE_RTL_CLONES bool mac_rows(const PassRow<int64_t, int32_t>* rows, int64_t nrows, int64_t n) {
  return all_pass(rows, nrows, n);
}
SYSTOLE_RTL_CLONES bool mac_rows(const PassRow<float, float>* rows, int64_t nrows, int64_t n) {
  return all_pass(rows, nrows, n);
}
SYSTOLE_RTL_CLONES bool acc_rows(const AccRow<int32_t, int16_t>* rows, int64_t nrows, int64_t n) {
  return all_acc(rows, nrows, n);
}
SYSTOLE_RTL_CLONES bool acc_rows(const AccRow<int32_t, int32_t>* rows, int64_t nrows, int64_t n) {
  return all_acc(rows, nrows, n);
}
SYSTOLE_RTL_CLONES bool acc_rows(const AccRow<int64_t, int32_t>* rows, int64_t nrows, int64_t n) {
  return all_acc(rows, nrows, n);
}
SYSTOLE_RTL_CLONES bool acc_rows(const AccRow<float, float>* rows, int64_t nrows, int64_t n) {
  return all_acc(rows, nrows, n);
}

}  // namespace systole::rtl::detail
