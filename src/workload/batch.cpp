#include "systole/workload/batch.h"

#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/workload/loader.h"

namespace systole {

int64_t network_batch(const Network& net) {
  if (net.inputs.empty()) {
    throw WorkloadError(
        Diagnostic{net.source_path, 0, "inputs", "", "the network has no input to take a batch from"});
  }
  const TensorInput& first = net.inputs.front();
  for (const TensorInput& in : net.inputs) {
    if (in.shape.empty() || first.shape.empty() || in.shape[0] != first.shape[0]) {
      throw WorkloadError(Diagnostic{
          net.source_path, 0, "inputs." + in.name + ".shape", shape_str(in.shape),
          fmt::format("the batch is the leading dimension every network input shares; input '{}' is {} and "
                      "input '{}' is {}, so the network has no common batch",
                      first.name, shape_str(first.shape), in.name, shape_str(in.shape))});
    }
  }
  return first.shape[0];
}

Network with_batch(const Network& net, int64_t batch) {
  const int64_t old = network_batch(net);
  Network out = net;
  for (TensorInput& in : out.inputs) in.shape[0] = batch;
  try {
    infer_shapes(out);
  } catch (const WorkloadError& e) {
    std::vector<Diagnostic> diags = e.diagnostics();
    for (Diagnostic& d : diags) {
      d.rule += fmt::format(
          " (at a batch of {}: the layers must keep the batch as their leading dimension; "
          "a reshape takes any batch when its shape starts with -1)",
          batch);
    }
    throw WorkloadError(std::move(diags));
  }
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Shape& was = net.layers[i].output_shape;
    const Shape& now = out.layers[i].output_shape;
    const bool kept = !was.empty() && was.size() == now.size() && was[0] == old && now[0] == batch &&
                      std::equal(was.begin() + 1, was.end(), now.begin() + 1);
    if (!kept) {
      const Layer& l = net.layers[i];
      throw WorkloadError(Diagnostic{
          net.source_path, l.source_line, layer_key(l, i), l.name,
          fmt::format(
              "layer '{}' mixes the images: its output is {} for a batch of {} but {} for a batch of {}, "
              "not the batch as its leading dimension with the rest unchanged (a reshape takes any batch "
              "when its shape starts with -1)",
              l.name, shape_str(was), old, shape_str(now), batch)});
    }
  }
  return out;
}

}  // namespace systole
