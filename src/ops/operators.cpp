// The operators: one line per layer kind. An operator is its file in this folder ending with
// `void register_operator_<name>(OperatorRegistrar& r)` plus its line here (docs/operators.md).
// The order is the order of layer_kind_names() and of the `type` spellings that errors list.
#include "systole/ops/operator.h"

#define SYSTOLE_OPERATORS(X) \
  X(conv2d)                  \
  X(matmul)                  \
  X(pool)                    \
  X(add)                     \
  X(activation)              \
  X(softmax)                 \
  X(layernorm)               \
  X(reshape)                 \
  X(transpose)               \
  X(concat)                  \
  X(split)                   \
  X(resize)                  \
  X(gather)                  \
  X(mul)                     \
  X(rmsnorm)                 \
  X(rotary)                  \
  X(kv_append)               \
  X(sub)                     \
  X(div)                     \
  X(placeholder)

namespace systole::ops {

#define X(name) void register_operator_##name(OperatorRegistrar& r);
SYSTOLE_OPERATORS(X)
#undef X

void install_operators() {
  static const bool installed = [] {
    OperatorRegistrar r;
#define X(name) register_operator_##name(r);
    SYSTOLE_OPERATORS(X)
#undef X
    return true;
  }();
  (void)installed;
}

}  // namespace systole::ops

// The registries are filled when the program starts, before main(). The components are static
// libraries, and the linker keeps an object file only if something refers to it: nothing calls
// into this file, so systole_ops is linked with --undefined=systole_operators_installed
// (src/CMakeLists.txt), which pulls it in together with this initialiser.
extern "C" {
bool systole_operators_installed = (systole::ops::install_operators(), true);
}
