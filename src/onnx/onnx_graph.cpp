// Reading an ONNX model: parse, --set-dim, ONNX shape inference, and the value index
// (onnx_graph.h).
#include "onnx_graph.h"

#include <fmt/format.h>

#include <climits>
#include <cstring>
#include <set>

#include "systole/numeric/shape.h"

namespace systole::onnx_import {
namespace {

// A protobuf message cannot exceed 2 GiB; models with larger weights keep them as external data.
constexpr size_t kMaxModelBytes = static_cast<size_t>(INT_MAX);

std::string dims_str(const onnx::TensorShapeProto& s) {
  std::vector<std::string> parts;
  for (const auto& d : s.dim()) {
    if (d.has_dim_value())
      parts.push_back(std::to_string(d.dim_value()));
    else if (d.has_dim_param())
      parts.push_back(d.dim_param());
    else
      parts.push_back("?");
  }
  return "[" + fmt::format("{}", fmt::join(parts, ", ")) + "]";
}

// The static shape of a tensor type, when every dim is a positive value.
std::optional<Shape> static_shape(const onnx::TypeProto& t) {
  if (!t.has_tensor_type() || !t.tensor_type().has_shape()) return std::nullopt;
  Shape s;
  for (const auto& d : t.tensor_type().shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0) return std::nullopt;
    s.push_back(d.dim_value());
  }
  return s;
}

// Little-endian raw_data of `count` elements of `T`; false when its size is wrong.
template <typename T>
bool raw_values(const onnx::TensorProto& t, std::vector<T>* out) {
  const std::string& raw = t.raw_data();
  if (raw.size() % sizeof(T) != 0) return false;
  out->resize(raw.size() / sizeof(T));
  if (!raw.empty()) std::memcpy(out->data(), raw.data(), raw.size());
  return true;
}

int64_t element_count(const onnx::TensorProto& t) {
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > INT64_MAX / d)) return -1;
    n *= d;
  }
  return n;
}

}  // namespace

std::string node_label(const onnx::NodeProto& n, int index, int64_t opset) {
  const std::string who = n.name().empty() ? fmt::format("#{}", index) : fmt::format("'{}'", n.name());
  const std::string domain = n.domain().empty() || n.domain() == "ai.onnx" ? "" : n.domain() + ".";
  return fmt::format("node {} ({}{}, opset {})", who, domain, n.op_type(), opset);
}

bool has_attr(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return true;
  }
  return false;
}

int64_t attr_int(const onnx::NodeProto& n, const std::string& name, int64_t fallback) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return a.i();
  }
  return fallback;
}

float attr_float(const onnx::NodeProto& n, const std::string& name, float fallback) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return a.f();
  }
  return fallback;
}

std::string attr_string(const onnx::NodeProto& n, const std::string& name, const std::string& fallback) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return a.s();
  }
  return fallback;
}

std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return {a.ints().begin(), a.ints().end()};
  }
  return {};
}

std::optional<std::vector<int64_t>> tensor_ints(const onnx::TensorProto& t) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL) return std::nullopt;
  const int64_t n = element_count(t);
  if (n < 0) return std::nullopt;
  std::vector<int64_t> out;
  if (t.data_type() == onnx::TensorProto::INT64) {
    if (t.has_raw_data()) {
      if (!raw_values(t, &out)) return std::nullopt;
    } else {
      out.assign(t.int64_data().begin(), t.int64_data().end());
    }
  } else if (t.data_type() == onnx::TensorProto::INT32) {
    if (t.has_raw_data()) {
      std::vector<int32_t> v;
      if (!raw_values(t, &v)) return std::nullopt;
      out.assign(v.begin(), v.end());
    } else {
      out.assign(t.int32_data().begin(), t.int32_data().end());
    }
  } else {
    return std::nullopt;
  }
  if (static_cast<int64_t>(out.size()) != n) return std::nullopt;
  return out;
}

