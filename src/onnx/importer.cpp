// The importer's entry points (systole/onnx/importer.h).
#include "systole/onnx/importer.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "onnx_graph.h"
#include "systole/common/error.h"
#include "translator.h"

namespace systole::onnx_import {

ImportResult import_onnx_bytes(const std::string& bytes, const std::string& source_name,
                               const ImportOptions& options) {
  const OnnxGraph g(bytes, source_name, options);
  Translator t(g, options);
  t.run();
  ImportResult r;
  r.yaml = write_yaml(g, t, options);
  r.warnings = t.warnings();
  r.placeholders = t.placeholders();
  r.folded_nodes = t.folded();
  for (const std::string& o : g.outputs()) r.outputs.emplace_back(o, t.ref_or_empty(o));
  // The model's weights in the arch's format (read only for a float one: Translator::record_weights).
  for (const auto& [layer, w] : t.model_weights()) {
    Tensor tensor(options.weight_type, w.shape);
    for (size_t i = 0; i < w.values.size(); ++i)
      tensor.set_float(static_cast<int64_t>(i), static_cast<float>(w.values[i]));
    r.weights.emplace(layer, std::move(tensor));
  }
  return r;
}

ImportResult import_onnx(const std::string& path, const ImportOptions& options) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw WorkloadError(Diagnostic{path, 0, "", "", "cannot open the ONNX model"});
  std::ostringstream ss;
  ss << f.rdbuf();
  if (!f && !f.eof()) throw WorkloadError(Diagnostic{path, 0, "", "", "cannot read the ONNX model"});
  return import_onnx_bytes(ss.str(), path, options);
}

void parse_set_dim(const std::string& item, std::map<std::string, int64_t>* dims) {
  const size_t eq = item.find('=');
  const std::string name = eq == std::string::npos ? item : item.substr(0, eq);
  const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
  auto bad = [&](const std::string& rule) { throw UserError("--set-dim '" + item + "': " + rule); };
  if (eq == std::string::npos || name.empty()) bad("expected name=value, e.g. --set-dim batch=1");
  int64_t v = 0;
  size_t used = 0;
  try {
    v = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || v < 1) bad("the value must be an integer >= 1");
  if (dims->count(name) && dims->at(name) != v)
    bad(fmt::format("'{}' is already set to {}", name, dims->at(name)));
  (*dims)[name] = v;
}

}  // namespace systole::onnx_import
