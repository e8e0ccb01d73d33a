// The workload compiler: maps every layer of a Network onto the core described by an ArchSpec
// and emits one instruction stream. No SystemC here.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

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

// The prices of the mapper's energy estimate of a GEMM tiling, plain numbers the caller takes from
// the arch's energy table (report/energy_report.h mapping_energy_prices), so that the compiler
// reads no table file. The estimate (docs/compiler.md "Tiling"), pJ:
//   energy = on_chip_factor * (MACs * mac_pj
//                              + sum over roles of read bytes * read_pj_per_byte[role]
//                                              + written bytes * write_pj_per_byte[role])
//            + DRAM bytes * dram_pj_per_byte
// where the scratchpad bytes are the array's operand reads and partial-sum reads and writes
// (array/array_timing.h tile_traffic), the DMA's fills (the DRAM bytes loaded) and the STOREs'
// accumulator reads.
struct EnergyPrices {
  double mac_pj = 0.0;                                        // one multiply-accumulate
  std::array<double, kOperandRoleCount> read_pj_per_byte{};   // of the role's scratchpad, by index_of
  std::array<double, kOperandRoleCount> write_pj_per_byte{};  // of the role's scratchpad
  double dram_pj_per_byte = 0.0;                              // 8 x the DRAM standard's pJ/bit
  double on_chip_factor = 1.0;                                // 1 / (1 - clock-tree share)
  // A heterogeneous NPU (config core_classes): the scratchpad prices of each core class after the
  // first (whose are the arrays above); each class's tilings are ranked at its own.
  struct ClassScratchpads {
    std::array<double, kOperandRoleCount> read_pj_per_byte{}, write_pj_per_byte{};
  };
  std::vector<ClassScratchpads> classes;
  // These prices for core class k.
  EnergyPrices of_class(int k) const {
    EnergyPrices p = *this;
    p.classes.clear();
    if (k > 0) {
      p.read_pj_per_byte = classes.at(static_cast<size_t>(k - 1)).read_pj_per_byte;
      p.write_pj_per_byte = classes.at(static_cast<size_t>(k - 1)).write_pj_per_byte;
    }
    return p;
  }
};

// Throws ConfigError when no tile of a layer fits the scratchpads (naming the scratchpad's
// capacity key and the smallest tile's footprint), WorkloadError when the workload exceeds a limit.
// With `mapping`, the GEMM layers it names take its tilings (compiler/user_mapping.h); a tiling
// that does not fit, or a layer that is not a GEMM layer, is a ConfigError naming the file's line.
// GEMM layers are mapped by the mapper compiler.mapper names (compiler/mapper.h), ranked by
// compiler.objective; `prices` are needed for an objective other than cycles (InternalError
// without them) and give every ranked tiling its energy estimate (0 without them).
Program compile(const ArchSpec& arch, const Network& net, const UserMapping* mapping = nullptr,
                const EnergyPrices* prices = nullptr);

// The right shift by which the STORE of a GEMM layer with reduction length k (per group)
// requantises integer accumulators to core.array.input_type (DmaDescriptor::requant_shift):
//   shift = max(0, ceil(ceil(log2 k) / 2) + bits(input) + bits(weight) - bits(input) - 1)
// i.e. it scales a sum of k uniformly random full-range products (standard deviation about
// sqrt(k) * 2^(bits(input) + bits(weight) - 2) / 3) to an output standard deviation of about a
// quarter of the output range. 0 for float types (the STORE only rounds).
int requant_shift(const ArchSpec& arch, int64_t k);

}  // namespace systole
