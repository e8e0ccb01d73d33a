#include <fmt/format.h>

#include "impl/dataflow_list.h"
#include "systole/common/error.h"
#include "systole/rtl/dataflow.h"

namespace systole::rtl {

void DataflowRegistry::add(const std::string& name, Factory factory) {
  for (const auto& e : m_entries) {
    if (e.name == name) throw InternalError("rtl dataflow '" + name + "' registered twice");
  }
  m_entries.push_back({name, factory()});
}

const IRtlDataflow& DataflowRegistry::get(const std::string& name) const {
  for (const auto& e : m_entries) {
    if (e.name == name) return *e.impl;
  }
  throw UserError(fmt::format("unknown rtl dataflow '{}'; registered: {}", name, fmt::join(names(), ", ")));
}

std::vector<std::string> DataflowRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : m_entries) out.push_back(e.name);
  return out;
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
