// ONNX import: an ONNX model file becomes a Systole workload (the YAML format of
// docs/workload-format.md), which `--workload model.onnx` then loads like any other. Reading uses
// Debian's ONNX library (libonnx: the protobuf classes and ONNX's own shape inference, with data
// propagation so that Shape -> Gather -> Concat -> Reshape chains resolve). docs/onnx.md lists the
// operators and how each maps. No SystemC here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "systole/config/types.h"
#include "systole/numeric/tensor.h"

namespace systole::onnx_import {

// The first line of every imported workload (`systole import -o` replaces only such a file).
inline constexpr const char* kImportedHeader =
    "# Systole workload imported from ONNX by `systole import` (docs/onnx.md).";

struct ImportOptions {
  // Values of symbolic dimensions (dim_param) of the graph's inputs: --set-dim name=value.
  std::map<std::string, int64_t> dims;
  // An unsupported node becomes a zero-cost `placeholder` layer (with a warning) instead of an error.
  bool skip_unsupported = false;
  // Element type of the workload's activations (ONNX float tensors are imported as this; the arch's
  // number formats decide how they are computed). Index tensors (int32/int64) become int32.
  DataType dtype = DataType::kInt8;
  // The arch's weight format. A float format reads the weights the model carries (initializers or
  // Constant nodes with data) into ImportResult::weights; an integer one leaves them (the workload
  // format has no scales to quantise them with), with a warning when the model has any.
  DataType weight_type = DataType::kInt8;
};

struct ImportResult {
  std::string yaml;                   // the workload, in Systole YAML
  std::vector<std::string> warnings;  // one line each: skipped nodes, dropped attributes
  int64_t placeholders = 0;           // nodes imported as placeholders (--skip-unsupported)
  int64_t folded_nodes = 0;           // nodes that became no layer: constant subgraphs, batch norms,
                                      // bias / scale Adds and Muls, identities
  // Each graph output (ONNX name) and the workload tensor holding it (a layer or input name, or
  // "<split>:<i>"); "" for an output that is a constant.
  std::vector<std::pair<std::string, std::string>> outputs;
  // The model's weights by layer name, in weight_type and the layer's weight shape (conv2d
  // [out_channels][C / groups][kh][kw], matmul [K][N]), a folded BatchNormalization's scale applied;
  // for the layers whose weights have data (stripped models have none). Biases are not modelled.
  std::map<std::string, Tensor> weights;
};

// Reads `path` (a ModelProto, at most 2 GiB). Every problem is a WorkloadError naming the file,
// the node (name, op type, opset) or input, the value and what was expected.
ImportResult import_onnx(const std::string& path, const ImportOptions& options);
// The same, from the serialised bytes; `source_name` is the file named in diagnostics.
ImportResult import_onnx_bytes(const std::string& bytes, const std::string& source_name,
                               const ImportOptions& options);

// The ONNX operator types the importer maps (sorted), for messages and docs.
std::vector<std::string> supported_op_types();

// "name=value" of --set-dim into `dims`; a malformed item is a UserError naming it.
void parse_set_dim(const std::string& item, std::map<std::string, int64_t>* dims);

}  // namespace systole::onnx_import
