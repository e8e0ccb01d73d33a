// The node walk of the importer (translator.h): inputs, names, dispatch to the op handlers,
// placeholders for --skip-unsupported.
#include "translator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace systole::onnx_import {
namespace {

// A layer or input name from an ONNX name. Exporters name nodes by module path with cumulative
// segments ("/layer1/layer1.0/conv1/Conv"): the path's segments are joined with '.', a segment
// that the next one repeats as its prefix dropped ("layer1.0.conv1.Conv"). Letters, digits, '_',
// '.' and '-' are kept, anything else becomes '_'.
std::string sanitize(const std::string& s) {
  std::vector<std::string> segments;
  size_t b = 0;
  while (b <= s.size()) {
    const size_t e = std::min(s.find('/', b), s.size());
    if (e > b) segments.push_back(s.substr(b, e - b));
    b = e + 1;
  }
  std::string joined;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i + 1 < segments.size() && segments[i + 1].rfind(segments[i] + ".", 0) == 0) continue;
    if (!joined.empty()) joined += '.';
    joined += segments[i];
  }
  std::string out;
  for (char c : joined) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    out += ok ? c : '_';
  }
  const size_t first = out.find_first_not_of("_.");
  if (first == std::string::npos) return "";
  const size_t last = out.find_last_not_of("_.");
  return out.substr(first, last - first + 1);
}

bool is_index_type(int32_t t) {
  return t == onnx::TensorProto::INT64 || t == onnx::TensorProto::INT32;
}

}  // namespace

std::string int_list(const std::vector<int64_t>& v) {
  return "[" + fmt::format("{}", fmt::join(v, ", ")) + "]";
}

const std::map<std::string, OpHandler>& op_handlers() {
  static const std::map<std::string, OpHandler> handlers = [] {
    std::map<std::string, OpHandler> h;
    add_nn_handlers(&h);
    add_elementwise_handlers(&h);
    add_layout_handlers(&h);
    return h;
  }();
  return handlers;
}

std::vector<std::string> supported_op_types() {
  std::vector<std::string> out;
  for (const auto& [op, handler] : op_handlers()) out.push_back(op);
  out.push_back("Constant");  // folded, with every node computed only from constants and shapes
  std::sort(out.begin(), out.end());
  return out;
}

Translator::Translator(const OnnxGraph& g, const ImportOptions& options) : m_g(g), m_options(options) {}

const std::string& Translator::in(int i) const {
  static const std::string kNone;
  return i < node().input_size() ? node().input(i) : kNone;
}

bool Translator::has_in(int i) const {
  return i < node().input_size() && !node().input(i).empty();
}

const ValueInfo& Translator::info(const std::string& value) const {
  if (value.empty() || !m_g.has_value(value))
    fail(value, "a required input or output of this node is missing");
  return m_g.value(value);
}

const Shape& Translator::shape_of(const std::string& value) const {
  const ValueInfo& v = info(value);
  if (!v.shape) {
    fail(value,
         fmt::format("the shape of '{}' ({}) is not known after shape inference; give its symbolic dims "
                     "with --set-dim",
                     value, v.symbolic));
  }
  return *v.shape;
}

const Shape& Translator::shape_of_rank(const std::string& value, size_t rank) const {
  const Shape& s = shape_of(value);
  if (s.size() != rank) {
    fail(value,
         fmt::format("has shape {} after shape inference; this {} needs rank {} here (the model's shapes are "
                     "inconsistent)",
                     shape_str(s), node().op_type(), rank));
  }
  return s;
}

std::string Translator::ref(const std::string& value) const {
  auto it = m_refs.find(value);
  if (it != m_refs.end()) return it->second;
  if (info(value).constant) fail(value, "a constant where this operator needs a computed tensor");
  throw InternalError("onnx import: no tensor for value '" + value + "'");
}

std::vector<int64_t> Translator::const_ints(const std::string& value, const std::string& what) const {
  const ValueInfo& v = info(value);
  if (v.tensor != nullptr) {
    if (auto ints = tensor_ints(*v.tensor)) return *ints;
  }
  fail(value, what + " must be a constant integer tensor with data (an initializer or a Constant node)");
}

