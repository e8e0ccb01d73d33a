// Multi-core partitioning (cores.count > 1; docs/multicore.md "Partitioning"): how a layer is
// shared among the cores. Each core compiles its share into its own instruction stream; layers end
// with a cross-core barrier (isa.h SyncOp::barrier), so every core's next layer sees every core's
// output of this one in DRAM.
//
// GEMM layers (conv2d, matmul) are split by a strategy registered by name (the names of
// SYSTOLE_PARTITION_STRATEGIES, config/compiler_params.h): it says along which GEMM axis and in
// which whole units the layer's output is dealt out; each core computes its block of the output
// with the full reduction (no partial sums cross cores). compiler.partition auto estimates every
// strategy that applies and keeps the cheapest. Vector-unit layers deal out their chunks; layers
// of other kinds (data movement: concat, split, gather, copies) run on core 0 alone.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "systole/common/registry.h"
#include "systole/compiler/lowering.h"
#include "systole/config/arch_spec.h"

namespace systole {
namespace lowering {

enum class SplitAxis { kM, kN, kG };
const char* to_string(SplitAxis a);  // "m", "n", "g"

// How a strategy splits one GEMM problem: along `axis`, in whole units of `granule` elements of
// that axis (m: an output row of Wo pixels, an image, a batch index's rows; n: array columns;
// g: one GEMM). `unit` names the unit for the mapping record ("output rows", "images", ...).
struct GemmSplit {
  SplitAxis axis = SplitAxis::kN;
  int64_t granule = 1;
  std::string unit;
};

// The extent of problem p along an axis (m, n, or gemms).
int64_t extent_of(const GemmProblem& p, SplitAxis axis);

// The cores' shares [begin, end) of [0, extent): the ceil(extent / granule) units dealt out in
// contiguous runs, core 0 first, in proportion to `weights` (one per core, each >= 1): core c gets
// floor(units x w_c / W) units, and the units left over go one each to the cores with the largest
// remainders, ties to the lower core. With equal weights the first cores take one more. A core
// that gets no unit has begin == end.
std::vector<std::pair<int64_t, int64_t>> share_ranges(int64_t extent, int64_t granule,
                                                      const std::vector<int64_t>& weights);

// p restricted to [begin, end) along axis (GemmProblem::m_begin / n_begin / g_begin); p must not
// be sliced already.
GemmProblem slice_problem(const GemmProblem& p, SplitAxis axis, int64_t begin, int64_t end);

struct CoreShare;
// Core `core`'s share of p under `split` (CoreShare::range): slice_problem over it, and for a
// convolution split along m also the bands of every core of its class (GemmProblem::m_bands), so
// that the tiling chosen for one share fits every share of the class.
GemmProblem share_problem(const GemmProblem& p, const GemmSplit& split, const CoreShare& share, int64_t core);

// One layer's sharing among the cores, shared by the cores' lowerings of it: the first core to
// lower a GEMM decides (decide_gemm_split below), the others reuse the decision; `used` tells the
// compiler that the layer's lowering honoured the share (else it runs on core 0 alone).
struct CoreShare {
  int64_t core = 0, cores = 1;
  PartitionChoice choice = PartitionChoice::kAuto;   // compiler.partition (or the mapping file's)
  std::string choice_source = "compiler.partition";  // where `choice` was written, for the record
  bool used = false;
  bool decided = false;
  // Heterogeneous cores (ArchSpec::core_of): cores of one spec form a class, numbered in the order
  // of their first core (core 0's is class 0). Per class: its spec as a whole ArchSpec, and its
  // scratchpad plan. Per core: its class, and its weights in the shares of a GEMM (its PEs) and of
  // a vector layer (its lanes); all 1 when the cores are alike.
  std::vector<int> core_class;
  std::vector<const ArchSpec*> class_arch;
  std::vector<const BufferPlan*> class_buffers;
  std::vector<const EnergyPrices*> class_prices;  // each class's mapper prices (null: none given)
  std::vector<int64_t> gemm_weights, vector_weights;
  std::optional<GemmSplit> split;  // GEMM layers, once decided
  // Per class: the tiling its first core chose for its share, which the class's other cores use.
  std::map<int, TileChoice> tilings;
  // A conv's DRAM weight layout and k order, which every class must read alike once the first
  // core has decided them (ops/conv2d.cpp on_array).
  std::optional<ConvLayouts> conv_layouts;
  // A lowering's choice between alternatives (a depthwise conv: "vector" or "array"), made by
  // the first core and kept by the others.
  std::string lowering_choice;
  std::string strategy;  // "output_channels", ... or "chunks" (vector layers)
  std::string reason;
  std::vector<std::string> ranges;  // per core: "0-63" (its share, in the axis' elements)

  int class_of(int64_t c) const { return core_class.empty() ? 0 : core_class[static_cast<size_t>(c)]; }
  // Core c's share of [0, extent) in units of granule, weighted by gemm_weights (vector: by
  // vector_weights).
  std::pair<int64_t, int64_t> range(int64_t extent, int64_t granule, int64_t c, bool vector = false) const;
};

}  // namespace lowering

class IPartitionStrategy {
 public:
  virtual ~IPartitionStrategy() = default;
  // How this strategy splits p among `cores` cores, or nullopt with *why_not set when it cannot
  // (nothing to deal out along its axis).
  virtual std::optional<lowering::GemmSplit> split(const lowering::GemmProblem& p, const ArchSpec& arch,
                                                   int64_t cores, std::string* why_not) const = 0;
};

using PartitionRegistry = SharedRegistry<IPartitionStrategy>;
// The strategies, in SYSTOLE_PARTITION_STRATEGIES order.
const PartitionRegistry& partitions();

}  // namespace systole