std::optional<std::vector<double>> tensor_floats(const onnx::TensorProto& t) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL) return std::nullopt;
  const int64_t n = element_count(t);
  if (n < 0) return std::nullopt;
  std::vector<double> out;
  if (t.data_type() == onnx::TensorProto::FLOAT) {
    std::vector<float> v;
    if (t.has_raw_data()) {
      if (!raw_values(t, &v)) return std::nullopt;
    } else {
      v.assign(t.float_data().begin(), t.float_data().end());
    }
    out.assign(v.begin(), v.end());
  } else if (t.data_type() == onnx::TensorProto::DOUBLE) {
    if (t.has_raw_data()) {
      if (!raw_values(t, &out)) return std::nullopt;
    } else {
      out.assign(t.double_data().begin(), t.double_data().end());
    }
  } else if (auto ints = tensor_ints(t)) {
    out.assign(ints->begin(), ints->end());
  } else {
    return std::nullopt;
  }
  if (static_cast<int64_t>(out.size()) != n) return std::nullopt;
  return out;
}

OnnxGraph::OnnxGraph(const std::string& bytes, const std::string& source, const ImportOptions& options)
    : m_source(source) {
  if (bytes.size() > kMaxModelBytes) {
    throw WorkloadError(
        Diagnostic{source, 0, "", fmt::format("{} bytes", bytes.size()),
                   "an ONNX model file is at most 2 GiB (larger weights must be external data)"});
  }
  if (!m_model.ParseFromString(bytes)) {
    throw WorkloadError(
        Diagnostic{source, 0, "", "", "not an ONNX model: the protobuf ModelProto does not parse"});
  }
  for (const auto& o : m_model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") m_opset = o.version();
  }
  if (m_opset < 1) {
    throw WorkloadError(
        Diagnostic{source, 0, "opset_import", "", "the model imports no opset of the default ONNX domain"});
  }
  if (m_model.graph().node_size() == 0) {
    throw WorkloadError(Diagnostic{source, 0, "graph.node", "", "the graph has no nodes"});
  }
  m_name = m_model.graph().name();
  substitute_dims(options);
  check_structure();  // ONNX's shape inference assumes a well-formed graph (it crashes otherwise)
  infer();
  index_values();
  mark_constants();
}

Diagnostic OnnxGraph::node_diagnostic(int i, const std::string& value, const std::string& rule) const {
  return Diagnostic{m_source, 0, node_label(node(i), i, m_opset), value, rule};
}

const ValueInfo& OnnxGraph::value(const std::string& name) const {
  auto it = m_values.find(name);
  if (it == m_values.end()) throw InternalError("onnx import: unknown value '" + name + "'");
  return it->second;
}

