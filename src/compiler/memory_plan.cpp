// DRAM placement: network inputs first, then per layer (in layer order) its output tensor and its
// weights "<layer>.weight", each at the next 64-byte aligned address. Layout-only layers
// (reshape, transpose) and fused activations allocate nothing: their output is a view of their
// producer's tensor, recorded with the producer's address.
#include <algorithm>

#include "lowering.h"
#include "systole/common/error.h"

namespace systole {
namespace compiler_detail {
namespace {

constexpr uint64_t kAlignBytes = 64;  // DRAM burst / cache-line alignment of every tensor

std::vector<int64_t> contiguous_strides(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

}  // namespace

ElementBytes element_bytes(const ArchSpec& arch) {
  return {bytes_of(arch.core.array.input_type), bytes_of(arch.core.array.weight_type),
          bytes_of(arch.core.array.accumulator_type)};
}

std::vector<int> find_fusions(const Network& net) {
  std::map<std::string, int> consumers;
  for (const Layer& l : net.layers) {
    for (const std::string& in : l.inputs) ++consumers[in];
  }
  std::vector<int> fused(net.layers.size(), -1);
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (l.kind != LayerKind::kActivation || l.inputs.size() != 1) continue;
    const ActivationFunc f = l.as<ActivationAttrs>().func;
    if (f != ActivationFunc::kRelu && f != ActivationFunc::kRelu6) continue;
    for (size_t j = 0; j < i; ++j) {
      const Layer& p = net.layers[j];
      if (p.name != l.inputs[0]) continue;
      if ((p.kind == LayerKind::kConv2d || p.kind == LayerKind::kMatmul) && consumers[p.name] == 1 &&
          fused[j] < 0) {
        fused[i] = static_cast<int>(j);
      }
    }
  }
  return fused;
}

MemoryPlan plan_memory(const ArchSpec& arch, const Network& net) {
  const ElementBytes eb = element_bytes(arch);
  MemoryPlan plan;
  plan.fused_into = find_fusions(net);
  uint64_t next = 0;
  auto place = [&](const std::string& name, uint64_t bytes) {
    const uint64_t addr = next;
    plan.tensors.push_back({name, addr, bytes});
    next = align_up(addr + std::max<uint64_t>(bytes, 1), kAlignBytes);
    return addr;
  };
  auto view_of = [&](const std::string& name, const Layer& user) -> const TensorView& {
    auto it = plan.views.find(name);
    if (it == plan.views.end()) {
      throw InternalError("layer '" + user.name + "' reads unknown tensor '" + name + "'");
    }
    return it->second;
  };
  for (const TensorInput& in : net.inputs) {
    const uint64_t bytes = static_cast<uint64_t>(num_elements(in.shape) * eb.act);
    const uint64_t addr = place(in.name, bytes);
    plan.views[in.name] = {addr, in.shape, contiguous_strides(in.shape), -1};
  }
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const uint64_t out_bytes = static_cast<uint64_t>(num_elements(l.output_shape) * eb.act);
    TensorView v;
    if (l.kind == LayerKind::kReshape || l.kind == LayerKind::kTranspose || plan.fused_into[i] >= 0) {
      const TensorView& src = view_of(l.inputs.at(0), l);
      v.addr = src.addr;
      v.shape = l.output_shape;
      v.source_layer = plan.fused_into[i] >= 0 ? plan.fused_into[i] : src.source_layer;
      if (l.kind == LayerKind::kTranspose && src.strides.size() == l.output_shape.size()) {
        // Output axis a is input axis perm[a]: the consumer's DMA walks the producer's strides.
        const auto& perm = l.as<TransposeAttrs>().perm;
        for (int64_t a : perm) v.strides.push_back(src.strides.at(static_cast<size_t>(a)));
      } else {
        // Reshape (and fused activations) keep the producer's contiguous layout. A reshape of a
        // permuted view has no single stride per axis; it is treated as if the producer had been
        // materialised contiguously (a documented approximation).
        v.strides = contiguous_strides(l.output_shape);
      }
      plan.tensors.push_back({l.name, v.addr, out_bytes});
    } else {
      v.addr = place(l.name, out_bytes);
      v.shape = l.output_shape;
      v.strides = contiguous_strides(l.output_shape);
      v.source_layer = static_cast<int>(i);
    }
    plan.views[l.name] = v;
    if (l.weight_elements > 0) {
      plan.weights[l.name] = place(l.name + ".weight", static_cast<uint64_t>(l.weight_elements * eb.weight));
    }
  }
  return plan;
}

}  // namespace compiler_detail
}  // namespace systole
