// Elaborates hw::NpuTop from an ArchSpec, runs a Program to completion, and returns statistics.
// SystemC can elaborate only once per process: call this at most once per process.
#pragma once

#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/hw/sim_result.h"

namespace systole {

SimResult simulate(const ArchSpec& arch, const Program& program);

}  // namespace systole
