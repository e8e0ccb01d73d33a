// Turning the prepared ONNX graph into workload layers (internal to src/onnx/). Each supported
// op type has a handler (translate_*.cpp, registered in translator.cpp) that reads the node and
// emits zero or more layers; a value produced by no layer (a constant, a folded node) has no
// tensor reference. Layers are kept as YAML text fragments: the workload format is the contract
// between the importer and the rest of Systole (yaml_writer.cpp writes them out).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "onnx_graph.h"

namespace systole::onnx_import {

struct ImportedLayer {
  std::string name;
  std::string type;
  std::vector<std::string> inputs;                         // tensor references
  std::vector<std::pair<std::string, std::string>> attrs;  // key, YAML flow value
  std::string origin;                                      // the ONNX node(s) it came from
  Shape shape;                                             // its output shape (as ONNX infers it)
};

// Weights the model gives for a layer, in Systole's layout (conv2d [oc][C / groups][kh][kw],
// matmul [K][N]), as the model stores them (before conversion to the arch's format).
struct ModelWeights {
  Shape shape;
  std::vector<double> values;
};

struct ImportedInput {
  std::string name;
  Shape shape;
  DataType dtype = DataType::kInt8;
  std::string origin;
};

class Translator {
 public:
  Translator(const OnnxGraph& g, const ImportOptions& options);
  void run();

  const std::vector<ImportedInput>& inputs() const { return m_inputs; }
  const std::vector<ImportedLayer>& layers() const { return m_layers; }
  std::vector<std::string>& warnings() { return m_warnings; }
  int64_t placeholders() const { return m_placeholders; }
  int64_t folded() const { return m_folded; }
  // The tensor reference of a value, "" when it has none (a constant).
  std::string ref_or_empty(const std::string& value) const {
    auto it = m_refs.find(value);
    return it == m_refs.end() ? "" : it->second;
  }

  // --- for the handlers ---
  const OnnxGraph& graph() const { return m_g; }
  const ImportOptions& options() const { return m_options; }
  int node_index() const { return m_node; }
  const onnx::NodeProto& node() const { return m_g.node(m_node); }
  // The node's input i (a value name; "" when absent), and whether it is given.
  const std::string& in(int i) const;
  bool has_in(int i) const;
  const std::string& out(int i = 0) const { return node().output(i); }
  // The value's static shape; a WorkloadError about the current node when unknown.
  const Shape& shape_of(const std::string& value) const;
  // shape_of(value), refused (as an inconsistent model) unless its rank is `rank`.
  const Shape& shape_of_rank(const std::string& value, size_t rank) const;
  bool is_constant(const std::string& value) const { return info(value).constant; }
  // The value's record; a WorkloadError about the current node when it is absent ("").
  const ValueInfo& info(const std::string& value) const;
  // The tensor reference of a computed value; a WorkloadError when the value is a constant.
  std::string ref(const std::string& value) const;
  // Integer contents of a constant input (Constant node or initializer with data); a
  // WorkloadError naming `what` when it is computed or has no data.
  std::vector<int64_t> const_ints(const std::string& value, const std::string& what) const;
  std::optional<std::vector<double>> const_floats(const std::string& value) const;

  // Emits a layer for the current node whose output is `value` (named after the node; `part`
  // tells apart several layers of one node) and maps `value` to it. Returns its name.
  std::string emit(const std::string& value, const std::string& type, std::vector<std::string> inputs,
                   std::vector<std::pair<std::string, std::string>> attrs, const std::string& part = "");
  // An intermediate layer of the current node, of output `shape`, that no ONNX value names.
  std::string emit_part(const std::string& type, std::vector<std::string> inputs,
                        std::vector<std::pair<std::string, std::string>> attrs, const std::string& part,
                        const Shape& shape);
  // The current node's layers stand for `op` (a pattern such as the Erf-spelled GELU): their
  // names end in `op` instead of the node's op type, and their origin says so.
  void name_as(const std::string& op, const std::string& pattern);
  // Maps `value` to an existing tensor reference (Identity, a folded bias).
  void alias(const std::string& value, const std::string& reference, const Shape& shape);
  // The layer that produced reference `r` (nullptr for network inputs).
  ImportedLayer* producer_layer(const std::string& r);
  // Layers of the current node's inputs may be extended; the node counts as folded.
  void count_folded() { ++m_folded; }
  // The value's only consumer node, or -1.
  int sole_consumer(const std::string& value) const;
  // Marks node `i` as translated by a pattern started at another node.
  void consume(int i) { m_consumed.insert(i); }
  // Records the weights of layer `layer` from constant `value`, whose elements are `shape` in
  // Systole's layout, or its transpose [N, K] of a matmul's [K, N] when `transposed`: only when
  // the value has data and the import reads weights (ImportOptions::weight_type is a float format).
  void record_weights(const std::string& layer, const std::string& value, const Shape& shape,
                      bool transposed);
  ModelWeights* weights_of(const std::string& layer);
  // Forgets `layer`'s weights, with a warning saying why (a fold the import cannot apply to them).
  void drop_weights(const std::string& layer, const std::string& why);
  const std::map<std::string, ModelWeights>& model_weights() const { return m_weights; }
  [[noreturn]] void fail(const std::string& value, const std::string& rule) const;
  // An unsupported case of a supported op: an error, or a placeholder with --skip-unsupported.
  void unsupported(const std::string& why);

 private:
  void translate_node();
  void placeholder(const std::string& why);
  std::string unique_name(const std::string& base);

  const OnnxGraph& m_g;
  const ImportOptions& m_options;
  int m_node = -1;
  std::string m_as_op, m_as_pattern;  // name_as() of the current node
  std::vector<ImportedInput> m_inputs;
  std::vector<ImportedLayer> m_layers;
  std::map<std::string, std::string> m_refs;     // ONNX value -> tensor reference
  std::map<std::string, Shape> m_ref_shapes;     // tensor reference -> shape
  std::map<std::string, size_t> m_layer_of_ref;  // tensor reference -> index in m_layers
  std::set<std::string> m_names;
  std::set<int> m_consumed;
  std::vector<std::string> m_warnings;
  int64_t m_placeholders = 0, m_folded = 0;
  std::map<std::string, ModelWeights> m_weights;  // by layer name
  bool m_warned_integer_weights = false;
};

// A handler translates the current node; it throws through Translator::fail / unsupported.
using OpHandler = std::function<void(Translator&)>;
// op type -> handler; the handlers of each file register here.
void add_nn_handlers(std::map<std::string, OpHandler>* h);
void add_elementwise_handlers(std::map<std::string, OpHandler>* h);
void add_layout_handlers(std::map<std::string, OpHandler>* h);
const std::map<std::string, OpHandler>& op_handlers();

// YAML flow text of a list of integers, e.g. "[1, 2]".
std::string int_list(const std::vector<int64_t>& v);
// YAML of the workload (yaml_writer.cpp).
std::string write_yaml(const OnnxGraph& g, const Translator& t, const ImportOptions& options);

}  // namespace systole::onnx_import
