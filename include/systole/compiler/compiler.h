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

// The right shift by which the STORE of a GEMM layer with reduction length k (per group)
// requantises integer accumulators to core.array.input_type (DmaDescriptor::requant_shift):
//   shift = max(0, ceil(ceil(log2 k) / 2) + bits(input) + bits(weight) - bits(input) - 1)
// i.e. it scales a sum of k uniformly random full-range products (standard deviation about
// sqrt(k) * 2^(bits(input) + bits(weight) - 2) / 3) to an output standard deviation of about a
// quarter of the output range. 0 for float types (the STORE only rounds).
int requant_shift(const ArchSpec& arch, int64_t k);

}  // namespace systole
