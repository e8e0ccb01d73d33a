#include "systole/common/registry.h"

#include <fmt/format.h>

namespace systole {

UnknownVariant::UnknownVariant(const std::string& what, const std::string& name,
                               const std::vector<std::string>& registered)
    : UserError(fmt::format("unknown {} '{}'; registered: {}", what, name, fmt::join(registered, ", "))) {}

}  // namespace systole
