// The workload compiler: maps every layer of a Network onto the core described by an ArchSpec
// and emits one instruction stream. No SystemC here.
#pragma once

#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/workload/network.h"

namespace systole {

// Throws ConfigError when no tile of a layer fits the scratchpads (naming the scratchpad's
// capacity key and the smallest tile's footprint).
Program compile(const ArchSpec& arch, const Network& net);

}  // namespace systole