std::optional<std::vector<double>> Translator::const_floats(const std::string& value) const {
  const ValueInfo& v = info(value);
  if (v.tensor == nullptr) return std::nullopt;
  return tensor_floats(*v.tensor);
}

void Translator::record_weights(const std::string& layer, const std::string& value, const Shape& shape,
                                bool transposed) {
  std::optional<std::vector<double>> data = const_floats(value);
  if (!data || data->empty()) return;  // a stripped model: dims without data
  if (!is_float(m_options.weight_type)) {
    if (!m_warned_integer_weights) {
      m_warnings.push_back(fmt::format(
          "the model's weights are not used: the arch's weights are {} and a workload carries no scales to "
          "quantise them with; functional runs use seeded weights (an fp16, bf16 or fp32 arch uses the "
          "model's)",
          to_string(m_options.weight_type)));
      m_warned_integer_weights = true;
    }
    return;
  }
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  if (static_cast<int64_t>(data->size()) != count || (transposed && shape.size() != 2)) {
    throw InternalError(
        fmt::format("ONNX import: {} weights of '{}' for a {} layer", data->size(), value, shape_str(shape)));
  }
  ModelWeights w{shape, std::move(*data)};
  if (transposed) {  // [N, K] as stored -> [K, N]
    const int64_t k = shape[0], n = shape[1];
    std::vector<double> kn(w.values.size());
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j)
        kn[static_cast<size_t>(j * n + i)] = w.values[static_cast<size_t>(i * k + j)];
    w.values = std::move(kn);
  }
  m_weights[layer] = std::move(w);
}

ModelWeights* Translator::weights_of(const std::string& layer) {
  auto it = m_weights.find(layer);
  return it == m_weights.end() ? nullptr : &it->second;
}

void Translator::drop_weights(const std::string& layer, const std::string& why) {
  if (m_weights.erase(layer) == 0) return;
  m_warnings.push_back(
      fmt::format("{}: the model's weights of '{}' are not used ({}); functional runs use "
                  "seeded ones",
                  node_label(node(), m_node, m_g.opset()), layer, why));
}

void Translator::fail(const std::string& value, const std::string& rule) const {
  throw WorkloadError(m_g.node_diagnostic(m_node, value, rule));
}

std::string Translator::unique_name(const std::string& base) {
  std::string b = base.empty() ? "layer" : base;
  std::string name = b;
  for (int k = 2; m_names.count(name); ++k) name = fmt::format("{}_{}", b, k);
  m_names.insert(name);
  return name;
}

std::string Translator::emit_part(const std::string& type, std::vector<std::string> inputs,
                                  std::vector<std::pair<std::string, std::string>> attrs,
                                  const std::string& part, const Shape& shape) {
  const onnx::NodeProto& n = node();
  std::string base = sanitize(n.name());
  if (base.empty()) base = sanitize(n.output(0));
  if (base.empty() || std::isdigit(static_cast<unsigned char>(base[0])))
    base = fmt::format("{}_{}", n.op_type(), base.empty() ? std::to_string(m_node) : base);
  std::string origin = n.name().empty() ? n.op_type() : fmt::format("{} '{}'", n.op_type(), n.name());
  if (!m_as_op.empty()) {
    const std::string suffix = "." + n.op_type();
    if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0)
      base = base.substr(0, base.size() - suffix.size()) + "." + m_as_op;
    else
      base += "." + m_as_op;
    origin = m_as_op + " spelled " + m_as_pattern + ", from " + origin;
  }
  ImportedLayer l;
  l.name = unique_name(part.empty() ? base : base + "_" + part);
  l.type = type;
  l.inputs = std::move(inputs);
  l.attrs = std::move(attrs);
  l.origin = origin;
  l.shape = shape;
  m_layer_of_ref[l.name] = m_layers.size();
  m_ref_shapes[l.name] = l.shape;
  m_layers.push_back(std::move(l));
  return m_layers.back().name;
}

