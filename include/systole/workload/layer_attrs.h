// The attributes of the layer kinds that code outside their operator files builds or reads by
// name: the SCALE-Sim CSV loader builds conv2d and matmul layers, and tests build every one of
// these in code. An operator whose attributes nobody else needs keeps its struct in its own file
// (src/ops/, docs/operators.md) and adds nothing here. No SystemC here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/numeric/shape.h"

namespace systole {

// Vector-unit operations per element for the normalisations (a cost model, not an exact count):
// softmax = max, exp(x - max), divide by the sum (the sum rides along with exp);
// layernorm = mean, variance, normalise, scale-and-shift.
inline constexpr int64_t kSoftmaxOpsPerElement = 3;
inline constexpr int64_t kLayerNormOpsPerElement = 4;
// rmsnorm = mean of squares, normalise, scale.
inline constexpr int64_t kRmsNormOpsPerElement = 3;
// rotary = x cos, partner sin, add (the angles' cos / sin come from the unit's table).
inline constexpr int64_t kRotaryOpsPerElement = 3;

// A kind without attributes (add, softmax, layernorm).
struct NoAttrs {};

struct Conv2dAttrs {
  int64_t out_channels = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;  // groups == C == out_channels is depthwise
  // "same" padding: shape inference replaces pad_* with the TensorFlow convention (total padding
  // max((ceil(H / stride) - 1) * stride + effective_kernel - H, 0), the odd unit at the bottom/right).
  bool same_padding = false;
};

struct MatmulAttrs {
  // With one input: the layer owns weights [K, out_features] (gemm / fully connected).
  // With two inputs (activation x activation, e.g. attention): out_features is 0.
  int64_t out_features = 0;
  bool transpose_b = false;  // second operand given as [..., N, K]
};

enum class PoolMode { kMax, kAvg };
const char* to_string(PoolMode m);  // "max", "avg"
bool parse_pool_mode(const std::string& s, PoolMode* out);
std::vector<std::string> pool_mode_names();

struct PoolAttrs {
  PoolMode mode = PoolMode::kMax;
  bool global = false;  // window = whole H x W
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  bool same_padding = false;  // as Conv2dAttrs::same_padding
};

enum class ActivationFunc { kRelu, kRelu6, kGelu, kSigmoid, kTanh, kSilu, kHardSwish };
// "relu", "relu6", "gelu", "sigmoid", "tanh", "silu", "hardswish"
const char* to_string(ActivationFunc f);
bool parse_activation_func(const std::string& s, ActivationFunc* out);
std::vector<std::string> activation_func_names();
struct ActivationAttrs {
  ActivationFunc func = ActivationFunc::kRelu;
};

struct ReshapeAttrs {
  Shape shape;  // as written; may hold one -1
};
struct TransposeAttrs {
  std::vector<int64_t> perm;
};

}  // namespace systole
