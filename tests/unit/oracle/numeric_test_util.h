// Helpers for the numeric unit tests: tensors from literal values and layers built in code.
#pragma once

#include <string>
#include <vector>

#include "systole/numeric/tensor.h"
#include "systole/workload/network.h"

namespace systole::test {

inline Tensor ints(DataType t, const Shape& shape, const std::vector<int64_t>& values) {
  Tensor out(t, shape);
  for (size_t i = 0; i < values.size(); ++i) out.set_int(static_cast<int64_t>(i), values[i]);
  return out;
}

inline Tensor floats(DataType t, const Shape& shape, const std::vector<float>& values) {
  Tensor out(t, shape);
  for (size_t i = 0; i < values.size(); ++i) out.set_float(static_cast<int64_t>(i), values[i]);
  return out;
}

inline std::vector<int64_t> int_values(const Tensor& t) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < t.elements(); ++i) v.push_back(t.get_int(i));
  return v;
}

inline std::vector<float> float_values(const Tensor& t) {
  std::vector<float> v;
  for (int64_t i = 0; i < t.elements(); ++i) v.push_back(t.get_float(i));
  return v;
}

inline Layer layer(const std::string& name, LayerKind kind, LayerAttrs attrs = NoAttrs{}) {
  Layer l;
  l.name = name;
  l.kind = kind;
  l.attrs = std::move(attrs);
  l.source_line = 7;
  return l;
}

}  // namespace systole::test
