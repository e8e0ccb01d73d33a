// DRAM placement: network inputs first, then per layer (in layer order) its output tensor and its
// weights "<layer>.weight", each at the next 64-byte aligned address. An input a layer extends in
// place (kv_append's cache) gets room for that layer's output, which is placed at its address.
// Layout-only layers (views: workload/operator.h LayoutView) and fused activations allocate
// nothing: their output is a view of their producer's tensor, recorded with the producer's address.
#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/operator_lowering.h"
#include "systole/workload/layout.h"
#include "systole/workload/operator.h"

namespace systole {
namespace lowering {
namespace {

constexpr uint64_t kAlignBytes = 64;  // DRAM burst / cache-line alignment of every tensor

}  // namespace

std::vector<int64_t> contiguous_strides(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

ElementBytes element_bytes(const ArchSpec& arch) {
  return {bytes_of(arch.core.array.input_type), bytes_of(arch.core.array.weight_type),
          bytes_of(arch.core.array.accumulator_type)};
}

// O(n log n): the producer of each activation is found through a name index of the layers before
// it (the latest of that name, should names repeat), not by scanning them.
std::vector<int> find_fusions(const Network& net) {
  std::map<std::string, int> consumers;
  for (const Layer& l : net.layers) {
    for (const std::string& in : l.inputs) ++consumers[in];
  }
  std::vector<int> fused(net.layers.size(), -1);
  std::map<std::string, size_t> earlier;  // layer name -> index, of layers before i
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (l.inputs.size() == 1 && lowering_of(l.kind).fusable_activation(l)) {
      const auto it = earlier.find(l.inputs[0]);
      if (it != earlier.end()) {
        const size_t j = it->second;
        const Layer& p = net.layers[j];
        if (lowering_of(p.kind).takes_fused_activation() && consumers[p.name] == 1 && fused[j] < 0) {
          fused[i] = static_cast<int>(j);
        }
      }
    }
    earlier[l.name] = i;
  }
  return fused;
}

MemoryPlan plan_memory(const ArchSpec& arch, const Network& net) {
  const ElementBytes eb = element_bytes(arch);
  MemoryPlan plan;
  plan.fused_into = find_fusions(net);
  uint64_t next = 0;
  // Bytes of `count` elements of `elem_bytes` each; a WorkloadError (naming `what` at `line`, key
  // `key`) when the tensors placed so far plus this one would pass kMaxDramBytes.
  auto bytes_of_tensor = [&](int64_t count, int64_t elem_bytes, int line, const std::string& key,
                             const std::string& value, const std::string& what) {
    int64_t bytes = 0;
    const bool overflow = count < 0 || __builtin_mul_overflow(count, elem_bytes, &bytes);
    if (overflow || next > kMaxDramBytes || static_cast<uint64_t>(bytes) > kMaxDramBytes - next) {
      const std::string size = overflow
                                   ? fmt::format("{} elements x {} B overflows 64 bits", count, elem_bytes)
                                   : fmt::format("{} elements x {} B = {} B", count, elem_bytes, bytes);
      throw WorkloadError(Diagnostic{
          net.source_path, line, key, value,
          fmt::format(
              "{}: {}; with the {} B placed before it, the tensors exceed the DRAM limit of 2^48 B (256 TiB, "
              "a 48-bit physical address space; docs/compiler.md \"Limits\")",
              what, size, next)});
    }
    return static_cast<uint64_t>(bytes);
  };
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
  const std::map<std::string, int64_t> index_tensors = index_inputs(net);
  // Inputs a layer extends in place (kv_append's cache): the room its whole output needs is
  // reserved at the input's address (shape inference: one such layer per input).
  std::map<std::string, size_t> extended_by;  // input name -> index of the layer extending it
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (operator_of(l.kind).appends_in_place(l)) extended_by[l.inputs.at(0)] = i;
  }
  for (const TensorInput& in : net.inputs) {
    // Index inputs (gather's) hold int32 indices; every other input holds activations.
    const int64_t elem = index_tensors.count(in.name) ? bytes_of(DataType::kInt32) : eb.act;
    const uint64_t bytes = bytes_of_tensor(num_elements(in.shape), elem, 0, "inputs." + in.name + ".shape",
                                           shape_str(in.shape), fmt::format("network input '{}'", in.name));
    uint64_t addr = 0;
    if (const auto ext = extended_by.find(in.name); ext != extended_by.end()) {
      const Layer& l = net.layers[ext->second];
      const uint64_t room =
          bytes_of_tensor(num_elements(l.output_shape) - num_elements(in.shape), elem, l.source_line,
                          layer_key(l, ext->second), shape_str(l.output_shape),
                          fmt::format("layer '{}' ({}): the room its output extends '{}' by", l.name,
                                      to_string(l.kind), in.name));
      addr = place(in.name, bytes + room);
      plan.tensors.back().bytes = bytes;
    } else {
      addr = place(in.name, bytes);
    }
    plan.views[in.name] = {addr, in.shape, contiguous_strides(in.shape), -1};
  }
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const std::string key = layer_key(l, i);
    const bool view = layout_of(net, l) != LayoutView::kNone || plan.fused_into[i] >= 0;
    const bool in_place = operator_of(l.kind).appends_in_place(l);
    // A view allocates nothing; its bytes equal its producer's (checked when that was placed).
    const uint64_t out_bytes =
        view ? static_cast<uint64_t>(num_elements(l.output_shape) * eb.act)
             : bytes_of_tensor(num_elements(l.output_shape), eb.act, l.source_line, key,
                               shape_str(l.output_shape),
                               fmt::format("layer '{}' ({}): output", l.name, to_string(l.kind)));
    TensorView v;
    if (view) {
      const TensorView& src = view_of(l.inputs.at(0), l);
      v.addr = src.addr;
      v.shape = l.output_shape;
      v.source_layer = plan.fused_into[i] >= 0 ? plan.fused_into[i] : src.source_layer;
      // Fused activations keep the producer's contiguous layout; a layout-only operator says how
      // it sees its source (reshape: contiguous; transpose: the source's strides, permuted).
      v.strides = plan.fused_into[i] >= 0 ? contiguous_strides(l.output_shape)
                                          : lowering_of(l.kind).view_strides(l, src);
      plan.tensors.push_back({l.name, v.addr, out_bytes});
    } else if (in_place) {
      // Its leading bytes are input 0's, which left room for the rest (above).
      v.addr = view_of(l.inputs.at(0), l).addr;
      v.shape = l.output_shape;
      v.strides = contiguous_strides(l.output_shape);
      v.source_layer = static_cast<int>(i);
      plan.tensors.push_back({l.name, v.addr, out_bytes});
    } else {
      v.addr = place(l.name, out_bytes);
      v.shape = l.output_shape;
      v.strides = contiguous_strides(l.output_shape);
      v.source_layer = static_cast<int>(i);
    }
    plan.views[l.name] = v;
    if (l.weight_elements > 0) {
      plan.weights[l.name] = place(
          l.name + ".weight",
          bytes_of_tensor(l.weight_elements, eb.weight, l.source_line, key, std::to_string(l.weight_elements),
                          fmt::format("layer '{}' ({}): weights", l.name, to_string(l.kind))));
    }
  }
  return plan;
}

}  // namespace lowering
}  // namespace systole
