// The dataflows, one line each: X(name, Enumerator). The name is the YAML spelling of
// core.array.dataflow; the enumerator the compact id the config and the ISA carry. What a dataflow
// means (which GEMM dimension goes along the array's rows, its columns and time) is defined once,
// in src/array/dataflows/<name>.cpp (array/dataflow.h), which every model derives from. Adding a
// dataflow is that file plus one line here (docs/extending.md).
#pragma once

#define SYSTOLE_DATAFLOWS(X) \
  X(ws, kWeightStationary)   \
  X(os, kOutputStationary)   \
  X(is, kInputStationary)
