// Network IR: a DAG of layers in topological order, with every output shape and dtype inferred
// and checked by workload/shape_inference. Tensors are N-d; convolution and pooling use NCHW.
// No SystemC here.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "systole/config/types.h"
#include "systole/numeric/shape.h"

namespace systole {

enum class LayerKind {
  kConv2d,      // NCHW input, weights [out_channels, C/groups, kh, kw]
  kMatmul,      // [..., M, K] x weights [K, N] (one input) or x activation [..., K, N] (two inputs)
  kPool,        // max/avg over NCHW spatial windows, or global
  kAdd,         // elementwise add of two equal-shaped tensors
  kActivation,  // elementwise function
  kSoftmax,     // softmax over the last axis
  kLayerNorm,   // layer normalisation over the last axis
  kReshape,     // layout only (zero cost): same elements, new shape; -1 infers one dimension
  kTranspose,   // layout only (zero cost): permutation of axes
};
// "conv2d", "matmul", "pool", "add", "activation", "softmax", "layernorm", "reshape", "transpose"
const char* to_string(LayerKind k);
bool parse_layer_kind(const std::string& s, LayerKind* out);
std::vector<std::string> layer_kind_names();

// Vector-unit operations per element for the normalisations (a cost model, not an exact count):
// softmax = max, exp(x - max), divide by the sum (the sum rides along with exp);
// layernorm = mean, variance, normalise, scale-and-shift.
inline constexpr int64_t kSoftmaxOpsPerElement = 3;
inline constexpr int64_t kLayerNormOpsPerElement = 4;

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

enum class ActivationFunc { kRelu, kRelu6, kGelu, kSigmoid, kTanh };
const char* to_string(ActivationFunc f);  // "relu", "relu6", "gelu", "sigmoid", "tanh"
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

struct NoAttrs {};

using LayerAttrs =
    std::variant<NoAttrs, Conv2dAttrs, MatmulAttrs, PoolAttrs, ActivationAttrs, ReshapeAttrs, TransposeAttrs>;

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::kConv2d;
  std::vector<std::string> inputs;  // names of producer layers or network inputs
  LayerAttrs attrs;
  int source_line = 0;  // line in the workload file, for error messages

  // Filled by shape inference:
  std::vector<Shape> input_shapes;
  Shape output_shape;
  DataType dtype = DataType::kInt8;
  int64_t macs = 0;        // multiply-accumulates; 0 for non-MAC layers
  int64_t vector_ops = 0;  // elementwise operations on the vector unit
  // Parameters the layer owns: conv and one-input matmul weights, layernorm scale and shift
  // (2 x last dim); 0 otherwise. Biases (and batchnorm folded into them) are not counted.
  int64_t weight_elements = 0;
  // Functional simulation: a .npy file holding this layer's weights (YAML `weights_npy`, conv2d and
  // matmul only), resolved like TensorInput::npy_path; "" = seeded random weights.
  std::string weights_npy_path;

  template <typename T>
  const T& as() const {
    return std::get<T>(attrs);
  }
};

struct TensorInput {
  std::string name;
  Shape shape;
  DataType dtype = DataType::kInt8;
  // Functional simulation: a .npy file holding this input (YAML `npy`), resolved against the
  // workload file's directory and checked to exist at load time; "" = seeded random data.
  std::string npy_path;
};

struct Network {
  std::string name;
  std::string source_path;
  std::string source;  // free-text provenance of the shapes (YAML `source`); may be empty
  std::vector<TensorInput> inputs;
  std::vector<Layer> layers;  // topological order; each input names an input or an earlier layer

  // Sum of the layers' MACs. infer_shapes guarantees it fits int64; a network that did not pass
  // it and overflows gets a WorkloadError naming the layer, never a wrapped sum.
  int64_t total_macs() const;
  const Layer* find_layer(const std::string& name) const;
  const TensorInput* find_input(const std::string& name) const;
};

}  // namespace systole
