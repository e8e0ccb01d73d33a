// Shape inference over the graph (see network.h for the IR contract): names, order, arity and
// index inputs are checked here; each layer's own shapes and costs are its operator's infer()
// (workload/operator.h, src/ops/). Every product and sum of sizes is overflow-checked: a tensor's
// bytes (elements x dtype size), a layer's MAC, vector-op and weight counts, and the network's
// totals of those fit int64, or the layer is refused naming the count that overflows
// (docs/compiler.md "Limits").
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/loader.h"
#include "systole/workload/network.h"
#include "systole/workload/operator.h"

namespace systole {
namespace {

using shape_math::elements;
using shape_math::product;
using shape_math::sum;

// Running totals over the network; each must fit int64 (Network::total_macs() relies on it).
struct Totals {
  int64_t macs = 0, vector_ops = 0, weight_elements = 0;
};

// Refuses a layer whose output bytes or counts overflow int64, or whose counts make the network's
// totals overflow; adds its counts to `totals` otherwise.
void check_sizes(LayerCheck& c, const Layer& l, Totals* totals) {
  const int64_t elems = elements(l.output_shape);
  const int64_t bytes = product({elems, bytes_of(l.dtype)});
  if (elems < 0 || bytes < 0) {
    c.fail(
        "", shape_str(l.output_shape),
        fmt::format("sizes too large: the output tensor's {} bytes (elements x {} B of {}) overflow 64 bits",
                    elems < 0 ? "element count and" : std::to_string(elems) + " elements and its",
                    bytes_of(l.dtype), to_string(l.dtype)));
    return;
  }
  const struct {
    int64_t value;
    int64_t* total;
    const char* what;
  } counts[] = {{l.macs, &totals->macs, "multiply-accumulate (MAC) count"},
                {l.vector_ops, &totals->vector_ops, "vector-unit operation count"},
                {l.weight_elements, &totals->weight_elements, "weight element count"}};
  for (const auto& n : counts) {
    if (n.value < 0) {
      c.fail("", shape_str(l.output_shape),
             fmt::format("sizes too large: the layer's {} overflows 64 bits", n.what));
      return;
    }
  }
  for (const auto& n : counts) {
    if (sum(*n.total, n.value) < 0) {
      c.fail("", shape_str(l.output_shape),
             fmt::format("sizes too large: the network's total {} overflows 64 bits at this layer ({} + {})",
                         n.what, *n.total, n.value));
      return;
    }
  }
  for (const auto& n : counts) *n.total += n.value;
}

// Edit-distance suggestions cost O(names x length^2) each; past this many unknown inputs the
// rest are reported without one, so that a file of 10^5 misspelt inputs stays linear.
constexpr int kMaxSuggestions = 16;

std::string closest_name(const std::string& name, const std::vector<std::string>& known) {
  // Smallest edit distance, ties broken by name order (`known` is sorted: deterministic).
  std::string best;
  size_t best_d = name.size() / 3 + 2;
  for (const std::string& cand : known) {
    std::vector<size_t> row(cand.size() + 1);
    for (size_t j = 0; j <= cand.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= name.size(); ++i) {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= cand.size(); ++j) {
        size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (name[i - 1] == cand[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    if (row[cand.size()] < best_d) {
      best_d = row[cand.size()];
      best = cand;
    }
  }
  return best;
}

// Index tensors (gather's indices) are network inputs of dtype int32, stored as int32 whatever
// the array's number format, and read by nothing that takes them for data.
void check_index_inputs(LayerCheck& c, const Network& net, const Layer& l,
                        const std::map<std::string, int64_t>& index_tensors) {
  const IOperator& op = operator_of(l.kind);
  for (size_t i = 0; i < l.inputs.size(); ++i) {
    const std::string& in = l.inputs[i];
    const TensorInput* t = net.find_input(in);
    if (op.index_limit(l, i) > 0) {
      if (t == nullptr) {
        c.fail("input", in, "indices come from a network input of dtype int32, not from a layer's output");
      } else if (t->dtype != DataType::kInt32) {
        c.fail("input", in,
               fmt::format("index input '{}' must have dtype int32 (it has {}): indices are stored as int32",
                           in, to_string(t->dtype)));
      }
    } else if (t != nullptr && index_tensors.count(in)) {
      c.fail("input", in,
             fmt::format("network input '{}' holds indices (an index input of another layer) and cannot be "
                         "read as data",
                         in));
    }
  }
}

}  // namespace

void infer_shapes(Network& net) {
  DiagnosticList diags;
  const std::string& file = net.source_path;
  // Tensors visible so far: network inputs, then each layer once it is reached.
  std::map<std::string, Shape> shapes;
  std::map<std::string, DataType> dtypes;
  std::map<std::string, std::optional<QuantParams>> quants;  // of every known tensor
  std::map<std::string, size_t> producer_index;              // layer name -> index (all layers)
  std::set<std::string> failed;                              // layers whose output is unknown
  for (const TensorInput& t : net.inputs) {
    if (shapes.count(t.name)) {
      diags.add({file, 0, "inputs", t.name, "duplicate network input name"});
      continue;
    }
    bool positive = !t.shape.empty();
    for (int64_t d : t.shape) positive = positive && d >= 1;
    if (!positive) {
      diags.add({file, 0, "inputs." + t.name + ".shape", shape_str(t.shape), "dimensions must be >= 1"});
    } else if (elements(t.shape) < 0) {
      diags.add(
          {file, 0, "inputs." + t.name + ".shape", shape_str(t.shape), "element count overflows 64 bits"});
    } else if (product({elements(t.shape), bytes_of(t.dtype)}) < 0) {
      diags.add({file, 0, "inputs." + t.name + ".shape", shape_str(t.shape),
                 fmt::format("{} elements x {} B of {} overflow 64 bits", elements(t.shape),
                             bytes_of(t.dtype), to_string(t.dtype))});
    }
    if (t.quant && is_integer(t.dtype) &&
        (t.quant->zero_point < int_min(t.dtype) || t.quant->zero_point > int_max(t.dtype))) {
      diags.add({file, 0, "inputs." + t.name + ".quant.zero_point", std::to_string(t.quant->zero_point),
                 fmt::format("must lie within the input's {} range [{}, {}]", to_string(t.dtype),
                             int_min(t.dtype), int_max(t.dtype))});
    }
    shapes[t.name] = t.shape;
    dtypes[t.name] = t.dtype;
    quants[t.name] = t.quant;
  }
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (producer_index.count(l.name) || shapes.count(l.name)) {
      diags.add({file, l.source_line, layer_key(l, i) + ".name", l.name,
                 "duplicate name: layer and input names must be unique"});
      continue;
    }
    producer_index[l.name] = i;
  }

  const std::map<std::string, int64_t> index_tensors = index_inputs(net);
  std::map<std::string, size_t> extended;  // inputs extended in place -> the layer doing it
  Totals totals;
  int suggestions = 0;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    Layer& l = net.layers[i];
    LayerCheck check(net, l, i, &diags);
    l.input_shapes.clear();
    l.input_quant.clear();
    l.output_shape.clear();
    l.macs = l.vector_ops = l.weight_elements = 0;
    const IOperator& op = operator_of(l.kind);
    auto [lo, hi] = op.arity();
    if (l.inputs.size() < lo || l.inputs.size() > hi) {
      check.fail("inputs", std::to_string(l.inputs.size()),
                 lo == hi ? fmt::format("takes exactly {} input", lo)
                          : fmt::format("takes {} to {} inputs", lo, hi));
    }
    bool inputs_known = true;
    for (const std::string& in : l.inputs) {
      if (failed.count(in)) {
        inputs_known = false;  // already reported at its producer
      } else if (shapes.count(in) && !(producer_index.count(in) && producer_index[in] >= i)) {
        l.input_shapes.push_back(shapes[in]);
        l.input_quant.push_back(quants[in]);
      } else if (producer_index.count(in)) {
        check.fail("input", in,
                   producer_index[in] == i
                       ? std::string("a layer cannot consume its own output (cycle)")
                       : fmt::format("'{}' is defined later ({}); layers must be in topological order "
                                     "and the graph acyclic",
                                     in, layer_key(net.layers[producer_index[in]], producer_index[in])));
      } else if (producer_index.count(in + ":0")) {
        // A layer with several outputs (split) was expanded into its parts: name one.
        size_t parts = 1;
        while (producer_index.count(fmt::format("{}:{}", in, parts))) ++parts;
        check.fail("input", in,
                   fmt::format("'{}' has {} outputs, each a tensor of its own: name one of '{}:0' .. '{}:{}'",
                               in, parts, in, in, parts - 1));
      } else {
        std::string hint;
        if (suggestions++ < kMaxSuggestions) {
          std::vector<std::string> known;  // sorted: `shapes` is ordered by name
          for (const auto& [name, unused] : shapes) known.push_back(name);
          hint = closest_name(in, known);
        }
        check.fail("input", in,
                   "unknown input: not a network input or an earlier layer" +
                       (hint.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", hint)));
      }
    }
    if (check.ok() && inputs_known) check_index_inputs(check, net, l, index_tensors);
    if (check.ok() && inputs_known) {
      l.dtype = dtypes[l.inputs[0]];
      if (l.quant && is_integer(l.dtype) &&
          (l.quant->zero_point < int_min(l.dtype) || l.quant->zero_point > int_max(l.dtype))) {
        check.fail("quant.zero_point", std::to_string(l.quant->zero_point),
                   fmt::format("must lie within the layer's {} range [{}, {}]", to_string(l.dtype),
                               int_min(l.dtype), int_max(l.dtype)));
      }
      op.infer(check, l);
      if (check.ok()) check_sizes(check, l, &totals);
    }
    if (check.ok() && inputs_known && op.appends_in_place(l)) {
      // Its output takes the room after input 0 (compiler memory plan): one such layer per input.
      const auto [at, fresh] = extended.emplace(l.inputs[0], i);
      if (!fresh) {
        check.fail(
            "inputs", l.inputs[0],
            fmt::format("'{}' is already extended in place by {} ('{}'): a cache takes one append per run",
                        l.inputs[0], layer_key(net.layers[at->second], at->second),
                        net.layers[at->second].name));
      } else if (l.dtype != dtypes[l.inputs.back()]) {
        check.fail("inputs", l.inputs[0],
                   fmt::format("the cache '{}' is {} but the new tokens '{}' are {}", l.inputs[0],
                               to_string(l.dtype), l.inputs.back(), to_string(dtypes[l.inputs.back()])));
      }
    }
    if (!check.ok() || !inputs_known || l.output_shape.empty()) {
      failed.insert(l.name);
      continue;
    }
    if (!l.quant && op.passes_quant() && !l.input_quant.empty()) l.quant = l.input_quant[0];
    if (producer_index[l.name] == i) {
      shapes[l.name] = l.output_shape;
      dtypes[l.name] = l.dtype;
      quants[l.name] = l.quant;
    }
  }
  if (!diags.empty()) throw WorkloadError(diags.take());
}

}  // namespace systole
