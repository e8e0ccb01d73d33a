// What the operators' reference() functions share (oracle/operator_reference.h): the error for an
// operand a layer cannot compute on, shape and dtype checks, the integer / float paths of the MAC
// layers, and row-wise float functions. No SystemC here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/numeric/arith.h"
#include "systole/numeric/k_grouped_sum.h"
#include "systole/numeric/quantized.h"
#include "systole/numeric/tensor.h"
#include "systole/oracle/reference.h"
#include "systole/workload/network.h"

namespace systole {
namespace reference_support {

// UserError "layer 'name' (kind, line N): what".
[[noreturn]] void layer_error(const Layer& l, const std::string& what);

// Checks that a tensor has the expected shape (UserError naming the layer and operand otherwise).
void expect_shape(const Layer& l, const char* operand, const Tensor& t, const Shape& want);

// Checks that weights are given (yes) or not given (!yes).
void need_weights(const Layer& l, const Tensor* weights, bool yes);

// A float-only function on a non-float dtype is a UserError: "<what> is defined only for float
// dtypes (fp16, bf16, fp32), not int8".
void need_float(const Layer& l, DataType t, const char* what);

// True for the integer path of a MAC layer. Both operands must be integer (then the accumulator
// must be int32) or both float (then fp32).
bool integer_path(const Layer& l, DataType act, DataType weight, const ReferenceOptions& opt);

std::vector<int32_t> ints_of(const Tensor& t);
std::vector<float> floats_of(const Tensor& t);

// Element i of a MAC layer's output: integers requantised with `shift`, floats rounded.
void store(Tensor* out, int64_t i, int64_t acc, int shift);
void store(Tensor* out, int64_t i, float acc, int shift);

// Element access for a function only floats define (numeric/quantized.h): float tensors as they
// are; integer ones dequantised from the wide input range and quantised to `out` (or with the
// layer's parameters), as the vector unit does.
class QuantizedAccess {
 public:
  // In with the layer's input 0's quant (Layer::input_quant), else the wide range; out with its
  // own quant (Layer::quant), else `out`.
  QuantizedAccess(const Layer& l, DataType t, QuantRange out);
  float get(const Tensor& t, int64_t i) const;
  void set(Tensor& t, int64_t i, float y) const;

 private:
  bool m_int;
  QuantParams m_in, m_out;
};

// Applies a row function (numeric/vector_math.h) over the last axis; integer tensors through
// QuantizedAccess with outputs in `out`.
Tensor by_rows(const Layer& l, const Tensor& in, void (*fn)(const float*, float*, int64_t),
               QuantRange out = QuantRange::kWide);

}  // namespace reference_support
}  // namespace systole
