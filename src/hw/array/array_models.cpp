// The array models of SYSTOLE_ARRAY_MODELS (config/array_model_list.h), registered in list order.
// Here, in hw/, because the list spans components: the tile model is array/'s, the
// register-level one rtl/'s.
#include "systole/hw/array/pe_array.h"

namespace systole {

#define SYSTOLE_ARRAY_MODEL_DECLARE(name, enumerator) \
  void register_array_model_##name(ArrayModelRegistry& registry);
SYSTOLE_ARRAY_MODELS(SYSTOLE_ARRAY_MODEL_DECLARE)
#undef SYSTOLE_ARRAY_MODEL_DECLARE

namespace hw {

const ArrayModelRegistry& array_model_registry() {
  static const ArrayModelRegistry kRegistry = [] {
    ArrayModelRegistry r("array model");
#define SYSTOLE_ARRAY_MODEL_REGISTER(name, enumerator) register_array_model_##name(r);
    SYSTOLE_ARRAY_MODELS(SYSTOLE_ARRAY_MODEL_REGISTER)
#undef SYSTOLE_ARRAY_MODEL_REGISTER
    return r;
  }();
  return kRegistry;
}

}  // namespace hw
}  // namespace systole
