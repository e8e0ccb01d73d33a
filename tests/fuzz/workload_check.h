// Invariants of an accepted workload, shared by the YAML and CSV harnesses: "shapes are inferred
// and checked before return" (workload/loader.h), so every layer has a known output shape with
// positive dimensions whose element count fits int64, every input names a network input or an
// earlier layer, costs are >= 0 and the network's total MACs does not overflow. Loading the same
// text twice gives the same network.
#pragma once

#include <set>
#include <string>

#include <fmt/format.h>

#include "fuzz_support.h"
#include "systole/workload/batch.h"
#include "systole/workload/loader.h"

namespace systole::fuzz {

inline bool fits_elements(const Shape& s) {
  __int128 n = 1;
  for (int64_t d : s) {
    if (d < 1) return false;
    n *= d;
    if (n > INT64_MAX) return false;
  }
  return true;
}

// A text form of everything the loader produced, for the determinism check.
inline std::string describe(const Network& net) {
  std::string out = fmt::format("{}|{}|{}\n", net.name, net.source_path, net.source);
  for (const auto& in : net.inputs)
    out += fmt::format("in {} {} {} {}\n", in.name, shape_str(in.shape), to_string(in.dtype), in.npy_path);
  for (const auto& l : net.layers) {
    out += fmt::format("layer {} {} {} ->{} {} macs={} vec={} w={} npy={}\n", l.name, to_string(l.kind),
                       fmt::join(l.inputs, ","), shape_str(l.output_shape), to_string(l.dtype), l.macs,
                       l.vector_ops, l.weight_elements, l.weights_npy_path);
    for (const auto& s : l.input_shapes) out += "  " + shape_str(s) + "\n";
  }
  return out;
}

inline void check_network(const Network& net, const std::string& what) {
  for (const auto& in : net.inputs) {
    FUZZ_CHECK(!in.shape.empty() && fits_elements(in.shape),
               what + ": accepted input '" + in.name + "' has shape " + shape_str(in.shape));
  }
  __int128 total = 0;
  std::set<std::string> earlier;  // layer names before i: a decoder spec generates thousands of layers
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    auto at = [&] { return what + ": accepted layer '" + l.name + "'"; };
    FUZZ_CHECK(!l.output_shape.empty() && fits_elements(l.output_shape),
               at() + " has output shape " + shape_str(l.output_shape));
    FUZZ_CHECK(l.input_shapes.size() == l.inputs.size(), at() + ": input_shapes and inputs differ in count");
    for (const auto& s : l.input_shapes)
      FUZZ_CHECK(fits_elements(s), at() + " has input shape " + shape_str(s));
    FUZZ_CHECK(l.macs >= 0 && l.vector_ops >= 0 && l.weight_elements >= 0, at() + " has a negative cost");
    for (const auto& name : l.inputs) {
      const bool found = net.find_input(name) != nullptr || earlier.count(name) > 0;
      FUZZ_CHECK(found, at() + " reads '" + name + "', neither a network input nor an earlier layer");
    }
    total += l.macs;
    earlier.insert(l.name);
  }
  FUZZ_CHECK(total <= INT64_MAX, what + ": total MACs overflow int64");
}

inline void fuzz_workload(const std::string& text, bool csv) {
  const char* what = csv ? "workload CSV" : "workload YAML";
  // A source name in a directory that does not exist: npy paths resolve against it and are absent.
  const std::string source = csv ? "fuzz/workload.csv" : "fuzz/workload.yaml";
  Network net;
  if (!accepts("load_network_from_string", [&] { net = load_network_from_string(text, source, csv); }))
    return;
  holds("invariants", [&] {
    check_network(net, what);
    Network again = load_network_from_string(text, source, csv);
    FUZZ_CHECK(describe(net) == describe(again), std::string(what) + ": loading the same text twice differs");
  });
  // Another batch (--batch, layer pipelining): refused with a WorkloadError, or the same network
  // with every shape's leading dimension and the MACs scaled by the batch.
  int64_t batch = 0;
  if (!accepts("network_batch", [&] { batch = network_batch(net); }) || batch > (int64_t{1} << 30)) return;
  Network twice;
  if (!accepts("with_batch", [&] { twice = with_batch(net, 2 * batch); })) return;
  holds("with_batch", [&] {
    check_network(twice, std::string(what) + " at twice its batch");
    for (size_t i = 0; i < net.layers.size(); ++i) {
      FUZZ_CHECK(twice.layers[i].output_shape[0] == 2 * net.layers[i].output_shape[0],
                 std::string(what) + ": layer '" + net.layers[i].name + "' at twice the batch has output " +
                     shape_str(twice.layers[i].output_shape));
    }
    FUZZ_CHECK(twice.total_macs() == 2 * net.total_macs(),
               std::string(what) + ": twice the batch is not twice the MACs");
  });
}

}  // namespace systole::fuzz
