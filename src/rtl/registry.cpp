#include "systole/common/registry.h"
#include "impl/dataflow_list.h"
#include "systole/rtl/dataflow.h"

namespace systole::rtl {

void DataflowRegistry::add(const std::string& name, Factory factory) {
  m_registry.add(name, std::move(factory));
  m_instances.emplace_back(name, m_registry.make(name));
}

const IRtlDataflow& DataflowRegistry::get(const std::string& name) const {
  for (const auto& [n, impl] : m_instances) {
    if (n == name) return *impl;
  }
  throw UnknownVariant(m_registry.what(), name, names());
}

const DataflowRegistry& dataflow_registry() {
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
