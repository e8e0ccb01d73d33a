// The DRAM models of SYSTOLE_DRAM_MODELS (config/dram_model_list.h), by name (common/registry.h).
// Adding a model: write dram_<name>.h/.cpp with a factory
// `std::unique_ptr<IDramChannel> make_<name>_dram(const char* name, const DramParams&)` and add its
// line to the list (an explicit list rather than self-registering static objects: the linker
// drops unreferenced objects from a static library, and the registration with them).
#include "systole/common/registry.h"
#include "systole/hw/dram/dram_channel.h"

namespace systole::hw {

#define SYSTOLE_DRAM_DECLARE(n, enumerator) \
  std::unique_ptr<IDramChannel> make_##n##_dram(const char* name, const DramParams& params);
SYSTOLE_DRAM_MODELS(SYSTOLE_DRAM_DECLARE)
#undef SYSTOLE_DRAM_DECLARE

namespace {

using DramRegistry = Registry<IDramChannel, const char*, const DramParams&>;

const DramRegistry& dram_registry() {
  static const DramRegistry kRegistry = [] {
    DramRegistry r("DRAM model");
#define SYSTOLE_DRAM_REGISTER(n, enumerator) r.add(#n, &make_##n##_dram);
    SYSTOLE_DRAM_MODELS(SYSTOLE_DRAM_REGISTER)
#undef SYSTOLE_DRAM_REGISTER
    return r;
  }();
  return kRegistry;
}

}  // namespace

std::vector<std::string> dram_channel_names() {
  return dram_registry().names();
}

std::unique_ptr<IDramChannel> make_dram_channel(const std::string& kind, const char* name,
                                                const DramParams& params) {
  return dram_registry().make(kind, name, params);
}

}  // namespace systole::hw
