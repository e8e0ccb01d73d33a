// ScratchpadsParams: the declared scratchpads and the placement of the operand roles in them.
#include <algorithm>

#include "systole/common/error.h"
#include "systole/config/arch_spec.h"

namespace systole {

ScratchpadParams ScratchpadsParams::defaults_for(const std::string& name) {
  if (name == "ifmap") return kIfmapDefaults;
  if (name == "weight") return kWeightDefaults;
  if (name == "ofmap") return kOfmapDefaults;
  return kOtherDefaults;
}

const ScratchpadParams* ScratchpadsParams::find(const std::string& name) const {
  for (const NamedScratchpad& s : declared) {
    if (s.name == name) return &s.params;
  }
  return nullptr;
}

ScratchpadParams& ScratchpadsParams::declare(const std::string& name) {
  for (NamedScratchpad& s : declared) {
    if (s.name == name) return s.params;
  }
  declared.push_back({name, defaults_for(name)});
  return declared.back().params;
}

const ScratchpadParams& ScratchpadsParams::of(OperandRole r) const {
  const ScratchpadParams* p = find(name_of(r));
  if (p == nullptr) {
    throw InternalError("core.operands." + std::string(to_string(r)) + " names scratchpad '" + name_of(r) +
                        "', which the spec does not declare");
  }
  return *p;
}

bool ScratchpadsParams::shared(OperandRole r) const {
  return std::count(placement.begin(), placement.end(), name_of(r)) > 1;
}

bool ScratchpadsParams::holds_a_role(const std::string& name) const {
  return std::find(placement.begin(), placement.end(), name) != placement.end();
}

std::vector<ScratchpadsParams::Named> ScratchpadsParams::named() const {
  std::vector<Named> out;
  for (const NamedScratchpad& s : declared) {
    if (holds_a_role(s.name)) out.push_back({s.name, &s.params});
  }
  return out;
}

int ScratchpadsParams::named_index(OperandRole r) const {
  int i = 0;
  for (const NamedScratchpad& s : declared) {
    if (!holds_a_role(s.name)) continue;
    if (s.name == name_of(r)) return i;
    ++i;
  }
  throw InternalError("core.operands." + std::string(to_string(r)) + " names scratchpad '" + name_of(r) +
                      "', which the spec does not declare");
}

}  // namespace systole
