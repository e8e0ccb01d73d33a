// Internals of the reference layers (not installed): the k-grouped dot product shared by GEMM,
// conv2d and matmul, and the per-kind layer functions that reference_layer dispatches to.
#pragma once

#include <string>
#include <vector>

#include "systole/numeric/arith.h"
#include "systole/numeric/reference.h"
#include "systole/numeric/tensor.h"
#include "systole/workload/network.h"

namespace systole {
namespace reference_detail {

// A dot product accumulated as in numeric/reference.h: products added in call order (ascending
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

// UserError "layer 'name' (kind, line N): what".
[[noreturn]] void layer_error(const Layer& l, const std::string& what);

// Checks that a tensor has the expected shape (UserError naming the layer and operand otherwise).
void expect_shape(const Layer& l, const char* operand, const Tensor& t, const Shape& want);

// MAC layers (reference_gemm.cpp). Output dtype = the activation input's dtype.
Tensor conv2d(const Layer& l, const Tensor& in, const Tensor& w, const ReferenceOptions& opt);
Tensor matmul(const Layer& l, const Tensor& a, const Tensor& b, bool b_is_weight,
              const ReferenceOptions& opt);

// Vector and layout layers (reference_vector.cpp). Output dtype = the input's dtype.
Tensor pool(const Layer& l, const Tensor& in);
Tensor add(const Layer& l, const std::vector<const Tensor*>& in);
Tensor activation(const Layer& l, const Tensor& in);
Tensor softmax(const Layer& l, const Tensor& in);
Tensor layernorm(const Layer& l, const Tensor& in);
Tensor reshape(const Layer& l, const Tensor& in);
Tensor transpose(const Layer& l, const Tensor& in);

}  // namespace reference_detail
}  // namespace systole
