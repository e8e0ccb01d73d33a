// The workload compiler: maps every layer of a Network onto the core described by an ArchSpec
// and emits one instruction stream. No SystemC here.
#pragma once

#include <cstdint>

#include "systole/compiler/program.h"
#include "systole/compiler/user_mapping.h"
#include "systole/config/arch_spec.h"
#include "systole/workload/network.h"

namespace systole {

// Limits (docs/compiler.md "Limits"). Each is checked from closed-form counts before anything of
// that size is allocated; a workload over one is a WorkloadError naming the layer (file, line,
// key path), its sizes, the count and the limit.
//
// Instructions in one program: 2^20 = 1,048,576. A Program holds each instruction in about 570 B
// (536 B of Instruction plus its dependency list), so `validate` stays near 0.6 GB at the limit;
// `run` measured ~4 KB per instruction with its per-layer statistics (a chain of 10^5 small
// layers: 4 x 10^5 instructions, 1.7 GB, 100 s). The shipped workloads need at most ~4 x 10^4.
inline constexpr int64_t kMaxProgramInstructions = int64_t{1} << 20;
// Bytes of DRAM all tensors together occupy (network inputs, layer outputs, weights, each 64-byte
// aligned): 2^48 = 256 TiB, a 48-bit physical address space. Every DRAM address, stride and byte
// count then stays far below 2^63, so no address arithmetic downstream can overflow.
inline constexpr uint64_t kMaxDramBytes = uint64_t{1} << 48;

// Throws ConfigError when no tile of a layer fits the scratchpads (naming the scratchpad's
// capacity key and the smallest tile's footprint), WorkloadError when the workload exceeds a limit.
// With `mapping`, the GEMM layers it names take its tilings (compiler/user_mapping.h); a tiling
// that does not fit, or a layer that is not a GEMM layer, is a ConfigError naming the file's line.
Program compile(const ArchSpec& arch, const Network& net, const UserMapping* mapping = nullptr);

// The right shift by which the STORE of a GEMM layer with reduction length k (per group)
// requantises integer accumulators to core.array.input_type (DmaDescriptor::requant_shift):
//   shift = max(0, ceil(ceil(log2 k) / 2) + bits(input) + bits(weight) - bits(input) - 1)
// i.e. it scales a sum of k uniformly random full-range products (standard deviation about
// sqrt(k) * 2^(bits(input) + bits(weight) - 2) / 3) to an output standard deviation of about a
// quarter of the output range. 0 for float types (the STORE only rounds).
int requant_shift(const ArchSpec& arch, int64_t k);

}  // namespace systole
