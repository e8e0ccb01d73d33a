// The Systole YAML workload format (docs/workload-format.md) -> Network. Every problem found while
// reading is collected with its line and key path; then shapes are inferred (infer_shapes). The
// document's structure is read here; a layer's `type` picks its operator (workload/operator.h),
// which reads the layer's own keys.
#include <string>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "systole/common/error.h"
#include "systole/common/text.h"
#include "systole/config/yaml_document.h"
#include "systole/config/yaml_text.h"
#include "systole/workload/decoder.h"
#include "systole/workload/layer_fields.h"
#include "systole/workload/loader.h"
#include "systole/workload/network.h"
#include "systole/workload/operator.h"
#include "yaml_reader.h"

namespace systole {
namespace {

using workload_yaml::line_of;
using workload_yaml::Reader;
using workload_yaml::suggestion;
using workload_yaml::text_of;

// A `type` spelling and the operator it selects.
struct Spelling {
  const IOperator* op;
  TypeSpelling spelling;
};

// Every operator's spellings, in registration order.
std::vector<Spelling> all_spellings() {
  std::vector<Spelling> out;
  const OperatorRegistry& ops = operator_registry();
  if (ops.empty()) (void)operator_of(LayerKind::kConv2d);  // throws: no operator is registered
  for (const std::string& name : ops.names()) {
    const IOperator& op = ops.get(name);
    for (TypeSpelling& t : op.spellings()) out.push_back({&op, std::move(t)});
  }
  return out;
}

// Reads layers[index]; `previous` is the name the omitted `input` defaults to ("" if none).
void read_layer(Reader& r, const YAML::Node& n, size_t index, const std::string& previous,
                const std::vector<Spelling>& spellings, Network* net) {
  const std::string p = fmt::format("layers[{}].", index);
  const int line = line_of(n);
  if (!n.IsMap()) {
    r.fail(n, line, fmt::format("layers[{}]", index), text_of(n), "must be a map with name and type");
    return;
  }
  Layer l;
  l.source_line = line;
  bool named = n["name"] ? r.get_string(n["name"], p + "name", &l.name)
                         : (r.fail(n, line, p + "name", "", "required"), false);
  l.source_index = static_cast<int>(index);
  std::string type;
  const Spelling* spelling = nullptr;
  if (!n["type"]) {
    r.fail(n, line, p + "type", "", "required");
  } else if (r.get_string(n["type"], p + "type", &type)) {
    for (const Spelling& t : spellings) {
      if (type == t.spelling.type) spelling = &t;
    }
    if (!spelling) {
      std::vector<std::string> names;
      for (const Spelling& t : spellings) names.push_back(t.spelling.type);
      r.fail(n["type"], line, p + "type", type,
             "unknown layer type" + suggestion(type, names) + "; accepted: " + join_comma(names));
    }
  }
  if (n["input"] && n["inputs"]) {
    r.fail(n["inputs"], line, p + "inputs", text_of(n["inputs"]), "give either input or inputs, not both");
  } else if (n["input"]) {
    std::string in;
    if (r.get_string(n["input"], p + "input", &in)) l.inputs.push_back(in);
  } else if (n["inputs"]) {
    const YAML::Node& ins = n["inputs"];
    if (!ins.IsSequence() || ins.size() == 0) {
      r.fail(ins, line, p + "inputs", text_of(ins), "must be a non-empty list of tensor names");
    } else {
      for (size_t i = 0; i < ins.size(); ++i) {
        std::string in;
        if (r.get_string(ins[i], fmt::format("{}inputs[{}]", p, i), &in)) l.inputs.push_back(in);
      }
    }
  } else if (!previous.empty()) {
    l.inputs.push_back(previous);
  } else {
    r.fail(n, line, p + "input", "",
           fmt::format("required: the first layer defaults to the single network input, but there are {}",
                       net->inputs.size()));
  }
  if (!spelling) return;
  const IOperator& op = *spelling->op;
  l.kind = LayerKind(op.name());
  std::vector<std::string> allowed = {"name", "type", "input", "inputs", "quant"};
  allowed.insert(allowed.end(), spelling->spelling.keys.begin(), spelling->spelling.keys.end());
  r.check_keys(n, p, allowed, fmt::format("a {} layer", type));
  LayerFields fields(r, n, p, line, type, l);
  op.parse(fields, &l);
  if (n["weights_npy"]) r.get_npy_path(n["weights_npy"], p + "weights_npy", &l.weights_npy_path);
  if (n["quant"]) r.get_quant(n["quant"], p + "quant", &l.quant);
  if (!named) return;
  for (Layer& part : op.expand(std::move(l))) net->layers.push_back(std::move(part));
}

void read_inputs(Reader& r, const YAML::Node& root, DataType default_dtype, Network* net) {
  const YAML::Node& ins = root["inputs"];
  if (!ins) {
    r.fail(root, 1, "inputs", "", "required: a list of {name, shape, dtype}");
    return;
  }
  if (!ins.IsSequence() || ins.size() == 0) {
    r.fail(ins, 1, "inputs", text_of(ins), "must be a non-empty list of {name, shape, dtype}");
    return;
  }
  for (size_t i = 0; i < ins.size(); ++i) {
    const YAML::Node& n = ins[i];
    const std::string p = fmt::format("inputs[{}].", i);
    if (!n.IsMap()) {
      r.fail(n, 1, fmt::format("inputs[{}]", i), text_of(n), "must be a map {name, shape, dtype}");
      continue;
    }
    r.check_keys(n, p, {"name", "shape", "dtype", "npy", "quant"}, "a network input");
    TensorInput t;
    t.dtype = default_dtype;
    bool ok = n["name"] ? r.get_string(n["name"], p + "name", &t.name)
                        : (r.fail(n, 1, p + "name", "", "required"), false);
    if (!n["shape"]) {
      r.fail(n, 1, p + "shape", "", "required, e.g. [1, 3, 224, 224]");
      ok = false;
    } else if (r.get_int_list(n["shape"], p + "shape", &t.shape)) {
      bool positive = !t.shape.empty();
      for (int64_t d : t.shape) positive = positive && d >= 1;
      if (!positive) {
        r.fail(n["shape"], 1, p + "shape", shape_str(t.shape), "dimensions must be integers >= 1");
        ok = false;
      }
    } else {
      ok = false;
    }
    std::string dt;
    if (n["dtype"] && r.get_string(n["dtype"], p + "dtype", &dt) && !parse_data_type(dt, &t.dtype)) {
      r.fail(n["dtype"], 1, p + "dtype", dt, "must be one of: " + join_comma(data_type_names()));
    }
    if (n["npy"] && !r.get_npy_path(n["npy"], p + "npy", &t.npy_path)) ok = false;
    if (n["quant"] && !r.get_quant(n["quant"], p + "quant", &t.quant)) ok = false;
    if (ok) net->inputs.push_back(t);
  }
}

}  // namespace

Network load_yaml_network(const std::string& text, const std::string& source_name) {
  const YamlDocument doc = parse_yaml_document(text, source_name);
  if (!doc.problems.empty()) throw WorkloadError(doc.problems);
  const YAML::Node& root = doc.root;
  Reader r(source_name, doc);
  if (!root.IsMap()) {
    throw WorkloadError(Diagnostic{source_name, line_of(root), "", root.IsScalar() ? root.Scalar() : "",
                                   "a workload must be a YAML map with name, inputs and layers"});
  }
  // A decoder spec (workload/decoder.h) generates its layers, here with its own default step.
  if (root["decoder"]) return load_decoder_network(text, source_name, DecoderRequest{});
  Network net;
  net.source_path = source_name;
  r.check_keys(root, "", {"name", "source", "dtype", "inputs", "layers", "decoder"}, "a workload");
  if (!root["name"])
    r.fail(root, 1, "name", "", "required");
  else
    r.get_string(root["name"], "name", &net.name);
  if (root["source"]) r.get_string(root["source"], "source", &net.source);
  DataType dtype = DataType::kInt8;
  std::string dt;
  if (root["dtype"] && r.get_string(root["dtype"], "dtype", &dt) && !parse_data_type(dt, &dtype)) {
    r.fail(root["dtype"], 1, "dtype", dt, "must be one of: " + join_comma(data_type_names()));
  }
  net.dtype = dtype;
  read_inputs(r, root, dtype, &net);
  const YAML::Node& layers = root["layers"];
  if (!layers) {
    r.fail(root, 1, "layers", "", "required: a list of layers");
  } else if (!layers.IsSequence() || layers.size() == 0) {
    r.fail(layers, 1, "layers", text_of(layers), "must be a non-empty list of layers");
  } else {
    const std::vector<Spelling> spellings = all_spellings();
    for (size_t i = 0; i < layers.size(); ++i) {
      std::string previous;
      if (i > 0 && layers[i - 1].IsMap() && layers[i - 1]["name"] && layers[i - 1]["name"].IsScalar()) {
        previous = layers[i - 1]["name"].Scalar();
      } else if (i == 0 && net.inputs.size() == 1) {
        previous = net.inputs[0].name;
      }
      read_layer(r, layers[i], i, previous, spellings, &net);
    }
  }
  if (!r.diags().empty()) throw WorkloadError(r.diags().take());
  infer_shapes(net);
  return net;
}

}  // namespace systole
