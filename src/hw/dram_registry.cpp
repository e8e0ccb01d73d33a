// The DRAM models, by name. Adding a model: write dram_<name>.h/.cpp with a factory
// `std::unique_ptr<IDramChannel> make_<name>_dram(const char* name, const DramParams&)`,
// declare it below and add one row to kModels. (A table rather than self-registering static
// objects: the linker drops unreferenced objects from a static library, and the registration
// with them.)
#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/hw/dram_channel.h"

namespace systole::hw {

std::unique_ptr<IDramChannel> make_ideal_dram(const char* name, const DramParams& params);
std::unique_ptr<IDramChannel> make_simple_dram(const char* name, const DramParams& params);
std::unique_ptr<IDramChannel> make_cycle_dram(const char* name, const DramParams& params);

namespace {

struct DramModel {
  const char* name;  // the DramKind spelling used in `dram.kind`
  std::unique_ptr<IDramChannel> (*make)(const char*, const DramParams&);
};

constexpr DramModel kModels[] = {
    {"ideal", &make_ideal_dram},
    {"simple", &make_simple_dram},
    {"cycle", &make_cycle_dram},
};

}  // namespace

std::vector<std::string> dram_channel_names() {
  std::vector<std::string> names;
  for (const DramModel& m : kModels) names.emplace_back(m.name);
  return names;
}

std::unique_ptr<IDramChannel> make_dram_channel(const std::string& kind, const char* name,
                                                const DramParams& params) {
  for (const DramModel& m : kModels) {
    if (kind == m.name) return m.make(name, params);
  }
  throw InternalError(
      fmt::format("no DRAM model named '{}'; registered: {}", kind, fmt::join(dram_channel_names(), ", ")));
}

}  // namespace systole::hw
