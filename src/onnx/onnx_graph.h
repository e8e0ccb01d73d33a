// The ONNX model as the importer sees it (internal to src/onnx/): the parsed ModelProto with the
// user's --set-dim values substituted and ONNX shape inference run, and for every value name its
// static shape (when known), element type, whether it is a constant (an initializer, a Constant
// node's output, or computed only from constants and shapes) and its producer and consumers.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "systole/common/error.h"
#include "systole/numeric/shape.h"
#include "systole/onnx/importer.h"

namespace systole::onnx_import {

struct ValueInfo {
  std::optional<Shape> shape;  // every dim known (after --set-dim and inference); nullopt otherwise
  std::string symbolic;        // the shape as ONNX gives it, e.g. "[batch, 3, 224, 224]" (messages)
  int32_t elem_type = 0;       // onnx::TensorProto_DataType
  bool constant = false;       // no graph input reaches it except through Shape
  const onnx::TensorProto* tensor = nullptr;  // its data: an initializer or a Constant's `value`
  int producer = -1;                          // node index; -1 for graph inputs and initializers
  std::vector<int> consumers;                 // node indices, in graph order
};

class OnnxGraph {
 public:
  // Parses and prepares the model; throws WorkloadError naming `source` on any problem.
  OnnxGraph(const std::string& bytes, const std::string& source, const ImportOptions& options);

  const onnx::GraphProto& graph() const { return m_model.graph(); }
  const onnx::NodeProto& node(int i) const { return m_model.graph().node(i); }
  int node_count() const { return m_model.graph().node_size(); }
  const std::string& source() const { return m_source; }
  int64_t opset() const { return m_opset; }  // of the default ("" / ai.onnx) domain
  int64_t ir_version() const { return m_model.ir_version(); }
  const std::string& model_name() const { return m_name; }

  // The value's record; a name the graph never defines is an InternalError (checked on parse).
  const ValueInfo& value(const std::string& name) const;
  bool has_value(const std::string& name) const { return m_values.count(name) != 0; }
  // The graph's real inputs (not initializers), in order.
  const std::vector<std::string>& inputs() const { return m_inputs; }
  const std::vector<std::string>& outputs() const { return m_outputs; }

  // A diagnostic about node `i`: "node 'name' (OpType, opset N)" as key.
  Diagnostic node_diagnostic(int i, const std::string& value, const std::string& rule) const;

 private:
  void substitute_dims(const ImportOptions& options);
  void check_structure() const;
  void infer();
  void index_values();
  void mark_constants();

  onnx::ModelProto m_model;
  std::string m_source;
  std::string m_name;
  int64_t m_opset = 0;
  std::map<std::string, ValueInfo> m_values;
  std::vector<std::string> m_inputs, m_outputs;
};

// Runs ONNX shape inference (with data propagation) on `model` in a child process, so that a
// malformed model that crashes libonnx is a WorkloadError naming `source` (isolated_inference.cpp).
void infer_shapes_isolated(onnx::ModelProto* model, const std::string& source);

// A node's label for messages: "'name' (OpType, opset N)", or "#index (OpType, ...)" if unnamed.
std::string node_label(const onnx::NodeProto& n, int index, int64_t opset);

// Attribute readers; `fallback` when absent.
int64_t attr_int(const onnx::NodeProto& n, const std::string& name, int64_t fallback);
float attr_float(const onnx::NodeProto& n, const std::string& name, float fallback);
std::string attr_string(const onnx::NodeProto& n, const std::string& name, const std::string& fallback);
std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const std::string& name);
bool has_attr(const onnx::NodeProto& n, const std::string& name);

// The integer (or float, rounded toward zero is never done: nullopt) contents of a constant
// tensor: int32/int64 data from its typed fields or raw_data. nullopt when it holds no data, is
// external, or has another type.
std::optional<std::vector<int64_t>> tensor_ints(const onnx::TensorProto& t);
// Its float contents (float32 / float64 / integer types converted); nullopt as above.
std::optional<std::vector<double>> tensor_floats(const onnx::TensorProto& t);

}  // namespace systole::onnx_import
