// The k-grouped dot product every reference shares (GEMM, conv2d, matmul): products are added in
// call order; with k_group > 0 they are summed from zero in groups of k_group consecutive k (a
// fold's rows of a weight- or input-stationary array) and each group's sum is then added into the
// accumulator. Arithmetic as numeric/arith.h. No SystemC here.
#pragma once

#include <cstdint>

#include "systole/numeric/arith.h"

namespace systole {

// A dot product accumulated as in numeric/gemm_reference.h: products added in call order (ascending
// k); with k_group > 0 they are summed from zero in groups of k_group and each group's sum is then
// added into the accumulator, with k_group == 0 straight into it.
struct IntArith {
  using Value = int64_t;
  using Operand = int32_t;
  const AccumulatorSpec* spec;
  Value zero() const { return 0; }
  Value mac(Value acc, Operand a, Operand b) const { return int_mac(acc, a, b, *spec); }
  Value add(Value acc, Value x) const { return acc_add(acc, x, *spec); }
};

struct FpArith {
  using Value = float;
  using Operand = float;
  Value zero() const { return 0.0f; }
  Value mac(Value acc, Operand a, Operand b) const { return fp_mac(acc, a, b); }
  Value add(Value acc, Value x) const { return acc + x; }
};

template <typename Arith>
class KGroupedSum {
 public:
  using Value = typename Arith::Value;
  using Operand = typename Arith::Operand;
  KGroupedSum(Arith arith, int64_t k_group) : m_arith(arith), m_group(k_group) {}

  void reset(Value init) {
    m_acc = init;
    m_part = m_arith.zero();
    m_count = 0;
  }
  void mac(Operand a, Operand b) {
    if (m_group <= 0) {
      m_acc = m_arith.mac(m_acc, a, b);
      return;
    }
    m_part = m_arith.mac(m_part, a, b);
    if (++m_count == m_group) flush();
  }
  // The accumulator after adding the last (possibly short) group.
  Value finish() {
    if (m_count > 0) flush();
    return m_acc;
  }

 private:
  void flush() {
    m_acc = m_arith.add(m_acc, m_part);
    m_part = m_arith.zero();
    m_count = 0;
  }
  Arith m_arith;
  int64_t m_group;
  Value m_acc{}, m_part{};
  int64_t m_count = 0;
};

}  // namespace systole
