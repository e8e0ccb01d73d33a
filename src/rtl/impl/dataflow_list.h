// Every register-level dataflow in this folder, one line each. A static library drops object
// files nothing refers to, so registration goes through this list instead of static
// constructors: adding a dataflow is its file plus one line here.
#pragma once

#include "systole/rtl/dataflow.h"

namespace systole::rtl::detail {

#define SYSTOLE_RTL_DATAFLOWS(X) \
  X(ws)                          \
  X(os)                          \
  X(is)

#define SYSTOLE_RTL_DECLARE(name) void register_dataflow_##name(DataflowRegistry& registry);
SYSTOLE_RTL_DATAFLOWS(SYSTOLE_RTL_DECLARE)
#undef SYSTOLE_RTL_DECLARE

}  // namespace systole::rtl::detail
