// The trace formats, one line each. Each registration function lives at the end of its writer's
// file. (An explicit list rather than self-registering statics: the linker drops unreferenced
// objects from a static library, and the registration with them.)
#include <filesystem>

#include "systole/trace/trace_sink.h"

#define SYSTOLE_TRACE_SINKS(X) \
  X(perfetto)                  \
  X(csv)                       \
  X(vcd)                       \
  X(dramsim3)                  \
  X(ramulator2)

namespace systole::trace {

#define SYSTOLE_TRACE_DECLARE(name) void register_trace_sink_##name(TraceSinkRegistry& registry);
SYSTOLE_TRACE_SINKS(SYSTOLE_TRACE_DECLARE)
#undef SYSTOLE_TRACE_DECLARE

std::string TraceSinkContext::path(const std::string& file) const {
  return (std::filesystem::path(dir) / file).string();
}

void TraceSinkRegistry::add(const std::string& name, std::vector<std::string> files, Factory factory) {
  m_registry.add(name, std::move(factory));
  for (std::string& f : files) m_files.push_back(std::move(f));
}

std::unique_ptr<ITraceSink> TraceSinkRegistry::make(const std::string& name,
                                                    const TraceSinkContext& context) const {
  return m_registry.make(name, context);
}

const TraceSinkRegistry& trace_sinks() {
  static const TraceSinkRegistry kRegistry = [] {
    TraceSinkRegistry r;
#define SYSTOLE_TRACE_REGISTER(name) register_trace_sink_##name(r);
    SYSTOLE_TRACE_SINKS(SYSTOLE_TRACE_REGISTER)
#undef SYSTOLE_TRACE_REGISTER
    return r;
  }();
  return kRegistry;
}

}  // namespace systole::trace
