// Network IR: a DAG of layers in topological order, with every output shape and dtype inferred
// and checked by workload/shape_inference. Tensors are N-d; convolution and pooling use NCHW.
// What a kind means (its attributes, shapes, lowering and reference) is its operator's business
// (workload/operator.h, src/ops/). No SystemC here.
#pragma once

#include <any>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "systole/config/types.h"
#include "systole/numeric/quantized.h"
#include "systole/numeric/shape.h"
#include "systole/numeric/tensor.h"
#include "systole/workload/layer_attrs.h"

namespace systole {

// A layer's kind: the name its operator is registered under (workload/operator.h; the operators
// themselves are in src/ops/, one file each, docs/operators.md). A LayerKind holds a pointer to a
// name with static storage: the operator's name, or one of the constants below.
class LayerKind {
 public:
  constexpr LayerKind() = default;
  constexpr explicit LayerKind(const char* name) : m_name(name) {}
  const char* name() const { return m_name; }
  friend bool operator==(const LayerKind& a, const LayerKind& b) {
    return std::strcmp(a.m_name, b.m_name) == 0;
  }
  friend bool operator!=(const LayerKind& a, const LayerKind& b) { return !(a == b); }

  // The kinds that code outside their operator files names (the CSV loader, tests). A new
  // operator needs no constant here.
  static const LayerKind kConv2d, kMatmul, kPool, kAdd, kActivation, kSoftmax, kLayerNorm, kReshape,
      kTranspose;

 private:
  const char* m_name = "";
};
inline constexpr LayerKind LayerKind::kConv2d{"conv2d"};
inline constexpr LayerKind LayerKind::kMatmul{"matmul"};
inline constexpr LayerKind LayerKind::kPool{"pool"};
inline constexpr LayerKind LayerKind::kAdd{"add"};
inline constexpr LayerKind LayerKind::kActivation{"activation"};
inline constexpr LayerKind LayerKind::kSoftmax{"softmax"};
inline constexpr LayerKind LayerKind::kLayerNorm{"layernorm"};
inline constexpr LayerKind LayerKind::kReshape{"reshape"};
inline constexpr LayerKind LayerKind::kTranspose{"transpose"};

inline const char* to_string(const LayerKind& k) {
  return k.name();
}
std::ostream& operator<<(std::ostream& os, const LayerKind& k);  // the name (test output)
// The registered kind named `s` (not its YAML aliases: "gemm" is a spelling of matmul).
bool parse_layer_kind(const std::string& s, LayerKind* out);
// The registered kinds, in registration order (src/ops/operators.cpp).
std::vector<std::string> layer_kind_names();

// A layer's attributes: one value of its operator's attribute type (Conv2dAttrs, ..., NoAttrs for
// a kind without any), owned by the layer and copied with it. There is no list of the types: an
// operator stores what it parsed and reads it back with Layer::as<T>().
class LayerAttrs {
 public:
  LayerAttrs() : m_value(NoAttrs{}) {}
  template <typename T, typename = std::enable_if_t<!std::is_same_v<std::decay_t<T>, LayerAttrs>>>
  LayerAttrs(T value) : m_value(std::move(value)) {}  // NOLINT: implicit, as the variant was

  template <typename T>
  bool holds() const {
    return std::any_cast<T>(&m_value) != nullptr;
  }
  template <typename T>
  const T* get_if() const {
    return std::any_cast<T>(&m_value);
  }
  template <typename T>
  T* get_if() {
    return std::any_cast<T>(&m_value);
  }

 private:
  std::any m_value;
};

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::kConv2d;
  std::vector<std::string> inputs;  // names of producer layers or network inputs
  LayerAttrs attrs;
  int source_line = 0;  // line in the workload file, for error messages
  // Index of the layer's entry in the workload file's `layers` list, for key paths in errors
  // ("layers[3]"); -1 (layers built in code, CSV rows): its index in Network::layers. The two
  // differ after a split, which the loader expands into one layer per part.
  int source_index = -1;
  // The real value of the output's integers, real = scale x (q - zero_point) (YAML `quant`,
  // docs/numerics.md "Quantised vector functions"): the quantised functions (softmax, layernorm,
  // gelu, ...) write their output with it and read inputs with their producers'. Shape inference
  // gives a layer that only moves values (IOperator::passes_quant: reshape, transpose, concat,
  // split, kv_append) its first input's when it has none. Unset: the format's fixed parameters.
  std::optional<QuantParams> quant = std::nullopt;

  // Filled by shape inference:
  std::vector<Shape> input_shapes;
  std::vector<std::optional<QuantParams>> input_quant;  // each input's quant (its producer's)
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
  // Weights given in memory (an ONNX model's initializers, converted to the arch's weight format
  // by the importer): functional runs use them before weights_npy_path and seeded ones. Shape and
  // dtype are checked when the run writes them.
  std::shared_ptr<const Tensor> weights_data;

  // The attributes as its operator stored them; InternalError when they are of another type.
  template <typename T>
  const T& as() const {
    const T* a = attrs.get_if<T>();
    if (a == nullptr) attrs_mismatch();
    return *a;
  }
  template <typename T>
  T& as() {
    T* a = attrs.get_if<T>();
    if (a == nullptr) attrs_mismatch();
    return *a;
  }

 private:
  [[noreturn]] void attrs_mismatch() const;
};

// "layers[3]": the key path of layer `index` of a network (Layer::source_index when set).
std::string layer_key(const Layer& l, size_t index);

struct TensorInput {
  std::string name;
  Shape shape;
  DataType dtype = DataType::kInt8;
  // Functional simulation: a .npy file holding this input (YAML `npy`), resolved against the
  // workload file's directory and checked to exist at load time; "" = seeded random data.
  std::string npy_path;
  std::optional<QuantParams> quant = std::nullopt;  // YAML `quant`, as Layer::quant
};

// What a decoder workload (workload/decoder.h) generated: one step of LLM inference, for the
// report's per-token metrics. Empty (`phase` "") for any other workload.
struct DecoderStep {
  std::string family;         // "llama", "gpt2"
  std::string phase;          // "prefill" (the prompt's tokens) or "decode" (one token per sequence)
  int64_t batch = 0;          // sequences
  int64_t new_tokens = 0;     // tokens per sequence this step processes (decode: 1)
  int64_t cached_tokens = 0;  // tokens per sequence in the KV cache before the step (prefill: 0)
  int64_t layers = 0;         // decoder layers
  // Names of the tensors holding the KV cache (the kv_append layers' outputs), for the report's
  // KV-cache bytes.
  std::vector<std::string> kv_tensors;
  bool present() const { return !phase.empty(); }
};

struct Network {
  std::string name;
  std::string source_path;
  std::string source;  // free-text provenance of the shapes (YAML `source`); may be empty
  // The workload's `dtype` (YAML top level): the default of its inputs, and the dtype of what a
  // layer produces from tables rather than from its inputs (gather).
  DataType dtype = DataType::kInt8;
  std::vector<TensorInput> inputs;
  std::vector<Layer> layers;  // topological order; each input names an input or an earlier layer
  DecoderStep decoder;        // set by the decoder generator only

  // Sum of the layers' MACs. infer_shapes guarantees it fits int64; a network that did not pass
  // it and overflows gets a WorkloadError naming the layer, never a wrapped sum.
  int64_t total_macs() const;
  const Layer* find_layer(const std::string& name) const;
  const TensorInput* find_input(const std::string& name) const;
};

}  // namespace systole
