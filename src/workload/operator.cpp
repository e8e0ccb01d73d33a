// The registry of layer kinds and what the rest of workload/ asks of it.
#include "systole/workload/operator.h"

#include <algorithm>

#include "systole/common/error.h"

namespace systole {

void IOperator::parse(LayerFields& fields, Layer* l) const {
  (void)fields;
  l->attrs = NoAttrs{};
}

std::vector<Layer> IOperator::expand(Layer l) const {
  std::vector<Layer> out;
  out.push_back(std::move(l));
  return out;
}

OperatorRegistry& operator_registry() {
  static OperatorRegistry registry("layer kind");
  return registry;
}

const IOperator& operator_of(const LayerKind& kind) {
  const OperatorRegistry& ops = operator_registry();
  if (ops.empty()) {
    throw InternalError(
        "no layer kinds are registered: a program that reads workloads must link systole_ops "
        "(src/ops/operators.cpp registers them when the program starts)");
  }
  return ops.get(kind.name());
}

bool parse_layer_kind(const std::string& s, LayerKind* out) {
  const IOperator* op = operator_registry().find(s);
  if (op == nullptr) return false;
  *out = LayerKind(op->name());
  return true;
}

std::vector<std::string> layer_kind_names() {
  return operator_registry().names();
}

std::map<std::string, int64_t> index_inputs(const Network& net) {
  std::map<std::string, int64_t> limits;
  for (const Layer& l : net.layers) {
    const IOperator& op = operator_of(l.kind);
    for (size_t i = 0; i < l.inputs.size(); ++i) {
      const int64_t bound = op.index_limit(l, i);
      if (bound <= 0) continue;
      auto [it, fresh] = limits.emplace(l.inputs[i], bound);
      if (!fresh) it->second = std::min(it->second, bound);
    }
  }
  return limits;
}

}  // namespace systole