void OnnxGraph::substitute_dims(const ImportOptions& options) {
  onnx::GraphProto* g = m_model.mutable_graph();
  std::set<std::string> initializers;
  for (const auto& t : g->initializer()) initializers.insert(t.name());
  std::set<std::string> symbols, used;
  auto substitute = [&](onnx::TypeProto* t) {
    if (!t->has_tensor_type() || !t->tensor_type().has_shape()) return;
    for (auto& d : *t->mutable_tensor_type()->mutable_shape()->mutable_dim()) {
      if (!d.has_dim_param()) continue;
      auto it = options.dims.find(d.dim_param());
      if (it == options.dims.end()) continue;
      used.insert(d.dim_param());
      d.set_dim_value(it->second);
    }
  };
  DiagnosticList problems;
  for (auto& in : *g->mutable_input()) {
    if (initializers.count(in.name())) continue;
    const onnx::TypeProto& t = in.type();
    if (t.has_tensor_type() && t.tensor_type().has_shape()) {
      for (const auto& d : t.tensor_type().shape().dim()) {
        if (d.has_dim_param()) symbols.insert(d.dim_param());
      }
    }
    const std::string before = t.has_tensor_type() ? dims_str(t.tensor_type().shape()) : "";
    substitute(in.mutable_type());
    if (!in.type().has_tensor_type()) {
      problems.add(Diagnostic{m_source, 0, "graph.input '" + in.name() + "'", "",
                              "only tensor inputs are supported (not sequences, maps or optionals)"});
      continue;
    }
    if (!in.type().tensor_type().has_shape()) {
      problems.add(Diagnostic{m_source, 0, "graph.input '" + in.name() + "'", "no shape",
                              "every input needs a shape (rank and dims)"});
      continue;
    }
    int axis = 0;
    for (const auto& d : in.type().tensor_type().shape().dim()) {
      if (d.has_dim_param()) {
        problems.add(Diagnostic{m_source, 0, fmt::format("graph.input '{}' dim {}", in.name(), axis), before,
                                fmt::format("'{}' is symbolic: give its value with --set-dim {}=N",
                                            d.dim_param(), d.dim_param())});
      } else if (!d.has_dim_value()) {
        problems.add(Diagnostic{m_source, 0, fmt::format("graph.input '{}' dim {}", in.name(), axis), before,
                                "the dimension is unknown (neither a value nor a name)"});
      } else if (d.dim_value() < 1) {
        problems.add(Diagnostic{m_source, 0, fmt::format("graph.input '{}' dim {}", in.name(), axis),
                                std::to_string(d.dim_value()), "dimensions must be >= 1"});
      }
      ++axis;
    }
  }
  for (const auto& [name, v] : options.dims) {
    if (!symbols.count(name)) {
      const std::string known =
          symbols.empty() ? "the inputs have none" : fmt::format("{}", fmt::join(symbols, ", "));
      problems.add(Diagnostic{"--set-dim", 0, name, std::to_string(v),
                              "no input dimension has this name (the model's symbolic dims: " + known + ")"});
    }
  }
  if (!problems.empty()) throw WorkloadError(problems.take());
  // The same names in intermediate and output shapes (exporters write them there too).
  for (auto& vi : *g->mutable_value_info()) substitute(vi.mutable_type());
  for (auto& o : *g->mutable_output()) substitute(o.mutable_type());
}

