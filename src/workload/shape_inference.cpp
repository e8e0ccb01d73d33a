// Shape inference and cost counting for every layer kind (see network.h for the IR contract).
// Output sizes follow PyTorch's floor convention:
//   out = floor((in + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1.
// Every product and sum of sizes is overflow-checked: a tensor's bytes (elements x dtype size),
// a layer's MAC, vector-op and weight counts, and the network's totals of those fit int64, or the
// layer is refused naming the count that overflows (docs/compiler.md "Limits").
#include <algorithm>
#include <initializer_list>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/workload/loader.h"
#include "systole/workload/network.h"

namespace systole {
namespace {

// Reports problems of one layer with its file, line and key path ("layers[3].kernel").
class LayerCheck {
 public:
  LayerCheck(const Network& net, const Layer& layer, size_t index, DiagnosticList* out)
      : m_net(net), m_layer(layer), m_index(index), m_out(out) {}

  void fail(const std::string& key, const std::string& value, const std::string& rule) {
    std::string path = fmt::format("layers[{}]", m_index);
    if (!key.empty()) path += "." + key;
    m_out->add(Diagnostic{m_net.source_path, m_layer.source_line, path, value,
                          fmt::format("layer '{}' ({}): {}", m_layer.name, to_string(m_layer.kind), rule)});
    m_ok = false;
  }
  // Checks value >= minimum; returns whether it holds.
  bool at_least(const std::string& key, int64_t value, int64_t minimum) {
    if (value >= minimum) return true;
    fail(key, std::to_string(value), fmt::format("must be an integer >= {}", minimum));
    return false;
  }
  bool ok() const { return m_ok; }

