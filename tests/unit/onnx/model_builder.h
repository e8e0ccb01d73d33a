// Builds small ONNX models in tests with the protobuf API (onnx/onnx_pb.h): graph inputs with
// fixed or symbolic dims, initializers with or without data, nodes with attributes.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace systole::onnx_test {

// A dim: a value (>= 0) or a symbolic name.
struct Dim {
  Dim(int64_t v) : value(v) {}                 // NOLINT: implicit, for brace lists
  Dim(const char* p) : value(-1), param(p) {}  // NOLINT
  int64_t value;
  std::string param;
};

struct Attr {
  std::string name;
  enum Kind { kInt, kFloat, kInts, kString } kind;
  int64_t i = 0;
  float f = 0;
  std::vector<int64_t> ints;
  std::string s;
};
inline Attr int_attr(const std::string& n, int64_t v) {
  return {n, Attr::kInt, v, 0, {}, ""};
}
inline Attr float_attr(const std::string& n, float v) {
  return {n, Attr::kFloat, 0, v, {}, ""};
}
inline Attr ints_attr(const std::string& n, std::vector<int64_t> v) {
  return {n, Attr::kInts, 0, 0, std::move(v), ""};
}
inline Attr string_attr(const std::string& n, const std::string& v) {
  return {n, Attr::kString, 0, 0, {}, v};
}

class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 17) {
    m_model.set_ir_version(8);
    auto* o = m_model.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    m_model.mutable_graph()->set_name("test");
  }

  ModelBuilder& input(const std::string& name, std::vector<Dim> dims,
                      int32_t type = onnx::TensorProto::FLOAT) {
    auto* vi = m_model.mutable_graph()->add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(type);
    auto* shape = tt->mutable_shape();
    for (const Dim& d : dims) {
      auto* dim = shape->add_dim();
      if (d.param.empty())
        dim->set_dim_value(d.value);
      else
        dim->set_dim_param(d.param);
    }
    return *this;
  }

  ModelBuilder& output(const std::string& name) {
    m_model.mutable_graph()->add_output()->set_name(name);
    return *this;
  }

  // An initializer with dims only (weights stripped).
  ModelBuilder& weight(const std::string& name, std::vector<int64_t> dims) {
    auto* t = m_model.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    return *this;
  }
  ModelBuilder& floats(const std::string& name, std::vector<int64_t> dims, const std::vector<float>& data) {
    auto* t = m_model.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float v : data) t->add_float_data(v);
    return *this;
  }
  ModelBuilder& ints(const std::string& name, std::vector<int64_t> dims, const std::vector<int64_t>& data) {
    auto* t = m_model.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t v : data) t->add_int64_data(v);
    return *this;
  }

  ModelBuilder& node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs,
                     std::vector<Attr> attrs = {}, const std::string& name = "") {
    auto* n = m_model.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? "/" + outputs.at(0) + "/" + op : name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    for (const Attr& a : attrs) {
      auto* p = n->add_attribute();
      p->set_name(a.name);
      switch (a.kind) {
        case Attr::kInt:
          p->set_type(onnx::AttributeProto::INT);
          p->set_i(a.i);
          break;
        case Attr::kFloat:
          p->set_type(onnx::AttributeProto::FLOAT);
          p->set_f(a.f);
          break;
        case Attr::kInts:
          p->set_type(onnx::AttributeProto::INTS);
          for (int64_t v : a.ints) p->add_ints(v);
          break;
        case Attr::kString:
          p->set_type(onnx::AttributeProto::STRING);
          p->set_s(a.s);
          break;
      }
    }
    return *this;
  }

  onnx::ModelProto& model() { return m_model; }
  std::string bytes() const { return m_model.SerializeAsString(); }

 private:
  onnx::ModelProto m_model;
};

}  // namespace systole::onnx_test