void OnnxGraph::check_structure() const {
  const onnx::GraphProto& g = m_model.graph();
  std::set<std::string> defined;
  DiagnosticList problems;
  for (const auto& t : g.initializer()) {
    if (t.name().empty())
      problems.add(Diagnostic{m_source, 0, "graph.initializer", "", "every initializer needs a name"});
    defined.insert(t.name());
  }
  for (const auto& in : g.input()) {
    if (in.name().empty())
      problems.add(Diagnostic{m_source, 0, "graph.input", "", "every input needs a name"});
    defined.insert(in.name());
  }
  for (int i = 0; i < g.node_size() && problems.empty(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    if (n.op_type().empty())
      problems.add(Diagnostic{m_source, 0, node_label(n, i, m_opset), "", "the node has no op_type"});
    for (const std::string& in : n.input()) {
      if (!in.empty() && !defined.count(in)) {
        problems.add(
            Diagnostic{m_source, 0, node_label(n, i, m_opset), in,
                       "reads a value no earlier node, input or initializer defines (ONNX graphs are "
                       "topologically sorted)"});
      }
    }
    for (const std::string& out : n.output()) {
      if (out.empty()) continue;
      if (!defined.insert(out).second)
        problems.add(
            Diagnostic{m_source, 0, node_label(n, i, m_opset), out, "a value may be defined only once"});
    }
    for (const auto& a : n.attribute()) {
      if (a.has_g() || a.graphs_size() > 0) {
        problems.add(Diagnostic{m_source, 0, node_label(n, i, m_opset), a.name(),
                                "subgraphs (If, Loop, Scan bodies) are not supported"});
      }
    }
  }
  for (const auto& o : g.output()) {
    if (problems.empty() && !defined.count(o.name()))
      problems.add(
          Diagnostic{m_source, 0, "graph.output", o.name(), "no node, input or initializer defines it"});
  }
  if (!problems.empty()) throw WorkloadError(problems.take());
}

void OnnxGraph::infer() {
  infer_shapes_isolated(&m_model, m_source);
}

void OnnxGraph::index_values() {
  const onnx::GraphProto& g = m_model.graph();
  DiagnosticList problems;
  auto define = [&](const std::string& name, const std::string& what) -> ValueInfo* {
    if (name.empty()) return nullptr;
    if (m_values.count(name)) {
      problems.add(Diagnostic{m_source, 0, what, name, "a value may be defined only once"});
      return nullptr;
    }
    return &m_values[name];
  };
  for (const auto& t : g.initializer()) {
    ValueInfo* v = define(t.name(), "graph.initializer");
    if (v == nullptr) continue;
    v->shape = Shape(t.dims().begin(), t.dims().end());
    for (int64_t d : t.dims()) {
      if (d < 0) v->shape.reset();
    }
    v->symbolic = v->shape ? shape_str(*v->shape) : "?";
    v->elem_type = t.data_type();
    v->constant = true;
    v->tensor = &t;
  }
  for (const auto& in : g.input()) {
    if (m_values.count(in.name()) && m_values[in.name()].tensor != nullptr)
      continue;  // initializer listed as input
    ValueInfo* v = define(in.name(), "graph.input");
    if (v == nullptr) continue;
    v->shape = static_shape(in.type());
    v->symbolic = dims_str(in.type().tensor_type().shape());
    v->elem_type = in.type().tensor_type().elem_type();
    m_inputs.push_back(in.name());
  }
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    for (const std::string& in : n.input()) {
      if (in.empty()) continue;
      auto it = m_values.find(in);
      if (it == m_values.end())
        throw InternalError("onnx import: '" + in + "' passed check_structure undefined");
      it->second.consumers.push_back(i);
    }
    for (const std::string& out : n.output()) {
      ValueInfo* v = define(out, node_label(n, i, m_opset));
      if (v == nullptr) continue;
      v->producer = i;
      if (n.op_type() == "Constant") {
        for (const auto& a : n.attribute()) {
          if (a.name() == "value" && a.has_t()) {
            v->tensor = &a.t();
            v->shape = Shape(a.t().dims().begin(), a.t().dims().end());
            v->elem_type = a.t().data_type();
          } else if (a.name() == "value_float" || a.name() == "value_int") {
            v->shape = Shape{};
          } else if (a.name() == "value_floats") {
            v->shape = Shape{a.floats_size()};
          } else if (a.name() == "value_ints") {
            v->shape = Shape{a.ints_size()};
          }
        }
      }
    }
  }
  if (!problems.empty()) throw WorkloadError(problems.take());
  auto take_type = [&](const onnx::ValueInfoProto& vi) {
    auto it = m_values.find(vi.name());
    if (it == m_values.end() || it->second.tensor != nullptr) return;
    if (!vi.type().has_tensor_type()) return;
    if (!it->second.shape) it->second.shape = static_shape(vi.type());
    if (vi.type().tensor_type().has_shape()) it->second.symbolic = dims_str(vi.type().tensor_type().shape());
    if (it->second.elem_type == 0) it->second.elem_type = vi.type().tensor_type().elem_type();
  };
  for (const auto& vi : g.value_info()) take_type(vi);
  for (const auto& vi : g.output()) {
    take_type(vi);
    if (!m_values.count(vi.name())) throw InternalError("onnx import: output '" + vi.name() + "' undefined");
    m_outputs.push_back(vi.name());
  }
  for (auto& [name, v] : m_values) {
    if (v.symbolic.empty()) v.symbolic = v.shape ? shape_str(*v.shape) : "?";
  }
}

void OnnxGraph::mark_constants() {
  const onnx::GraphProto& g = m_model.graph();
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    bool constant = true;
    if (n.op_type() == "Shape" || n.op_type() == "Size") {
      constant = !n.input().empty() && m_values.at(n.input(0)).shape.has_value();
    } else {
      for (const std::string& in : n.input()) {
        if (!in.empty() && !m_values.at(in).constant) constant = false;
      }
    }
    for (const std::string& out : n.output()) {
      if (!out.empty()) m_values.at(out).constant = constant;
    }
  }
}

}  // namespace systole::onnx_import
