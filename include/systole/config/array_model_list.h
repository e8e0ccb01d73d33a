// The array models, one line each: X(name, Enumerator). The name is the YAML spelling of
// core.array.fidelity and the model's name in the array-model registry (array/array_model.h);
// the model itself is one file that ends with register_array_model_<name>(). Adding a model is
// that file plus one line here (docs/extending.md).
#pragma once

#define SYSTOLE_ARRAY_MODELS(X) \
  X(tile, kTile)                \
  X(rtl, kRtl)
