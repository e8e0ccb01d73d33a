// The mappers (compiler/mapper.h), registered in list order: the search mappers of
// SYSTOLE_SEARCH_MAPPERS (config/compiler_params.h), then `file`. Each registration function ends
// its file in mappers/. (An explicit list: a static library drops object files nothing refers to.)
#include "systole/compiler/mapper.h"

namespace systole {

#define SYSTOLE_MAPPER_DECLARE(name, enumerator) void register_mapper_##name(MapperRegistry& registry);
SYSTOLE_SEARCH_MAPPERS(SYSTOLE_MAPPER_DECLARE)
#undef SYSTOLE_MAPPER_DECLARE
void register_mapper_file(MapperRegistry& registry);

const MapperRegistry& mappers() {
  static const MapperRegistry kRegistry = [] {
    MapperRegistry r("mapper");
#define SYSTOLE_MAPPER_REGISTER(name, enumerator) register_mapper_##name(r);
    SYSTOLE_SEARCH_MAPPERS(SYSTOLE_MAPPER_REGISTER)
#undef SYSTOLE_MAPPER_REGISTER
    register_mapper_file(r);
    return r;
  }();
  return kRegistry;
}

}  // namespace systole
