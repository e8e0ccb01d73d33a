// Hand-built Networks and ArchSpecs for the compiler tests: every Layer field that shape inference
// would fill (input_shapes, output_shape, macs, vector_ops, weight_elements) is computed here, so
// the tests do not depend on the workload loader.
#pragma once

#include <string>
#include <vector>

#include "systole/compiler/compiler.h"

namespace systole {
namespace testnet {

inline ArchSpec arch(int64_t rows, int64_t cols, Dataflow df, int64_t ifmap_kib = 64, int64_t weight_kib = 64,
                     int64_t ofmap_kib = 64) {
  ArchSpec a;
  a.name = "test";
  a.core.array.rows = rows;
  a.core.array.cols = cols;
  a.core.array.dataflow = df;
  a.core.scratchpads.declare("ifmap") = {ifmap_kib, 32, 32};
  a.core.scratchpads.declare("weight") = {weight_kib, 32, 32};
  a.core.scratchpads.declare("ofmap") = {ofmap_kib, 32, 32};
  a.dram.kind = DramKind::kSimple;
  return a;
}

inline ArchSpec scalesim_arch(int64_t rows, int64_t cols, Dataflow df, int64_t kib) {
  ArchSpec a = arch(rows, cols, df, kib, kib, kib);
  a.core.array.scalesim_compat = true;
  a.core.array.microarch = ArrayMicroarch::scalesim();
  a.dram.kind = DramKind::kIdeal;
  return a;
}

class Builder {
 public:
  explicit Builder(std::string name) { m_net.name = std::move(name); }

  Builder& input(const std::string& name, Shape shape) {
    m_net.inputs.push_back({name, std::move(shape), DataType::kInt8, ""});
    return *this;
  }

  Builder& conv(const std::string& name, const std::string& in, int64_t oc, int64_t kh, int64_t kw,
                int64_t stride = 1, int64_t pad = 0, int64_t dilation = 1, int64_t groups = 1) {
    const Shape s = shape_of(in);
    Conv2dAttrs a;
    a.out_channels = oc;
    a.kernel_h = kh, a.kernel_w = kw;
    a.stride_h = a.stride_w = stride;
    a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = pad;
    a.dilation_h = a.dilation_w = dilation;
    a.groups = groups;
    const int64_t ho = (s[2] + 2 * pad - dilation * (kh - 1) - 1) / stride + 1;
    const int64_t wo = (s[3] + 2 * pad - dilation * (kw - 1) - 1) / stride + 1;
    Layer l = base(name, LayerKind::kConv2d, {in}, a);
    l.output_shape = {s[0], oc, ho, wo};
    l.weight_elements = oc * (s[1] / groups) * kh * kw;
    l.macs = s[0] * oc * ho * wo * (s[1] / groups) * kh * kw;
    return add(std::move(l));
  }

  // One input: weights [K, out_features]. Two inputs: activation x activation.
  Builder& matmul(const std::string& name, const std::vector<std::string>& ins, int64_t out_features = 0,
                  bool transpose_b = false) {
    MatmulAttrs a;
    a.out_features = out_features;
    a.transpose_b = transpose_b;
    Layer l = base(name, LayerKind::kMatmul, ins, a);
    Shape out = l.input_shapes[0];
    const int64_t k = out.back();
    int64_t n = out_features;
    if (ins.size() == 2) {
      const Shape& b = l.input_shapes[1];
      n = transpose_b ? b[b.size() - 2] : b.back();
    } else {
      l.weight_elements = k * n;
    }
    out.back() = n;
    l.output_shape = out;
    l.macs = num_elements(out) * k;
    return add(std::move(l));
  }

  Builder& activation(const std::string& name, const std::string& in,
                      ActivationFunc f = ActivationFunc::kRelu) {
    Layer l = base(name, LayerKind::kActivation, {in}, ActivationAttrs{f});
    l.output_shape = l.input_shapes[0];
    l.vector_ops = num_elements(l.output_shape);
    return add(std::move(l));
  }

  Builder& add_layer(const std::string& name, const std::string& a, const std::string& b) {
    Layer l = base(name, LayerKind::kAdd, {a, b}, NoAttrs{});
    l.output_shape = l.input_shapes[0];
    l.vector_ops = num_elements(l.output_shape);
    return add(std::move(l));
  }

  Builder& pool(const std::string& name, const std::string& in, int64_t k, int64_t stride,
                bool global = false) {
    PoolAttrs a;
    a.global = global;
    a.kernel_h = a.kernel_w = k;
    a.stride_h = a.stride_w = stride;
    Layer l = base(name, LayerKind::kPool, {in}, a);
    const Shape& s = l.input_shapes[0];
    l.output_shape = global ? Shape{s[0], s[1], 1, 1}
                            : Shape{s[0], s[1], (s[2] - k) / stride + 1, (s[3] - k) / stride + 1};
    l.vector_ops = num_elements(l.output_shape) * (global ? s[2] * s[3] : k * k);
    return add(std::move(l));
  }

  Builder& softmax(const std::string& name, const std::string& in) {
    Layer l = base(name, LayerKind::kSoftmax, {in}, NoAttrs{});
    l.output_shape = l.input_shapes[0];
    l.vector_ops = num_elements(l.output_shape) * kSoftmaxOpsPerElement;
    return add(std::move(l));
  }

  Builder& reshape(const std::string& name, const std::string& in, Shape shape) {
    Layer l = base(name, LayerKind::kReshape, {in}, ReshapeAttrs{shape});
    l.output_shape = shape;
    return add(std::move(l));
  }

  Builder& transpose(const std::string& name, const std::string& in, std::vector<int64_t> perm) {
    Layer l = base(name, LayerKind::kTranspose, {in}, TransposeAttrs{perm});
    for (int64_t p : perm) l.output_shape.push_back(l.input_shapes[0][static_cast<size_t>(p)]);
    return add(std::move(l));
  }

  Network build() const { return m_net; }

 private:
  Shape shape_of(const std::string& name) const {
    if (const Layer* l = m_net.find_layer(name)) return l->output_shape;
    for (const TensorInput& t : m_net.inputs) {
      if (t.name == name) return t.shape;
    }
    throw std::runtime_error("test network: unknown tensor " + name);
  }
  Layer base(const std::string& name, LayerKind kind, const std::vector<std::string>& ins,
             LayerAttrs attrs) const {
    Layer l;
    l.name = name;
    l.kind = kind;
    l.inputs = ins;
    l.attrs = std::move(attrs);
    for (const std::string& in : ins) l.input_shapes.push_back(shape_of(in));
    return l;
  }
  Builder& add(Layer l) {
    m_net.layers.push_back(std::move(l));
    return *this;
  }
  Network m_net;
};

// MACs performed by all MATMULs of a program (m * n * k each).
inline int64_t total_macs(const Program& p) {
  int64_t s = 0;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kMatmul) s += static_cast<int64_t>(in.matmul().m * in.matmul().n * in.matmul().k);
  }
  return s;
}

// Bytes LOADed into buffer b, by one layer (or all layers when layer < 0).
inline int64_t load_bytes(const Program& p, Buffer b, int layer = -1) {
  int64_t s = 0;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kLoad && in.dma().buffer == b &&
        (layer < 0 || in.layer == static_cast<uint32_t>(layer))) {
      s += static_cast<int64_t>(in.dma().bytes());
    }
  }
  return s;
}

}  // namespace testnet
}  // namespace systole
