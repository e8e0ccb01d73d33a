#include <fmt/format.h>

#include "impl/dataflow_list.h"
#include "systole/common/registry.h"
#include "systole/rtl/dataflow.h"

namespace systole::rtl {

std::string mapping_name(const DataflowAxes& axes) {
  return fmt::format("rows={} cols={} stream={}", to_string(axes.rows), to_string(axes.cols),
                     to_string(axes.stream));
}

void DataflowRegistry::add(const DataflowAxes& axes, Factory factory) {
  const std::string name = mapping_name(axes);
  m_registry.add(name, std::move(factory));
  m_instances.emplace_back(name, m_registry.make(name));
}

const IRtlDataflow& DataflowRegistry::get(const DataflowAxes& axes) const {
  const std::string name = mapping_name(axes);
  for (const auto& [n, impl] : m_instances) {
    if (n == name) return *impl;
  }
  throw UnknownVariant(m_registry.what(), name, names());
}

const IRtlDataflow& DataflowRegistry::get(Dataflow d) const {
  return get(dataflow_model(d).axes());
}

const DataflowRegistry& engine_registry() {
  static const DataflowRegistry kRegistry = [] {
    DataflowRegistry r;
#define SYSTOLE_RTL_REGISTER(name) detail::register_dataflow_##name(r);
    SYSTOLE_RTL_DATAFLOWS(SYSTOLE_RTL_REGISTER)
#undef SYSTOLE_RTL_REGISTER
    return r;
  }();
  return kRegistry;
}

}  // namespace systole::rtl
