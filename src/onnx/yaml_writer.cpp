// Writing the imported layers as a Systole workload (docs/workload-format.md). The text is a
// pure function of the model and the options: no dates, no absolute paths.
#include <fmt/format.h>

#include "systole/common/text.h"

#include "translator.h"

namespace systole::onnx_import {
namespace {

std::string quoted(const std::string& s) {
  return yaml_quoted(s);
}

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string stem(const std::string& path) {
  std::string b = base_name(path);
  const size_t dot = b.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? b : b.substr(0, dot);
}

}  // namespace

std::string write_yaml(const OnnxGraph& g, const Translator& t, const ImportOptions& options) {
  std::string out;
  const std::string file = base_name(g.source());
  out += std::string(kImportedHeader) + "\n";
  out += fmt::format("# Model: {}, ONNX opset {}.\n", file, g.opset());
  out += fmt::format(
      "# {} nodes: {} layers, {} nodes folded (constant subgraphs, batch norms, biases, scales, identities), "
      "{} "
      "placeholders.\n",
      g.node_count(), t.layers().size(), t.folded(), t.placeholders());
  if (!options.dims.empty()) {
    std::vector<std::string> dims;
    for (const auto& [k, v] : options.dims) dims.push_back(fmt::format("{}={}", k, v));
    out += fmt::format("# Symbolic dims set: {}.\n", fmt::join(dims, ", "));
  }
  for (const std::string& o : g.outputs()) {
    const std::string r = t.ref_or_empty(o);
    out += fmt::format("# Graph output '{}': {}.\n", o,
                       r.empty() ? "a constant (not simulated)" : "'" + r + "'");
  }
  out += fmt::format("name: {}\n", quoted(stem(g.source())));
  out += fmt::format("source: {}\n", quoted(fmt::format("ONNX model {} (opset {})", file, g.opset())));
  out += fmt::format("dtype: {}\n", to_string(options.dtype));
  out += "inputs:\n";
  for (const ImportedInput& in : t.inputs()) {
    out += fmt::format("  - {{name: {}, shape: {}", quoted(in.name), int_list(in.shape));
    if (in.dtype != options.dtype) out += fmt::format(", dtype: {}", to_string(in.dtype));
    out += "}";
    if (in.origin != in.name) out += fmt::format("  # ONNX input '{}'", in.origin);
    out += "\n";
  }
  out += "layers:\n";
  for (const ImportedLayer& l : t.layers()) {
    out += fmt::format("  - {{name: {}, type: {}", quoted(l.name), l.type);
    if (l.inputs.size() == 1) {
      out += fmt::format(", input: {}", quoted(l.inputs[0]));
    } else if (!l.inputs.empty()) {
      std::vector<std::string> q;
      for (const std::string& i : l.inputs) q.push_back(quoted(i));
      out += fmt::format(", inputs: [{}]", fmt::join(q, ", "));
    }
    for (const auto& [k, v] : l.attrs) out += fmt::format(", {}: {}", k, v);
    out += fmt::format("}}  # {} -> {}\n", l.origin, shape_str(l.shape));
  }
  return out;
}

}  // namespace systole::onnx_import
