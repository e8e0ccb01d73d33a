// The importer's refusals: each names the file, the node or input, the value and the rule.
#include <gtest/gtest.h>

#include <algorithm>

#include "model_builder.h"
#include "systole/common/error.h"
#include "systole/onnx/importer.h"

namespace systole {
namespace {

using onnx_test::ModelBuilder;

// The message of the WorkloadError (or UserError) that importing `bytes` throws; "" if none.
std::string refusal(const std::string& bytes, const onnx_import::ImportOptions& o = {}) {
  try {
    onnx_import::import_onnx_bytes(bytes, "m.onnx", o);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

void expect_has(const std::string& message, const std::string& part) {
  EXPECT_NE(message.find(part), std::string::npos) << "missing: " << part << "\nin: " << message;
}

TEST(OnnxImportErrors, BytesThatAreNotAModel) {
  expect_has(refusal("this is not protobuf \xff\xff\xff"), "m.onnx: not an ONNX model");
}

TEST(OnnxImportErrors, AFileThatCannotBeOpened) {
  try {
    onnx_import::import_onnx("/nonexistent/model.onnx", {});
    FAIL();
  } catch (const WorkloadError& e) {
    expect_has(e.what(), "/nonexistent/model.onnx: cannot open the ONNX model");
  }
}

TEST(OnnxImportErrors, AModelWithoutNodesOrOpset) {
  ModelBuilder empty;
  empty.input("x", {1, 4});
  expect_has(refusal(empty.bytes()), "m.onnx: graph.node = '': the graph has no nodes");
  onnx::ModelProto m;
  m.mutable_graph()->add_node()->set_op_type("Relu");
  expect_has(refusal(m.SerializeAsString()), "imports no opset of the default ONNX domain");
}

TEST(OnnxImportErrors, ASymbolicDimNeedsSetDim) {
  ModelBuilder b;
  b.input("x", {"batch", 8}).node("Relu", {"x"}, {"y"}).output("y");
  expect_has(
      refusal(b.bytes()),
      "graph.input 'x' dim 0 = '[batch, 8]': 'batch' is symbolic: give its value with --set-dim batch=N");
  onnx_import::ImportOptions o;
  o.dims["batch"] = 4;
  EXPECT_EQ(refusal(b.bytes(), o), "");
  o.dims["seq"] = 128;  // a name the model does not have
  expect_has(refusal(b.bytes(), o), "--set-dim: seq = '128': no input dimension has this name");
  expect_has(refusal(b.bytes(), o), "the model's symbolic dims: batch");
}

TEST(OnnxImportErrors, UnknownAndNonPositiveInputDims) {
  ModelBuilder zero;
  zero.input("x", {int64_t{0}, 8}).node("Relu", {"x"}, {"y"}).output("y");
  expect_has(refusal(zero.bytes()), "graph.input 'x' dim 0 = '0': dimensions must be >= 1");
  ModelBuilder unknown;
  unknown.input("x", {1, 8}).node("Relu", {"x"}, {"y"}).output("y");
  unknown.model()
      .mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(1)
      ->clear_dim_value();
  expect_has(refusal(unknown.bytes()), "graph.input 'x' dim 1 = '[1, ?]': the dimension is unknown");
}

TEST(OnnxImportErrors, ANodeReadingAnUndefinedValue) {
  ModelBuilder b;
  b.input("x", {1, 8}).node("Add", {"x", "ghost"}, {"y"}, {}, "/add").output("y");
  expect_has(refusal(b.bytes()), "node '/add' (Add, opset 17) = 'ghost': reads a value no earlier node");
}

TEST(OnnxImportErrors, AValueDefinedTwice) {
  ModelBuilder b;
  b.input("x", {1, 8}).node("Relu", {"x"}, {"y"}).node("Relu", {"x"}, {"y"}, {}, "/again").output("y");
  expect_has(refusal(b.bytes()), "a value may be defined only once");
}

TEST(OnnxImportErrors, AnOperatorOfAnotherDomain) {
  ModelBuilder b;
  b.input("x", {1, 8}).node("FusedGelu", {"x"}, {"y"}, {}, "/f").output("y");
  b.model().mutable_graph()->mutable_node(0)->set_domain("com.microsoft");
  auto* ms = b.model().add_opset_import();  // as ONNX Runtime's optimised models declare it
  ms->set_domain("com.microsoft");
  ms->set_version(1);
  expect_has(refusal(b.bytes()), "node '/f' (com.microsoft.FusedGelu, opset 17)");
  expect_has(refusal(b.bytes()), "operators of domain 'com.microsoft' are not supported");
}

TEST(OnnxImportErrors, ConvWithComputedWeightsAnd3dConv) {
  ModelBuilder computed;
  computed.input("x", {1, 2, 8, 8})
      .input("w", {2, 2, 3, 3})
      .node("Conv", {"x", "w"}, {"y"}, {}, "/c")
      .output("y");
  expect_has(refusal(computed.bytes()), "a Conv whose weights are computed");
  ModelBuilder three_d;
  three_d.input("x", {1, 2, 4, 8, 8})
      .weight("w", {2, 2, 3, 3, 3})
      .node("Conv", {"x", "w"}, {"y"})
      .output("y");
  expect_has(refusal(three_d.bytes()), "a 3-D Conv");
}

TEST(OnnxImportErrors, TensorsThatDoNotBroadcastAreRefused) {
  ModelBuilder b;
  b.input("x", {1, 4, 8}).input("m", {1, 3, 8}).node("Sub", {"x", "m"}, {"y"}, {}, "/mask").output("y");
  const std::string what = refusal(b.bytes());
  expect_has(
      what,
      "node '/mask' (Sub, opset 17) = 'y': Sub of [1, 4, 8] and [1, 3, 8]: the shapes do not broadcast");
}

TEST(OnnxImportErrors, BatchNormWithoutAConvBefore) {
  ModelBuilder b;
  b.input("x", {1, 4, 8, 8});
  for (const char* p : {"g", "b", "m", "v"}) b.weight(p, {4});
  b.node("BatchNormalization", {"x", "g", "b", "m", "v"}, {"y"}).output("y");
  expect_has(refusal(b.bytes()), "a BatchNormalization that does not directly follow a Conv");
}

TEST(OnnxImportErrors, SetDimSpellings) {
  std::map<std::string, int64_t> dims;
  onnx_import::parse_set_dim("batch=8", &dims);
  EXPECT_EQ(dims.at("batch"), 8);
  for (const char* bad :
       {"batch", "=3", "batch=", "batch=0", "batch=-2", "batch=1.5", "batch=8x", "batch=9"}) {
    EXPECT_THROW(onnx_import::parse_set_dim(bad, &dims), UserError) << bad;
  }
  onnx_import::parse_set_dim("batch=8", &dims);  // the same value again is fine
}

TEST(OnnxImportErrors, TheSupportedListIsSortedAndCoversTheIssuesOperators) {
  const auto ops = onnx_import::supported_op_types();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  for (const char* op : {"Conv",
                         "Gemm",
                         "MatMul",
                         "Add",
                         "Sub",
                         "Mul",
                         "Div",
                         "Relu",
                         "Clip",
                         "Sigmoid",
                         "Tanh",
                         "MaxPool",
                         "AveragePool",
                         "GlobalAveragePool",
                         "BatchNormalization",
                         "Softmax",
                         "LayerNormalization",
                         "Reshape",
                         "Flatten",
                         "Transpose",
                         "Squeeze",
                         "Unsqueeze",
                         "Concat",
                         "Split",
                         "Slice",
                         "Gather",
                         "Resize",
                         "Constant"}) {
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
  }
}

}  // namespace
}  // namespace systole
