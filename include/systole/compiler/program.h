// Program: the compiler's output and the simulator's input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "systole/isa/isa.h"

namespace systole {

struct ProgramLayer {
  std::string name;
  std::string type;  // LayerKind spelling: "conv2d", "matmul", ...
  int64_t macs = 0;
  int64_t vector_ops = 0;
};

// Where a tensor lives in DRAM (network inputs, layer outputs and weights).
struct TensorPlacement {
  std::string name;        // layer/input name; weights are "<layer>.weight"
  uint64_t dram_addr = 0;  // its home in the DRAM address map (resident tensors: unused by the timing)
  uint64_t bytes = 0;
  bool on_chip = false;     // resident: lives in the on-chip tensor store (docs/compiler.md)
  uint64_t store_addr = 0;  // its scratchpad address there (on_chip)
};

// How the compiler used the on-chip tensor store (docs/compiler.md "Activation residency").
struct ResidencySummary {
  std::string mode = "off";  // compiler.residency
  std::string scratchpad;    // the scratchpad holding the store
  int64_t reserved_bytes = 0;
  uint64_t store_base = 0;
  int64_t peak_live_bytes = 0;  // the most bytes of layer outputs alive at once
  int64_t resident_tensors = 0;
  // How the store's size was chosen (auto: every size tried with its estimate).
  std::string choice;
};

// What the mapper chose for one layer and why; printed by `systole compile`.
// How many tilings of a GEMM layer the compiler's search keeps ranked (MappingRecord::ranked).
inline constexpr size_t kRankedTilings = 5;

struct MappingRecord {
  std::string layer;
  std::string type;
  std::string dataflow;  // "ws"/"os"/"is", or "vector" / "none" (layout-only layers)
  int64_t gemm_m = 0, gemm_n = 0, gemm_k = 0, groups = 1;
  int64_t tile_m = 0, tile_n = 0, tile_k = 0;
  int64_t folds = 0;  // array folds over the whole layer: sum over tiles of ceil(Sr/R)*ceil(Sc/C)
  int64_t tiles = 0;
  std::string loop_order;  // outermost first, e.g. "n,m,k"
  int64_t estimated_dram_bytes = 0;
  std::string fused_into;  // non-empty when this layer was fused into its producer
  std::string reason;
  std::string residency;  // where the layer's output lives and why (compiler/residency.h)
  // Convolutions on the array under WS / OS: the weights are pre-arranged in DRAM per group as
  // [k][n] ([g][C/groups * kh * kw][oc/groups]) instead of the given [oc][C/groups][kh][kw]
  // (compiler/lowering.h ConvLayouts; a functional run writes and reads them in this order).
  bool weights_kn = false;
  // Convolutions on the array under WS, when > 0: k runs (channel block, kernel row, kernel
  // column, channel within the block) with blocks of this many channels instead of (channel,
  // kernel row, kernel column) (ConvGeometry::channel_block): the weights' k and the order of
  // the array's sums follow it.
  int64_t conv_k_block = 0;
  // The scratchpad layouts of the layer's GEMM operands, e.g. "weights [g][k][n], accumulators
  // [pixel][channel]"; empty for other layers.
  std::string layouts;
  // GEMM layers: the mapper that chose the tiling ("heuristic", "exhaustive", "file") and the
  // objective it ranked by ("cycles", "energy", "edp"); empty for other layers.
  std::string mapper, objective;
  // GEMM layers: the tilings the compiler's search scored best, best first (the chosen one is
  // ranked[0]), each with its estimates: cost = max(array cycles, DRAM bytes / DRAM bytes per
  // cycle), the energy estimate, and the score the objective ranked by (cost, energy, or energy
  // x cost) (docs/compiler.md "Tiling"). Empty for other layers.
  struct RankedTiling {
    int64_t tile_m = 0, tile_n = 0, tile_k = 0;
    std::string loop_order;
    int64_t estimated_cycles = 0, estimated_dram_bytes = 0, estimated_cost = 0;
    double estimated_energy_pj = 0.0, score = 0.0;
  };
  std::vector<RankedTiling> ranked;
  // Multi-core programs (Program::cores > 1; docs/multicore.md): the partitioning strategy the
  // layer got ("output_channels", "spatial", "batch", "chunks", or "core0" when it runs on one
  // core), each core's share (e.g. "n 0-63 | 64-127"), and why.
  std::string partition, split, partition_reason;
};

struct Program {
  std::string network;
  // Cores the instructions run on (Instruction::core < cores). Layers end with a cross-core
  // barrier when cores > 1 (SyncOp::barrier).
  int64_t cores = 1;
  std::vector<ProgramLayer> layers;
  std::vector<Instruction> instructions;
  std::vector<MappingRecord> mappings;  // one per layer, same order as layers
  std::vector<TensorPlacement> tensors;
  ResidencySummary residency;
};

// Text form: one instruction per line, e.g.
//   10 LOAD L3 conv2 ifmap[B] dram=0x1f400 spm=0x20000 1x64x56B deps=[7]
//   12 MATMUL L3 conv2 ws m=56 n=64 k=576 acc=0 ifmap[B] weight[A] ofmap[A] deps=[10,11]
// where buffer[A] / buffer[B] names the double-buffer half (isa.h slot) the compiler placed the
// operand in; JSON carries the same as "slot" (LOAD / STORE), "ifmap_slot" / "weight_slot" /
// "ofmap_slot" (MATMUL) and "src_slot" / "dst_slot" (VECTOR), omitted where there is none.
std::string to_text(const Program& p);
nlohmann::json to_json(const Program& p);
// A mapping record's ranked tilings as JSON: [{tile {m, n, k}, loop_order, estimated_cycles,
// estimated_dram_bytes, estimated_cost, estimated_energy_pj, score}, ...], best first.
nlohmann::json ranked_json(const MappingRecord& r);

}  // namespace systole
