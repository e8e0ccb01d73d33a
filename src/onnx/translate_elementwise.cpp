// Handlers of the elementwise operators (translator.h): activations, Clip, the GELU that
// exporters spell with Erf, Add / Sub / Mul / Div of two tensors (broadcasting), and of a tensor
// and a constant that folds into the layer before (a bias, or a scale applied when the output is
// requantised).
#include <fmt/format.h>

#include <cmath>

#include "systole/numeric/broadcast.h"
#include "translator.h"

namespace systole::onnx_import {
namespace {

bool near(double a, double b) {
  return std::fabs(a - b) <= 1e-4 * std::max(1.0, std::fabs(b));
}

// The scalar value of a constant (any shape with one element), if it has data.
std::optional<double> scalar(const Translator& t, const std::string& v) {
  if (v.empty() || !t.graph().has_value(v) || !t.is_constant(v)) return std::nullopt;
  auto f = t.const_floats(v);
  if (!f || f->size() != 1) return std::nullopt;
  return (*f)[0];
}

void activation(Translator& t, const char* fn) {
  t.emit(t.out(), "activation", {t.ref(t.in(0))}, {{"function", fn}});
}

void clip(Translator& t) {
  double lo = -INFINITY, hi = INFINITY;
  if (t.graph().opset() < 11) {
    lo = attr_float(t.node(), "min", -INFINITY);
    hi = attr_float(t.node(), "max", INFINITY);
  } else {
    if (t.has_in(1)) {
      auto v = scalar(t, t.in(1));
      if (!v) t.fail(t.in(1), "Clip's min must be a constant scalar");
      lo = *v;
    }
    if (t.has_in(2)) {
      auto v = scalar(t, t.in(2));
      if (!v) t.fail(t.in(2), "Clip's max must be a constant scalar");
      hi = *v;
    }
  }
  if (lo == 0.0 && hi == 6.0) {
    activation(t, "relu6");
  } else if (lo == 0.0 && std::isinf(hi)) {
    activation(t, "relu");
  } else {
    t.unsupported(fmt::format("Clip to [{}, {}]; Systole has relu ([0, inf)) and relu6 ([0, 6])", lo, hi));
  }
}

// x / sqrt(2) -> Erf -> + 1 -> * x -> * 0.5, as PyTorch exports nn.GELU: matched from the Div
// (or Mul by 1/sqrt(2)); returns false (nothing emitted) when the chain is not exactly that.
bool try_erf_gelu(Translator& t) {
  const onnx::NodeProto& n = t.node();
  const OnnxGraph& g = t.graph();
  // A node of the chain: the given op with `inputs` inputs and one output.
  auto is = [&](int i, const char* op, int inputs) {
    return i >= 0 && g.node(i).op_type() == op && g.node(i).input_size() == inputs &&
           g.node(i).output_size() >= 1;
  };
  // The other input of a two-input node, given one of them.
  auto other_input = [](const onnx::NodeProto& node, const std::string& known) {
    return node.input(0) == known ? node.input(1) : node.input(0);
  };
  if (n.input_size() != 2 || n.output_size() < 1) return false;
  const std::string x = n.input(0);
  auto s = scalar(t, n.input(1));
  if (x.empty() || t.is_constant(x) || !s) return false;
  if (!(n.op_type() == "Div" && near(*s, std::sqrt(2.0))) &&
      !(n.op_type() == "Mul" && near(*s, std::sqrt(0.5))))
    return false;
  const int erf = t.sole_consumer(n.output(0));
  if (!is(erf, "Erf", 1)) return false;
  const int add = t.sole_consumer(g.node(erf).output(0));
  if (!is(add, "Add", 2)) return false;
  const onnx::NodeProto& a = g.node(add);
  auto one_v = scalar(t, other_input(a, g.node(erf).output(0)));
  if (!one_v || !near(*one_v, 1.0)) return false;
  const int mul = t.sole_consumer(a.output(0));
  if (!is(mul, "Mul", 2)) return false;
  const onnx::NodeProto& m = g.node(mul);
  if (other_input(m, a.output(0)) != x) return false;
  const int half = t.sole_consumer(m.output(0));
  if (!is(half, "Mul", 2)) return false;
  const onnx::NodeProto& h = g.node(half);
  auto half_v = scalar(t, other_input(h, m.output(0)));
  if (!half_v || !near(*half_v, 0.5)) return false;
  for (int k : {erf, add, mul, half}) t.consume(k);
  t.name_as("Gelu", n.op_type() + ", Erf, Add, Mul, Mul");
  t.emit(h.output(0), "activation", {t.ref(x)}, {{"function", "gelu"}});
  return true;
}

// Is `v` the output of a conv2d / matmul layer read by nothing else, so that a per-channel bias
// or a scale can ride on its output stage?
bool output_stage_of_compute(Translator& t, const std::string& v) {
  if (t.is_constant(v)) return false;
  ImportedLayer* p = t.producer_layer(t.ref(v));
  return p != nullptr && (p->type == "conv2d" || p->type == "matmul") &&
         t.graph().value(v).consumers.size() == 1;
}

// Elements of a constant that broadcast as one value per channel of `y` (conv: axis 1 of NCHW;
// matmul: the last axis), or a single value.
bool per_channel(const Shape& c, const Shape& y, const std::string& type) {
  const int64_t n = num_elements(c);
  if (n == 1) return true;
  if (y.empty() || c.size() > y.size()) return false;
  const int64_t channels = type == "conv2d" ? (y.size() > 1 ? y[1] : 0) : y.back();
  if (n != channels) return false;
  // Its one non-unit axis must line up with the channel axis under NumPy broadcasting.
  const size_t want = type == "conv2d" ? 1 : y.size() - 1;
  for (size_t i = 0; i < c.size(); ++i) {
    const size_t axis = y.size() - c.size() + i;
    if (c[i] != 1 && axis != want) return false;
  }
  return true;
}

void binary(Translator& t) {
  const std::string op = t.node().op_type();
  if ((op == "Div" || op == "Mul") && try_erf_gelu(t)) return;
  const std::string a = t.in(0), b = t.in(1);
  const bool ca = t.is_constant(a), cb = t.is_constant(b);
  if (!ca && !cb) {
    // Two tensors: the layer of the same name, broadcasting as ONNX does.
    Shape out;
    if (!broadcast_shape({t.shape_of(a), t.shape_of(b)}, &out)) {
      t.fail(t.out(), fmt::format("{} of {} and {}: the shapes do not broadcast (aligned on the last axis, "
                                  "every extent equal or 1)",
                                  op, shape_str(t.shape_of(a)), shape_str(t.shape_of(b))));
    }
    const char* kind = op == "Add" ? "add" : op == "Sub" ? "sub" : op == "Mul" ? "mul" : "div";
    t.emit(t.out(), kind, {t.ref(a), t.ref(b)}, {});
    return;
  }
  const Shape& y = t.shape_of(t.out());
  const std::string x = ca ? b : a, c = ca ? a : b;
  if ((op == "Sub" || op == "Div") && ca) {
    t.unsupported(fmt::format("{} with a constant first operand", op));
    return;
  }
  const Shape& cs = t.shape_of(c);
  if (output_stage_of_compute(t, x)) {
    ImportedLayer* p = t.producer_layer(t.ref(x));
    if (per_channel(cs, y, p->type) && t.shape_of(x) == y) {
      // A bias (Add / Sub) or a per-channel scale (Mul / Div) applied in the producer's output
      // stage, as an inference compiler folds it: no layer, no cost (docs/onnx.md).
      t.alias(t.out(), t.ref(x), y);
      t.count_folded();
      if (op == "Mul" || op == "Div") {
        t.warnings().push_back(fmt::format("{}: {} by a constant folded into '{}' (its output scale)",
                                           node_label(t.node(), t.node_index(), t.graph().opset()), op,
                                           p->name));
        t.drop_weights(p->name, fmt::format("a {} by a constant folded into its output scale", op));
      }
      return;
    }
  }
  t.unsupported(fmt::format(
      "{} of a tensor {} and a constant {} that is not a bias or scale of the Conv / Gemm / MatMul "
      "right before it",
      op, shape_str(t.shape_of(x)), shape_str(cs)));
}

}  // namespace

// Sigmoid(x) read only by Mul(x, Sigmoid(x)) is SiLU (Swish), as exporters spell it; a lone
// Sigmoid is a sigmoid.
void sigmoid(Translator& t) {
  const OnnxGraph& g = t.graph();
  const int mul = t.sole_consumer(t.out());
  if (mul >= 0 && g.node(mul).op_type() == "Mul" && g.node(mul).input_size() == 2 &&
      g.node(mul).output_size() >= 1) {
    const onnx::NodeProto& m = g.node(mul);
    const std::string other = m.input(0) == t.out() ? m.input(1) : m.input(0);
    if (other == t.in(0) && !other.empty()) {
      t.consume(mul);
      t.name_as("Silu", "Sigmoid, Mul");
      t.emit(m.output(0), "activation", {t.ref(t.in(0))}, {{"function", "silu"}});
      return;
    }
  }
  activation(t, "sigmoid");
}

void add_elementwise_handlers(std::map<std::string, OpHandler>* h) {
  (*h)["Relu"] = [](Translator& t) { t.emit(t.out(), "relu", {t.ref(t.in(0))}, {}); };
  (*h)["Sigmoid"] = sigmoid;
  (*h)["HardSwish"] = [](Translator& t) { activation(t, "hardswish"); };
  (*h)["Tanh"] = [](Translator& t) { activation(t, "tanh"); };
  (*h)["Gelu"] = [](Translator& t) { activation(t, "gelu"); };
  (*h)["Clip"] = clip;
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) (*h)[op] = binary;
}

}  // namespace systole::onnx_import
