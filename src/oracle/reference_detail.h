// Internals of the reference layers (not installed): the per-kind layer functions that
// reference_layer dispatches to.
#pragma once

#include <string>
#include <vector>

#include "systole/numeric/arith.h"
#include "systole/numeric/k_grouped_sum.h"
#include "systole/numeric/tensor.h"
#include "systole/oracle/reference.h"
#include "systole/workload/network.h"

namespace systole {
namespace reference_detail {

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
