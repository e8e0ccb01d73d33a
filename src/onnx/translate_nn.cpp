// Handlers of the compute operators (translator.h): Conv (with a following BatchNormalization
// folded), Gemm, MatMul, the pools, Softmax, LayerNormalization.
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "translator.h"

namespace systole::onnx_import {
namespace {

int64_t norm_axis(int64_t axis, size_t rank) {
  return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
}

// Padding of one spatial axis under ONNX auto_pad SAME_UPPER / SAME_LOWER: the total that gives
// `out` outputs, the odd unit at the end (UPPER) or the start (LOWER).
std::pair<int64_t, int64_t> same_pads(int64_t in, int64_t out, int64_t stride, int64_t eff_kernel,
                                      bool upper) {
  const int64_t total = std::max<int64_t>((out - 1) * stride + eff_kernel - in, 0);
  const int64_t small = total / 2, big = total - small;
  return upper ? std::make_pair(small, big) : std::make_pair(big, small);
}

struct Window {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t top = 0, bottom = 0, left = 0, right = 0;
};

// Kernel, strides and dilations >= 1 and pads >= 0, each at most 2^31 (so that the window
// arithmetic cannot overflow); the node is refused naming the bad value otherwise.
void check_window_values(const Translator& t, const Window& w, const std::vector<int64_t>& pads) {
  constexpr int64_t kMax = int64_t{1} << 31;
  auto in_range = [&](const char* what, int64_t v, int64_t lo) {
    if (v < lo || v > kMax) t.fail(std::to_string(v), fmt::format("{} must be in [{}, 2^31]", what, lo));
  };
  in_range("kernel_shape", w.kh, 1);
  in_range("kernel_shape", w.kw, 1);
  in_range("strides", w.sh, 1);
  in_range("strides", w.sw, 1);
  in_range("dilations", w.dh, 1);
  in_range("dilations", w.dw, 1);
  for (int64_t p : pads) in_range("pads", p, 0);
}

// The window attributes of a 2-D Conv / pool node on input [N, C, H, W] giving [.., Ho, Wo]:
// ONNX pads are [top, left, bottom, right]; auto_pad resolves against the inferred output.
// ceil_mode is turned into extra bottom/right padding that yields the same output extent.
Window window_of(Translator& t, const Shape& x, const Shape& y, int64_t kh, int64_t kw) {
  const onnx::NodeProto& n = t.node();
  Window w;
  w.kh = kh;
  w.kw = kw;
  const auto strides = attr_ints(n, "strides");
  const auto dil = attr_ints(n, "dilations");
  const auto pads = attr_ints(n, "pads");
  if (!strides.empty()) {
    if (strides.size() != 2) t.fail(int_list(strides), "strides must have 2 values for a 2-D window");
    w.sh = strides[0];
    w.sw = strides[1];
  }
  if (!dil.empty()) {
    if (dil.size() != 2) t.fail(int_list(dil), "dilations must have 2 values for a 2-D window");
    w.dh = dil[0];
    w.dw = dil[1];
  }
  check_window_values(t, w, pads);
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    std::tie(w.top, w.bottom) = same_pads(x[2], y[2], w.sh, w.dh * (kh - 1) + 1, auto_pad == "SAME_UPPER");
    std::tie(w.left, w.right) = same_pads(x[3], y[3], w.sw, w.dw * (kw - 1) + 1, auto_pad == "SAME_UPPER");
  } else if (auto_pad == "NOTSET" && !pads.empty()) {
    if (pads.size() != 4) t.fail(int_list(pads), "pads must have 4 values [top, left, bottom, right]");
    w.top = pads[0];
    w.left = pads[1];
    w.bottom = pads[2];
    w.right = pads[3];
  } else if (auto_pad != "NOTSET" && auto_pad != "VALID") {
    t.fail(auto_pad, "auto_pad must be NOTSET, VALID, SAME_UPPER or SAME_LOWER");
  }
  // ceil_mode (pools): pad the end until floor mode gives the inferred extent.
  auto extent = [](int64_t in, int64_t a, int64_t b, int64_t k, int64_t s, int64_t d) {
    return (in + a + b - d * (k - 1) - 1) / s + 1;
  };
  while (extent(x[2], w.top, w.bottom, kh, w.sh, w.dh) < y[2] && w.bottom < kh) ++w.bottom;
  while (extent(x[3], w.left, w.right, kw, w.sw, w.dw) < y[3] && w.right < kw) ++w.right;
  if (extent(x[2], w.top, w.bottom, kh, w.sh, w.dh) != y[2] ||
      extent(x[3], w.left, w.right, kw, w.sw, w.dw) != y[3]) {
    t.fail(shape_str(y),
           fmt::format("the window (kernel [{}, {}], strides [{}, {}], pads [{}, {}, {}, {}]) does not give "
                       "the inferred output extent",
                       kh, kw, w.sh, w.sw, w.top, w.left, w.bottom, w.right));
  }
  return w;
}

std::vector<std::pair<std::string, std::string>> window_attrs(const Window& w) {
  return {{"kernel", int_list({w.kh, w.kw})},
          {"stride", int_list({w.sh, w.sw})},
          {"padding", int_list({w.top, w.bottom, w.left, w.right})}};
}

void conv(Translator& t) {
  const Shape& x = t.shape_of(t.in(0));
  if (!t.is_constant(t.in(1))) {
    t.unsupported("a Conv whose weights are computed (not an initializer or constant)");
    return;
  }
  if (x.size() != 4 && x.size() != 3) {
    t.unsupported(fmt::format("a {}-D Conv (input {}); Systole convolutions are 1-D or 2-D",
                              static_cast<int64_t>(x.size()) - 2, shape_str(x)));
    return;
  }
  const Shape& wshape = t.shape_of_rank(t.in(1), x.size());
  const Shape& y = t.shape_of_rank(t.out(), x.size());
  const int64_t group = attr_int(t.node(), "group", 1);
  if (group < 1 || group > x[1] || wshape[1] > x[1] || wshape[1] * group != x[1]) {
    t.fail(shape_str(wshape),
           fmt::format("weights [M, C/group, k...] with group {} do not fit input {}", group, shape_str(x)));
  }
  std::string input = t.ref(t.in(0));
  Shape x4 = x, y4 = y;
  const bool one_d = x.size() == 3;
  int64_t kh = 1, kw = wshape.back();
  if (!one_d) kh = wshape[2];
  if (one_d) {
    // Conv1d: a 2-D convolution over [N, C, 1, L]; its window attributes get a leading 1.
    x4 = {x[0], x[1], 1, x[2]};
    y4 = {y[0], y[1], 1, y[2]};
    input = t.emit_part("reshape", {input}, {{"shape", int_list(x4)}}, "as2d", x4);
  }
  Window w;
  if (one_d) {
    // Re-read the 1-D attributes as 2-D ones.
    const auto s = attr_ints(t.node(), "strides"), d = attr_ints(t.node(), "dilations"),
               p = attr_ints(t.node(), "pads");
    w.kh = 1;
    w.kw = kw;
    w.sw = s.empty() ? 1 : s[0];
    w.dw = d.empty() ? 1 : d[0];
    if (p.size() == 2) {
      w.left = p[0];
      w.right = p[1];
    }
    check_window_values(t, w, p);
    const std::string auto_pad = attr_string(t.node(), "auto_pad", "NOTSET");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER")
      std::tie(w.left, w.right) = same_pads(x[2], y[2], w.sw, w.dw * (kw - 1) + 1, auto_pad == "SAME_UPPER");
  } else {
    w = window_of(t, x4, y4, kh, kw);
  }
  auto attrs = window_attrs(w);
  attrs.insert(attrs.begin(), {"out_channels", std::to_string(wshape[0])});
  attrs.push_back({"dilation", int_list({w.dh, w.dw})});
  if (group != 1) attrs.push_back({"groups", std::to_string(group)});
  std::string layer;
  if (one_d) {
    layer = t.emit_part("conv2d", {input}, attrs, "conv", y4);
    t.emit(t.out(), "reshape", {layer}, {{"shape", int_list(y)}});
  } else {
    layer = t.emit(t.out(), "conv2d", {input}, attrs);
  }
  // ONNX's [M, C/group, k...] is Systole's [oc][C/groups][kh][kw] (a 1-D kernel with kh = 1).
  t.record_weights(layer, t.in(1), {wshape[0], wshape[1], kh, kw}, false);
  // A bias (input 2) is not counted (docs/workload-format.md).
}

// BatchNormalization right after a Conv (or a Gemm / MatMul with weights) is folded into its
// weights and bias, as inference compilers do.
void batch_norm(Translator& t) {
  const std::string x = t.ref(t.in(0));
  ImportedLayer* p = t.producer_layer(x);
  const bool foldable = p != nullptr && (p->type == "conv2d" || p->type == "matmul") &&
                        t.graph().value(t.in(0)).consumers.size() == 1;
  if (!foldable) {
    t.unsupported(
        "a BatchNormalization that does not directly follow a Conv, Gemm or MatMul (only folding is "
        "supported)");
    return;
  }
  t.alias(t.out(), x, t.shape_of(t.out()));
  t.count_folded();
  // The model's weights of the producer take the scale gamma / sqrt(var + epsilon) per output
  // channel (the shift, beta - mean x scale, is a bias: not modelled).
  if (ModelWeights* w = t.weights_of(p->name)) {
    const auto gamma = t.const_floats(t.in(1)), var = t.const_floats(t.in(4));
    const double eps = attr_float(t.node(), "epsilon", 1e-5f);
    const bool conv = p->type == "conv2d";
    const auto channels = static_cast<size_t>(conv ? w->shape[0] : w->shape[1]);
    if (!gamma || !var || gamma->size() != channels || var->size() != channels) {
      t.drop_weights(p->name, "the folded BatchNormalization's scale or variance has no data");
      return;
    }
    const size_t inner = w->values.size() / channels;  // conv: elements per output channel
    for (size_t i = 0; i < w->values.size(); ++i) {
      const size_t c = conv ? i / inner : i % channels;
      w->values[i] *= (*gamma)[c] / std::sqrt((*var)[c] + eps);
    }
  }
}

void gemm(Translator& t) {
  const onnx::NodeProto& n = t.node();
  if (attr_int(n, "transA", 0) != 0) {
    t.unsupported("Gemm with transA = 1");
    return;
  }
  const bool trans_b = attr_int(n, "transB", 0) != 0;
  std::vector<std::pair<std::string, std::string>> attrs;
  const Shape& a = t.shape_of_rank(t.in(0), 2);
  if (t.is_constant(t.in(1))) {
    const Shape& b = t.shape_of_rank(t.in(1), 2);
    if ((trans_b ? b[1] : b[0]) != a[1]) {
      t.fail(shape_str(b), fmt::format("Gemm weights {}{} do not fit input {}", shape_str(b),
                                       trans_b ? " (transB)" : "", shape_str(a)));
    }
    attrs.push_back({"out_features", std::to_string(trans_b ? b[0] : b[1])});
    if (trans_b) attrs.push_back({"transpose_b", "true"});
    const std::string layer = t.emit(t.out(), "matmul", {t.ref(t.in(0))}, attrs);
    t.record_weights(layer, t.in(1), {trans_b ? b[1] : b[0], trans_b ? b[0] : b[1]}, trans_b);
  } else {
    if (trans_b) attrs.push_back({"transpose_b", "true"});
    t.emit(t.out(), "matmul", {t.ref(t.in(0)), t.ref(t.in(1))}, attrs);
  }
}

void matmul(Translator& t) {
  const bool a_const = t.is_constant(t.in(0)), b_const = t.is_constant(t.in(1));
  if (a_const) {
    t.unsupported("MatMul with a constant first operand (weights x activation)");
    return;
  }
  if (b_const) {
    const Shape& b = t.shape_of(t.in(1));
    const Shape& a = t.shape_of(t.in(0));
    if (b.size() != 2 || a.size() < 2) {
      t.unsupported(
          fmt::format("MatMul of {} by constant {}: weights must be 2-D and the activation at least 2-D",
                      shape_str(a), shape_str(b)));
      return;
    }
    if (b[0] != a.back())
      t.fail(shape_str(b), fmt::format("MatMul weights {} do not fit input {}", shape_str(b), shape_str(a)));
    const std::string layer =
        t.emit(t.out(), "matmul", {t.ref(t.in(0))}, {{"out_features", std::to_string(b[1])}});
    t.record_weights(layer, t.in(1), {b[0], b[1]}, false);
    return;
  }
  const Shape& a = t.shape_of(t.in(0));
  const Shape& b = t.shape_of(t.in(1));
  if (a.size() < 2 || b.size() < 2) {
    t.unsupported(
        fmt::format("MatMul of {} and {}: both operands must be at least 2-D", shape_str(a), shape_str(b)));
    return;
  }
  t.emit(t.out(), "matmul", {t.ref(t.in(0)), t.ref(t.in(1))}, {});
}

void pool(Translator& t, const char* mode) {
  const Shape& x = t.shape_of(t.in(0));
  if (x.size() != 4) {
    t.unsupported(fmt::format("a {}-D pool (input {}); Systole pools are 2-D over NCHW",
                              static_cast<int64_t>(x.size()) - 2, shape_str(x)));
    return;
  }
  const Shape& y = t.shape_of_rank(t.out(), 4);
  if (t.node().output_size() > 1 && !t.node().output(1).empty()) {
    t.unsupported("MaxPool with an Indices output");
    return;
  }
  const auto k = attr_ints(t.node(), "kernel_shape");
  if (k.size() != 2) t.fail(int_list(k), "kernel_shape must have 2 values");
  const Window w = window_of(t, x, y, k[0], k[1]);
  if (w.dh != 1 || w.dw != 1) {
    t.unsupported("a dilated pool");
    return;
  }
  auto attrs = window_attrs(w);
  attrs.insert(attrs.begin(), {"mode", mode});
  t.emit(t.out(), "pool", {t.ref(t.in(0))}, attrs);
}

void global_pool(Translator& t, const char* mode) {
  const Shape& x = t.shape_of(t.in(0));
  if (x.size() != 4) {
    t.unsupported(fmt::format("a global pool over {}; Systole pools NCHW", shape_str(x)));
    return;
  }
  t.emit(t.out(), "pool", {t.ref(t.in(0))}, {{"mode", mode}, {"global", "true"}});
}

void softmax(Translator& t) {
  const Shape& x = t.shape_of(t.in(0));
  const int64_t default_axis = t.graph().opset() >= 13 ? -1 : 1;
  const int64_t axis = norm_axis(attr_int(t.node(), "axis", default_axis), x.size());
  // Before opset 13, Softmax flattens from `axis` on; that is the last axis only when axis is last.
  if (axis != static_cast<int64_t>(x.size()) - 1) {
    t.unsupported(
        fmt::format("Softmax over axis {} of {}; Systole normalises over the last axis", axis, shape_str(x)));
    return;
  }
  t.emit(t.out(), "softmax", {t.ref(t.in(0))}, {});
}

void layer_norm(Translator& t) {
  const Shape& x = t.shape_of(t.in(0));
  const int64_t axis = norm_axis(attr_int(t.node(), "axis", -1), x.size());
  if (axis != static_cast<int64_t>(x.size()) - 1) {
    t.unsupported(fmt::format("LayerNormalization from axis {} of {}; Systole normalises the last axis", axis,
                              shape_str(x)));
    return;
  }
  for (int o = 1; o < t.node().output_size(); ++o) {
    const std::string& extra = t.node().output(o);
    if (extra.empty()) continue;
    if (!t.graph().value(extra).consumers.empty()) {
      t.unsupported("LayerNormalization whose Mean / InvStdDev outputs are read (training only)");
      return;
    }
    t.warnings().push_back(fmt::format("{}: its output '{}' (Mean / InvStdDev, for training) is not computed",
                                       node_label(t.node(), t.node_index(), t.graph().opset()), extra));
  }
  t.emit(t.out(), "layernorm", {t.ref(t.in(0))}, {});
}

// The axes a Reduce* node reduces (attribute before opset 18, input after), normalised; nullopt
// when they are not constant.
std::optional<std::vector<int64_t>> reduce_axes(const Translator& t, const onnx::NodeProto& n, size_t rank) {
  std::vector<int64_t> axes = attr_ints(n, "axes");
  if (axes.empty() && n.input_size() > 1 && !n.input(1).empty()) {
    const ValueInfo& v = t.info(n.input(1));
    if (v.tensor == nullptr) return std::nullopt;
    auto ints = tensor_ints(*v.tensor);
    if (!ints) return std::nullopt;
    axes = *ints;
  }
  for (int64_t& a : axes) a = norm_axis(a, rank);
  return axes;
}

// LayerNorm as exporters before opset 17 spell it: m = ReduceMean(x); d = x - m;
// v = ReduceMean(d ^ 2); y = d / Sqrt(v + eps), then optionally * gamma and + beta (constants),
// all over the last axis. Matched from the first ReduceMean; false (nothing emitted) when the
// chain is not exactly that.
bool try_decomposed_layernorm(Translator& t) {
  const OnnxGraph& g = t.graph();
  const onnx::NodeProto& r1 = t.node();
  if (r1.input_size() < 1 || r1.output_size() < 1) return false;
  const std::string x = r1.input(0);
  if (x.empty() || t.is_constant(x) || !t.info(x).shape) return false;
  const size_t rank = t.info(x).shape->size();
  const std::vector<int64_t> last{static_cast<int64_t>(rank) - 1};
  auto over_last = [&](const onnx::NodeProto& n) {
    auto axes = reduce_axes(t, n, rank);
    return axes && *axes == last && attr_int(n, "keepdims", 1) == 1;
  };
  auto is = [&](int i, const char* op, int inputs) {
    return i >= 0 && g.node(i).op_type() == op && g.node(i).input_size() == inputs &&
           g.node(i).output_size() >= 1;
  };
  auto scalar_is = [&](const std::string& v, std::optional<double> want) {
    if (v.empty() || !g.has_value(v) || !t.is_constant(v)) return false;
    auto f = t.const_floats(v);
    return f && f->size() == 1 && (!want || (*f)[0] == *want);
  };
  if (!over_last(r1)) return false;
  const int sub = t.sole_consumer(r1.output(0));
  if (!is(sub, "Sub", 2) || g.node(sub).input(0) != x || g.node(sub).input(1) != r1.output(0)) return false;
  const std::string d = g.node(sub).output(0);
  const auto& dc = g.value(d).consumers;
  if (dc.size() != 2) return false;
  const int pow = g.node(dc[0]).op_type() == "Pow" ? dc[0] : dc[1];
  const int div = pow == dc[0] ? dc[1] : dc[0];
  if (!is(pow, "Pow", 2) || g.node(pow).input(0) != d || !scalar_is(g.node(pow).input(1), 2.0)) return false;
  const int r2 = t.sole_consumer(g.node(pow).output(0));
  if (r2 < 0 || g.node(r2).op_type() != "ReduceMean" || g.node(r2).output_size() < 1 ||
      !over_last(g.node(r2)))
    return false;
  const int add = t.sole_consumer(g.node(r2).output(0));
  if (!is(add, "Add", 2)) return false;
  const onnx::NodeProto& a = g.node(add);
  if (!scalar_is(a.input(0) == g.node(r2).output(0) ? a.input(1) : a.input(0), std::nullopt)) return false;
  const int sqrt = t.sole_consumer(a.output(0));
  if (!is(sqrt, "Sqrt", 1)) return false;
  if (!is(div, "Div", 2) || g.node(div).input(0) != d || g.node(div).input(1) != g.node(sqrt).output(0))
    return false;
  std::vector<int> chain{sub, pow, r2, add, sqrt, div};
  std::string out = g.node(div).output(0);
  std::string spelled = "ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div";
  // The affine part: * gamma, then + beta, each a constant of the normalised axis.
  for (const char* op : {"Mul", "Add"}) {
    const int k = t.sole_consumer(out);
    if (!is(k, op, 2)) break;
    const onnx::NodeProto& n = g.node(k);
    const std::string c = n.input(0) == out ? n.input(1) : n.input(0);
    if (c.empty() || !t.is_constant(c) || !t.info(c).shape ||
        num_elements(*t.info(c).shape) != t.info(x).shape->back())
      break;
    chain.push_back(k);
    out = n.output(0);
    spelled += std::string(", ") + op;
  }
  for (int k : chain) t.consume(k);
  t.name_as("LayerNormalization", spelled);
  t.emit(out, "layernorm", {t.ref(x)}, {});
  return true;
}

void reduce_mean(Translator& t) {
  if (!try_decomposed_layernorm(t)) {
    t.unsupported(
        "ReduceMean outside the decomposed LayerNorm pattern (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, "
        "Div over the last axis); Systole has no reduction layer");
  }
}

}  // namespace

void add_nn_handlers(std::map<std::string, OpHandler>* h) {
  (*h)["Conv"] = conv;
  (*h)["BatchNormalization"] = batch_norm;
  (*h)["Gemm"] = gemm;
  (*h)["MatMul"] = matmul;
  (*h)["MaxPool"] = [](Translator& t) { pool(t, "max"); };
  (*h)["AveragePool"] = [](Translator& t) { pool(t, "avg"); };
  (*h)["GlobalAveragePool"] = [](Translator& t) { global_pool(t, "avg"); };
  (*h)["GlobalMaxPool"] = [](Translator& t) { global_pool(t, "max"); };
  (*h)["Softmax"] = softmax;
  (*h)["LayerNormalization"] = layer_norm;
  (*h)["ReduceMean"] = reduce_mean;
}

}  // namespace systole::onnx_import
