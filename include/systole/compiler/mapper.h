// The mapper seam: how a GEMM layer's tiling (tile sizes and loop order) is chosen. A mapper
// scores candidate tilings with the closed-form estimate (docs/compiler.md "Tiling") and ranks
// them by the objective (compiler.objective): the best is emitted, the best kRankedTilings are
// kept for the mapping record and `systole map`.
//
// Mappers are registered by name (common/registry.h): the search mappers of
// SYSTOLE_SEARCH_MAPPERS (config/compiler_params.h), selected by compiler.mapper, and `file`,
// which takes a user's tiling from a mapping file (`--mapping`, compiler/user_mapping.h) and ranks
// the configured search mapper's best after it. A mapper is one file in src/compiler/mappers/
// ending with register_mapper_<name>(MapperRegistry&) plus its line in the list. No SystemC.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/common/registry.h"
#include "systole/compiler/buffer_plan.h"
#include "systole/compiler/compiler.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/user_mapping.h"
#include "systole/config/arch_spec.h"

namespace systole {

// One GEMM layer to map, and what it is mapped under.
struct MapperRequest {
  const ArchSpec& arch;
  const lowering::BufferPlan& buffers;
  const lowering::GemmProblem& problem;
  lowering::ElementBytes eb;
  // Tilings whose instruction estimate exceeds this are skipped (lowering::gemm_instructions).
  int64_t max_instructions = kMaxProgramInstructions;
  MappingObjective objective = MappingObjective::kCycles;
  // The per-action prices of the energy estimate; nullptr: every energy is 0, and an objective
  // other than cycles is an InternalError (the caller forgot them).
  const EnergyPrices* prices = nullptr;
  // The file mapper: the user's tiling of this layer and the file it came from.
  const UserTiling* user = nullptr;
  const UserMapping* mapping = nullptr;
  std::string layer_kind;  // for messages ("conv2d", "matmul")
};

class IMapper {
 public:
  virtual ~IMapper() = default;
  // The chosen tiling, with `ranked` holding the best kRankedTilings best first (ranked[0] is the
  // chosen one). ConfigError when nothing fits the scratchpads, lowering::BudgetExceeded when no
  // tiling fits the instructions left.
  virtual lowering::TileChoice map(const MapperRequest& request) const = 0;
};

using MapperRegistry = SharedRegistry<IMapper>;
// Every mapper of this build, in list order ("mapper" in UnknownVariant).
const MapperRegistry& mappers();

namespace lowering {

// The tile sizes a search tries per GEMM dimension, each list ascending and without duplicates.
struct TileCandidates {
  std::vector<int64_t> m, n, k;
  // Sizes of k searched (with m and n) only when no tiling of the sizes k fits the scratchpads
  // and the instruction budget: a preference with a way out (heuristic_candidates).
  std::vector<int64_t> k_fallback;
  // Candidate tilings: |m| x |n| x |k| x 2 loop orders, saturating.
  int64_t tilings() const;
};

// The heuristic's sizes (tiler.cpp): array dimensions take R * 2^j, ceil(D / q) rounded up to the
// array extent for q = 2..8, and D; the streaming dimension ceil(D / q) for q = 2..8, powers of
// two, and D. At most ~70 per dimension whatever D.
TileCandidates heuristic_candidates(const ArchSpec& arch, const GemmProblem& p);

// The exhaustive search's bound: candidate tilings (sizes x loop orders) per GEMM layer. At the
// tiler's ~1 us per tiling, 2^20 is about a second per layer; ResNet-50's largest layer at batch 1
// has 301,056 (docs/compiler.md "Tiling").
inline constexpr int64_t kMaxExhaustiveTilings = int64_t{1} << 20;
// Every legal size: array dimensions (extent a) every multiple of a below D, D itself, and every
// divisor of D of at least a (tiles without a remainder); the streaming dimension every size
// 1..D. ConfigError on compiler.mapper naming the layer, the count per dimension and the bound
// when there are more than kMaxExhaustiveTilings tilings (counted before any list is built).
TileCandidates exhaustive_candidates(const ArchSpec& arch, const GemmProblem& p);

// Scores every candidate tiling (both loop orders; k innermost) that fits the scratchpads double-
// buffered and the instruction budget, and ranks them by the request's objective: the score is
// cost = max(array cycles, DRAM cycles) for cycles, the energy estimate (pJ) for energy, and
// energy x cost for edp; ties go to lower cost, fewer DRAM bytes, the larger tile, then the
// smaller (tm, tn, tk, order). With `only`, that one tiling is scored (and its loop order, when it
// names one); the caller has checked that it fits. Without it, a layer whose smallest legal tile
// (one fold at streaming length 1) does not fit is a ConfigError naming the scratchpad.
TileChoice search_tilings(const MapperRequest& r, const TileCandidates& c, const UserTiling* only = nullptr);

}  // namespace lowering
}  // namespace systole