 private:
  const Network& m_net;
  const Layer& m_layer;
  size_t m_index;
  DiagnosticList* m_out;
  bool m_ok = true;
};

// Product of non-negative factors, or -1 when it overflows int64 (the caller reports it).
int64_t product(std::initializer_list<int64_t> factors) {
  int64_t p = 1;
  for (int64_t f : factors) {
    if (f < 0 || __builtin_mul_overflow(p, f, &p)) return -1;
  }
  return p;
}
int64_t elements(const Shape& s) {
  int64_t p = 1;
  for (int64_t d : s) {
    if (d < 0 || __builtin_mul_overflow(p, d, &p)) return -1;
  }
  return p;
}

// Sum of non-negative terms, or -1 when it overflows int64.
int64_t sum(int64_t a, int64_t b) {
  int64_t s = 0;
  return a < 0 || b < 0 || __builtin_add_overflow(a, b, &s) ? -1 : s;
}

// The extent a dilated kernel covers, dilation * (kernel - 1) + 1, or -1 when it overflows.
int64_t window_extent(int64_t kernel, int64_t dilation) {
  return sum(product({dilation, kernel - 1}), 1);
}

// TensorFlow "same": output = ceil(in / stride); the odd unit of padding goes after. Total padding
// (out - 1) * stride + effective_kernel - in, computed as effective_kernel - (in - (out - 1) * stride)
// so that no intermediate overflows (in >= 1, stride >= 1, effective_kernel >= 1).
void same_padding(int64_t in, int64_t effective_kernel, int64_t stride, int64_t* before, int64_t* after) {
  const int64_t out = (in - 1) / stride + 1;
  const int64_t total = std::max<int64_t>(effective_kernel - (in - (out - 1) * stride), 0);
  *before = total / 2;
  *after = total - *before;
}

// Checks a 2-D window over an NCHW input and returns the output extent along one axis, or -1.
int64_t window_out(LayerCheck& c, const char* axis, int64_t in, int64_t kernel, int64_t dilation,
                   int64_t stride, int64_t pad_before, int64_t pad_after) {
  const int64_t effective = window_extent(kernel, dilation);
  if (effective < 0) {
    c.fail(dilation > 1 ? "dilation" : "kernel", std::to_string(dilation > 1 ? dilation : kernel),
           fmt::format("{} kernel extent dilation x (kernel - 1) + 1 = {} x {} + 1 overflows 64 bits", axis,
                       dilation, kernel - 1));
    return -1;
  }
  const int64_t padded = sum(sum(in, pad_before), pad_after);
  if (padded < 0) {
    c.fail("padding", std::to_string(std::max(pad_before, pad_after)),
           fmt::format("{} padded input {} + {} + {} overflows 64 bits", axis, in, pad_before, pad_after));
    return -1;
  }
  if (effective > padded) {
    c.fail("kernel", std::to_string(kernel),
           fmt::format(
               "{} kernel extent {} (dilation {}) is larger than the padded input {} ({} + padding {} + {})",
               axis, effective, dilation, padded, in, pad_before, pad_after));
    return -1;
  }
  return (padded - effective) / stride + 1;
}

bool expect_rank(LayerCheck& c, const Shape& s, size_t rank, const char* layout) {
  if (s.size() == rank) return true;
  c.fail("input", shape_str(s), fmt::format("needs a rank-{} input {}", rank, layout));
  return false;
}

void infer_conv(LayerCheck& c, Layer& l) {
  auto& a = std::get<Conv2dAttrs>(l.attrs);
  bool sizes_ok = c.at_least("out_channels", a.out_channels, 1) & c.at_least("kernel", a.kernel_h, 1) &
                  c.at_least("kernel", a.kernel_w, 1) & c.at_least("stride", a.stride_h, 1) &
                  c.at_least("stride", a.stride_w, 1) & c.at_least("dilation", a.dilation_h, 1) &
                  c.at_least("dilation", a.dilation_w, 1) & c.at_least("groups", a.groups, 1) &
                  c.at_least("padding", a.pad_top, 0) & c.at_least("padding", a.pad_bottom, 0) &
                  c.at_least("padding", a.pad_left, 0) & c.at_least("padding", a.pad_right, 0);
  const Shape& in = l.input_shapes[0];
  if (!expect_rank(c, in, 4, "[N, C, H, W]") || !sizes_ok) return;
  const int64_t n = in[0], ch = in[1], h = in[2], w = in[3];
  if (ch % a.groups != 0) {
    c.fail("groups", std::to_string(a.groups),
           fmt::format("input channels {} must be divisible by groups", ch));
  }
  if (a.out_channels % a.groups != 0) {
    c.fail("groups", std::to_string(a.groups),
           fmt::format("out_channels {} must be divisible by groups", a.out_channels));
  }
  if (!c.ok()) return;
  // "same" needs the window extents; an overflowing one is reported by window_out below.
  if (a.same_padding && window_extent(a.kernel_h, a.dilation_h) > 0 &&
      window_extent(a.kernel_w, a.dilation_w) > 0) {
    same_padding(h, window_extent(a.kernel_h, a.dilation_h), a.stride_h, &a.pad_top, &a.pad_bottom);
    same_padding(w, window_extent(a.kernel_w, a.dilation_w), a.stride_w, &a.pad_left, &a.pad_right);
  }
  int64_t ho = window_out(c, "height", h, a.kernel_h, a.dilation_h, a.stride_h, a.pad_top, a.pad_bottom);
  int64_t wo =
      ho < 0 ? -1 : window_out(c, "width", w, a.kernel_w, a.dilation_w, a.stride_w, a.pad_left, a.pad_right);
  if (ho < 0 || wo < 0) return;
  const int64_t cin_per_group = ch / a.groups;
  l.output_shape = {n, a.out_channels, ho, wo};
  l.macs = product({n, ho, wo, a.out_channels, cin_per_group, a.kernel_h, a.kernel_w});
  l.weight_elements = product({a.out_channels, cin_per_group, a.kernel_h, a.kernel_w});
}

void infer_pool(LayerCheck& c, Layer& l) {
  auto& a = std::get<PoolAttrs>(l.attrs);
  const Shape& in = l.input_shapes[0];
  if (!expect_rank(c, in, 4, "[N, C, H, W]")) return;
  if (a.global) {
    a.kernel_h = in[2];
    a.kernel_w = in[3];
    a.stride_h = a.stride_w = 1;
    a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = 0;
    a.same_padding = false;
  }
  bool sizes_ok = c.at_least("kernel", a.kernel_h, 1) & c.at_least("kernel", a.kernel_w, 1) &
                  c.at_least("stride", a.stride_h, 1) & c.at_least("stride", a.stride_w, 1) &
                  c.at_least("padding", a.pad_top, 0) & c.at_least("padding", a.pad_bottom, 0) &
                  c.at_least("padding", a.pad_left, 0) & c.at_least("padding", a.pad_right, 0);
  if (!sizes_ok) return;
  if (a.same_padding) {
    same_padding(in[2], a.kernel_h, a.stride_h, &a.pad_top, &a.pad_bottom);
    same_padding(in[3], a.kernel_w, a.stride_w, &a.pad_left, &a.pad_right);
  }
  int64_t ho = window_out(c, "height", in[2], a.kernel_h, 1, a.stride_h, a.pad_top, a.pad_bottom);
  int64_t wo =
      ho < 0 ? -1 : window_out(c, "width", in[3], a.kernel_w, 1, a.stride_w, a.pad_left, a.pad_right);
  if (ho < 0 || wo < 0) return;
  l.output_shape = {in[0], in[1], ho, wo};
  l.vector_ops = product({elements(l.output_shape), a.kernel_h, a.kernel_w});
}

// Numpy broadcasting of the batch dimensions (everything but the last two axes).
bool broadcast_batch(const Shape& a, const Shape& b, Shape* out) {
  size_t ra = a.size() - 2, rb = b.size() - 2, r = std::max(ra, rb);
  out->assign(r, 1);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - ra ? 1 : a[i - (r - ra)];
    int64_t db = i < r - rb ? 1 : b[i - (r - rb)];
    if (da != db && da != 1 && db != 1) return false;
    (*out)[i] = std::max(da, db);
  }
  return true;
}

void infer_matmul(LayerCheck& c, Layer& l) {
  const auto& a = l.as<MatmulAttrs>();
  const Shape& x = l.input_shapes[0];
  if (x.size() < 2) {
    c.fail("input", shape_str(x), "matmul needs an input of rank >= 2 ([..., M, K]); flatten with reshape");
    return;
  }
  const int64_t m = x[x.size() - 2], k = x.back();
  if (l.input_shapes.size() == 1) {
    if (!c.at_least("out_features", a.out_features, 1)) return;
    l.output_shape = x;
    l.output_shape.back() = a.out_features;
    l.macs = product({elements(x) / k, a.out_features, k});  // batch * M * N * K
    l.weight_elements = product({k, a.out_features});
    return;
  }
  if (a.out_features != 0) {
    c.fail("out_features", std::to_string(a.out_features),
           "a two-input matmul takes N from its second input; out_features is only for one input");
    return;
  }
  const Shape& y = l.input_shapes[1];
  if (y.size() < 2) {
    c.fail("inputs", shape_str(y), "the second matmul operand needs rank >= 2");
    return;
  }
  const int64_t yk = a.transpose_b ? y.back() : y[y.size() - 2];
  const int64_t n = a.transpose_b ? y[y.size() - 2] : y.back();
  if (yk != k) {
    c.fail("inputs", shape_str(x) + " x " + shape_str(y),
           fmt::format("inner dimensions differ: K = {} vs {} (transpose_b: {})", k, yk, a.transpose_b));
    return;
  }
  Shape batch;
  if (!broadcast_batch(x, y, &batch)) {
    c.fail("inputs", shape_str(x) + " x " + shape_str(y), "batch dimensions are not broadcastable");
    return;
  }
  l.output_shape = batch;
  l.output_shape.push_back(m);
  l.output_shape.push_back(n);
  l.macs = product({elements(batch), m, n, k});
}

void infer_add(LayerCheck& c, Layer& l) {
  for (size_t i = 1; i < l.input_shapes.size(); ++i) {
    if (l.input_shapes[i] != l.input_shapes[0]) {
      c.fail("inputs", shape_str(l.input_shapes[0]) + " + " + shape_str(l.input_shapes[i]),
             fmt::format("add needs equal shapes ('{}' and '{}' differ)", l.inputs[0], l.inputs[i]));
      return;
    }
  }
  l.output_shape = l.input_shapes[0];
  l.vector_ops = product({elements(l.output_shape), static_cast<int64_t>(l.input_shapes.size() - 1)});
}

void infer_reshape(LayerCheck& c, Layer& l) {
  const Shape& want = l.as<ReshapeAttrs>().shape;
  const int64_t total = elements(l.input_shapes[0]);
  int64_t known = 1;
  int wildcards = 0;
  for (int64_t d : want) {
    if (d == -1) {
      ++wildcards;
    } else if (d < 1) {
      c.fail("shape", shape_str(want), "dimensions must be >= 1, or one -1 to infer");
      return;
    } else {
      known = product({known, d});
      if (known < 0) {
        c.fail("shape", shape_str(want), "element count overflows 64 bits");
        return;
      }
    }
  }
  if (want.empty() || wildcards > 1) {
    c.fail("shape", shape_str(want), "needs at least one dimension and at most one -1");
    return;
  }
  if ((wildcards == 0 && known != total) || (wildcards == 1 && total % known != 0)) {
    c.fail("shape", shape_str(want),
           fmt::format("element count {} of input {} does not fit", total, shape_str(l.input_shapes[0])));
    return;
  }
  l.output_shape = want;
  for (int64_t& d : l.output_shape) {
    if (d == -1) d = total / known;
  }
}

void infer_transpose(LayerCheck& c, Layer& l) {
  const auto& perm = l.as<TransposeAttrs>().perm;
  const Shape& in = l.input_shapes[0];
  std::set<int64_t> seen(perm.begin(), perm.end());
  bool valid = perm.size() == in.size() && seen.size() == perm.size();
  for (int64_t p : perm) valid = valid && p >= 0 && p < static_cast<int64_t>(in.size());
  if (!valid) {
    c.fail("perm", shape_str(perm),
           fmt::format("must be a permutation of 0..{} for input {}", static_cast<int64_t>(in.size()) - 1,
                       shape_str(in)));
    return;
  }
  for (int64_t p : perm) l.output_shape.push_back(in[static_cast<size_t>(p)]);
}

// Number of inputs each kind takes: [min, max].
std::pair<size_t, size_t> arity(LayerKind k) {
  switch (k) {
    case LayerKind::kMatmul:
      return {1, 2};
    case LayerKind::kAdd:
      return {2, 64};
    default:
      return {1, 1};
  }
}

void infer_layer(LayerCheck& c, Layer& l) {
  switch (l.kind) {
    case LayerKind::kConv2d:
      infer_conv(c, l);
      break;
    case LayerKind::kMatmul:
      infer_matmul(c, l);
      break;
    case LayerKind::kPool:
      infer_pool(c, l);
      break;
    case LayerKind::kAdd:
      infer_add(c, l);
      break;
    case LayerKind::kActivation:
      l.output_shape = l.input_shapes[0];
      l.vector_ops = elements(l.output_shape);
      break;
    case LayerKind::kSoftmax:
      l.output_shape = l.input_shapes[0];
      l.vector_ops = product({elements(l.output_shape), kSoftmaxOpsPerElement});
      break;
    case LayerKind::kLayerNorm:
      l.output_shape = l.input_shapes[0];
      l.vector_ops = product({elements(l.output_shape), kLayerNormOpsPerElement});
      l.weight_elements = product({2, l.output_shape.back()});
      break;
    case LayerKind::kReshape:
      infer_reshape(c, l);
      break;
    case LayerKind::kTranspose:
      infer_transpose(c, l);
      break;
  }
}

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

}  // namespace

