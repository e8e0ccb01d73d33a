// An operator: everything one layer kind means, in one file under src/ops/ (docs/operators.md).
// It implements the three parts the layers below ask for -- attributes and shape inference
// (workload/operator.h), lowering (compiler/operator_lowering.h) and reference semantics
// (oracle/operator_reference.h) -- and registers them under its name with one line in
// SYSTOLE_OPERATORS (src/ops/operators.cpp):
//
//   class Concat final : public Operator { ... };
//   void register_operator_concat(OperatorRegistrar& r) { r.add<Concat>(); }
//
// No SystemC here.
#pragma once

#include <memory>

#include "systole/compiler/operator_lowering.h"
#include "systole/oracle/operator_reference.h"
#include "systole/workload/operator.h"

namespace systole::ops {

class Operator : public IOperator, public IOperatorLowering, public IOperatorReference {};

// Adds an operator's three parts to their registries, under Op().name().
class OperatorRegistrar {
 public:
  template <typename Op>
  void add() {
    const std::string name = Op().name();
    operator_registry().add(name, [] { return std::make_unique<Op>(); });
    lowering_registry().add(name, [] { return std::make_unique<Op>(); });
    reference_registry().add(name, [] { return std::make_unique<Op>(); });
  }
};

// Registers every operator of SYSTOLE_OPERATORS once (later calls do nothing). It runs when a
// program linking systole_ops starts; calling it again is harmless.
void install_operators();

}  // namespace systole::ops