std::string Translator::emit(const std::string& value, const std::string& type,
                             std::vector<std::string> inputs,
                             std::vector<std::pair<std::string, std::string>> attrs,
                             const std::string& part) {
  const std::string name = emit_part(type, std::move(inputs), std::move(attrs), part, shape_of(value));
  m_refs[value] = name;
  return name;
}

void Translator::name_as(const std::string& op, const std::string& pattern) {
  m_as_op = op;
  m_as_pattern = pattern;
}

void Translator::alias(const std::string& value, const std::string& reference, const Shape& shape) {
  m_refs[value] = reference;
  m_ref_shapes[reference] = shape;
}

ImportedLayer* Translator::producer_layer(const std::string& r) {
  auto it = m_layer_of_ref.find(r);
  return it == m_layer_of_ref.end() ? nullptr : &m_layers[it->second];
}

int Translator::sole_consumer(const std::string& value) const {
  if (value.empty() || !m_g.has_value(value)) return -1;
  const ValueInfo& v = m_g.value(value);
  const auto& outs = m_g.outputs();
  if (v.consumers.size() != 1 || std::find(outs.begin(), outs.end(), value) != outs.end()) return -1;
  return v.consumers[0];
}

void Translator::unsupported(const std::string& why) {
  if (!m_options.skip_unsupported) {
    fail(node().op_type(),
         why + "; supported operators: " + fmt::format("{}", fmt::join(supported_op_types(), ", ")) +
             " (--skip-unsupported imports it as a zero-cost placeholder)");
  }
  placeholder(why);
}

void Translator::placeholder(const std::string& why) {
  const onnx::NodeProto& n = node();
  std::vector<std::string> ins;
  for (const std::string& i : n.input()) {
    if (!i.empty() && !m_g.value(i).constant) ins.push_back(ref(i));
  }
  for (int o = 0; o < n.output_size(); ++o) {
    if (n.output(o).empty()) continue;
    const std::string part = n.output_size() > 1 ? std::to_string(o) : "";
    emit(n.output(o), "placeholder", ins,
         {{"shape", int_list(shape_of(n.output(o)))}, {"op", fmt::format("\"{}\"", n.op_type())}}, part);
  }
  ++m_placeholders;
  m_warnings.push_back(
      fmt::format("{}: {}; imported as a zero-cost placeholder", node_label(n, m_node, m_g.opset()), why));
}

void Translator::translate_node() {
  const onnx::NodeProto& n = node();
  if (n.output_size() == 0 || n.output(0).empty()) fail("", "the node's first output is not named");
  const bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
  const auto& handlers = op_handlers();
  auto it = handlers.find(n.op_type());
  if (!default_domain || it == handlers.end()) {
    unsupported(default_domain ? "operator not supported"
                               : "operators of domain '" + n.domain() + "' are not supported");
    return;
  }
  it->second(*this);
}

void Translator::run() {
  for (const std::string& name : m_g.inputs()) {
    const ValueInfo& v = m_g.value(name);
    ImportedInput in;
    in.name = unique_name(sanitize(name).empty() ? "input" : sanitize(name));
    in.shape = *v.shape;  // checked static by OnnxGraph
    in.dtype = is_index_type(v.elem_type) ? DataType::kInt32 : m_options.dtype;
    in.origin = name;
    m_refs[name] = in.name;
    m_ref_shapes[in.name] = in.shape;
    m_inputs.push_back(in);
  }
  for (m_node = 0; m_node < m_g.node_count(); ++m_node) {
    if (m_consumed.count(m_node)) continue;
    const onnx::NodeProto& n = node();
    bool all_constant = true;
    for (const std::string& o : n.output()) {
      if (!o.empty() && !m_g.value(o).constant) all_constant = false;
    }
    if (all_constant) {
      ++m_folded;  // a constant subgraph (shapes, masks): its values are the consumers' business
      continue;
    }
    m_as_op.clear();
    translate_node();
  }
  if (m_layers.empty()) {
    throw WorkloadError(Diagnostic{m_g.source(), 0, "graph", "",
                                   "nothing to simulate: every node folded into a constant or an alias"});
  }
}

}  // namespace systole::onnx_import