void infer_shapes(Network& net) {
  DiagnosticList diags;
  const std::string& file = net.source_path;
  // Tensors visible so far: network inputs, then each layer once it is reached.
  std::map<std::string, Shape> shapes;
  std::map<std::string, DataType> dtypes;
  std::map<std::string, size_t> producer_index;  // layer name -> index (all layers)
  std::set<std::string> failed;                  // layers whose output is unknown
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
    shapes[t.name] = t.shape;
    dtypes[t.name] = t.dtype;
  }
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (producer_index.count(l.name) || shapes.count(l.name)) {
      diags.add({file, l.source_line, fmt::format("layers[{}].name", i), l.name,
                 "duplicate name: layer and input names must be unique"});
      continue;
    }
    producer_index[l.name] = i;
  }

  Totals totals;
  int suggestions = 0;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    Layer& l = net.layers[i];
    LayerCheck check(net, l, i, &diags);
    l.input_shapes.clear();
    l.output_shape.clear();
    l.macs = l.vector_ops = l.weight_elements = 0;
    auto [lo, hi] = arity(l.kind);
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
      } else if (producer_index.count(in)) {
        check.fail(
            "input", in,
            producer_index[in] == i
                ? std::string("a layer cannot consume its own output (cycle)")
                : fmt::format("'{}' is defined later (layers[{}]); layers must be in topological order "
                              "and the graph acyclic",
                              in, producer_index[in]));
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
    if (check.ok() && inputs_known) {
      l.dtype = dtypes[l.inputs[0]];
      infer_layer(check, l);
      if (check.ok()) check_sizes(check, l, &totals);
    }
    if (!check.ok() || !inputs_known || l.output_shape.empty()) {
      failed.insert(l.name);
      continue;
    }
    if (producer_index[l.name] == i) {
      shapes[l.name] = l.output_shape;
      dtypes[l.name] = l.dtype;
    }
  }
  if (!diags.empty()) throw WorkloadError(diags.take());
}

}  // namespace systole
