// The compiler side of a layer kind: what compile() asks of its operator (src/ops/, one file per
// kind, registered with workload/operator.h's part and the oracle's; docs/operators.md), and the
// pipelines an operator's lower() builds on. No SystemC here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "systole/common/registry.h"
#include "systole/compiler/buffer_plan.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/partition.h"
#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/isa/isa.h"
#include "systole/workload/network.h"

namespace systole {

// One layer being compiled: its place in the network and in DRAM, the stream being built and the
// layer's MappingRecord (its layer and type are filled; lower() fills the rest).
struct LoweringContext {
  const ArchSpec& arch;
  const Network& net;
  const Layer& layer;
  uint32_t index;                       // of the layer in net.layers (and Program::layers)
  const lowering::MemoryPlan& plan;     // where tensors live in DRAM
  const lowering::BufferPlan& buffers;  // where operand roles live in the scratchpads
  lowering::ElementBytes eb;
  lowering::FusedActivation fused;  // an activation fused into this layer's output tiles
  lowering::StreamBuilder* sb;
  MappingRecord* rec;
  const UserMapping* mapping = nullptr;  // the user's tilings (compiler/user_mapping.h), if any
  const EnergyPrices* prices = nullptr;  // the mapper's energy prices (compiler/compiler.h), if any
  // Multi-core programs: this core's share of the layer (compiler/partition.h); nullptr with one
  // core. GEMM and vector-chunk lowerings honour it (and set share->used); others ignore it.
  lowering::CoreShare* share = nullptr;
};

class IOperatorLowering {
 public:
  virtual ~IOperatorLowering() = default;

  // Emits the layer's instructions through ctx.sb (compile() adds the layer's SYNC) and fills
  // ctx.rec: dataflow, tiles, loop order, estimated DRAM bytes and the reason. Every instruction
  // costs time, bytes and energy in the simulation; an operator must emit what the hardware would
  // do. Views (workload/operator.h LayoutView) emit nothing and only explain themselves. Throws
  // lowering::BudgetExceeded when the layer needs more than ctx.sb->remaining() instructions
  // (before emitting them), ConfigError when a unit of work does not fit the scratchpads.
  virtual void lower(LoweringContext& ctx) const = 0;

  // A view's strides (elements) over its source's DRAM view `src` (layout-only operators).
  // Default: contiguous over the layer's output shape.
  virtual std::vector<int64_t> view_strides(const Layer& l, const lowering::TensorView& src) const;

  // Fusion (docs/compiler.md "Fusion"): the function this layer applies when it is fused into its
  // producer's output tiles (relu, relu6 activations), or nullopt when it is never fused.
  virtual std::optional<VectorFunc> fusable_activation(const Layer& l) const {
    (void)l;
    return std::nullopt;
  }
  // Whether a fusable activation may be fused into this layer's output tiles (GEMM layers).
  virtual bool takes_fused_activation() const { return false; }
};

using LoweringRegistry = SharedRegistry<IOperatorLowering>;
// Filled by src/ops/ ("layer kind lowering" in UnknownVariant).
LoweringRegistry& lowering_registry();
const IOperatorLowering& lowering_of(const LayerKind& kind);

namespace lowering {

// ---------------------------------------------------------------------------------------------
// GEMM layers (compiler.cpp): choose the tiling of `p` (ConfigError when nothing fits, naming the
// scratchpad), record it, and emit the tiles with the fused activation, if any.
void emit_gemm_layer(LoweringContext& ctx, const GemmProblem& p);
// The two halves of it: the tiling the layer's mapper chooses (the mapping file's mapper when the
// file names the layer, else compiler.mapper), and emitting `p` with a tiling map_gemm chose.
TileChoice map_gemm(const LoweringContext& ctx, const GemmProblem& p);
void emit_gemm_layer(LoweringContext& ctx, const GemmProblem& p, const TileChoice& t);

// ---------------------------------------------------------------------------------------------
// Vector-unit layers (vector_lowering.cpp). A chunk fits one half of the ifmap and of the ofmap
// scratchpad: LOADs (packed in order into the ifmap half) -> VECTOR -> STORE (from the ofmap
// half), double-buffered like GEMM tiles (chunk i+1's LOAD waits only for the VECTOR that last
// read its ifmap half; a VECTOR waits for the STORE that last drained its ofmap half). The first
// LOADs wait for every producer's SYNC.
// A chunk with weight_loads (depthwise convolution) also fills a half of the weight scratchpad
// (packed in order; the LOAD waits for the VECTOR that last read that half, and the VECTOR for the
// LOADs): the layer's regions are then chunk_regions(arch, true).
struct VectorChunk {
  std::vector<DmaDescriptor> loads;  // into the ifmap scratchpad, packed in order
  std::vector<DmaDescriptor> weight_loads;
  VectorOp op;  // func, elements, ops_per_element, spm bytes, geometry
  DmaDescriptor store;
};
// Emits `chunks` (VectorOp::operands is set to the number of loads, row_elements to
// `row_elements`) and fills ctx.rec (dataflow "vector", tiles, reason naming `unit`).
void emit_vector_chunks(LoweringContext& ctx, const std::vector<VectorChunk>& chunks, const std::string& unit,
                        uint64_t row_elements = 0);
// Elementwise over every input (read as contiguous tensors, one LOAD each per chunk) in units of
// `row` elements (a row is never split): func with ops_per_element `ops`. Counts the chunks
// first (BudgetExceeded) and names `what` one unit is when it does not fit (ConfigError).
std::vector<VectorChunk> elementwise_chunks(LoweringContext& ctx, VectorFunc func, int64_t row, int64_t ops,
                                            const char* what);
// Elementwise over inputs broadcast to the output's shape (numeric/broadcast.h), in chunks of
// output elements: per chunk, one LOAD per input of the run of its elements the chunk reads
// (BroadcastGeometry::span), and a VECTOR carrying the layer's geometry. Inputs that all have the
// output's shape take elementwise_chunks(ctx, func, 1, ops, what) (no geometry). Chunks are as
// large as the ifmap and ofmap halves allow, halved while some chunk's runs do not fit.
std::vector<VectorChunk> broadcast_chunks(LoweringContext& ctx, VectorFunc func, int64_t ops,
                                          const char* what);

// ---------------------------------------------------------------------------------------------
// Depthwise convolution on the vector unit (depthwise_lowering.cpp, docs/compiler.md "Depthwise
// convolution"): conv2d with groups == C (any out_channels / C multiplier). Chunks of whole
// channel planes of one image (each input plane with its `multiplier` output planes) or, when one
// does not fit, output rows of one output plane with their input halo, like pool; each chunk also
// LOADs its kernels ([planes][kh][kw] weight_type) into a weight-scratchpad half. The fused
// activation, if any, runs in the VECTOR's epilogue.
struct DepthwiseConv {
  int64_t batch = 1, c = 0, h = 0, w = 0, oc = 0, ho = 0, wo = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, pad_top = 0, pad_left = 0, dh = 1, dw = 1;
  uint64_t in_addr = 0, out_addr = 0, weight_addr = 0;
};
// Chunks of `d` (elements of eb sizes); ConfigError naming the capacity key when one output row
// with its input rows (or its kernel) does not fit a half, BudgetExceeded (counted in closed form
// before any chunk is built) when the chunks' 4 instructions each and the SYNC exceed `budget`.
std::vector<VectorChunk> depthwise_chunks(const ArchSpec& arch, const Layer& l, const DepthwiseConv& d,
                                          const ElementBytes& eb, const FusedActivation& fused,
                                          int64_t budget);
// The vector lowering's cycle estimate, the same closed forms the vector unit times and the tiler
// uses for DRAM: compute = sum over chunks of vector_op_cycles; DRAM bytes = the chunks' LOAD and
// STORE bytes; cost = max(compute, ceil(DRAM bytes / DRAM bytes per cycle)).
struct VectorEstimate {
  int64_t cycles = 0, dram_bytes = 0, cost = 0;
};
VectorEstimate estimate_vector_chunks(const ArchSpec& arch, const std::vector<VectorChunk>& chunks);

// ---------------------------------------------------------------------------------------------
// Data movement (copy_lowering.cpp): DRAM -> DRAM copies through the ifmap scratchpad. A block is
// `rows` rows of `row_bytes` bytes, row r read at src + r * src_stride and written at
// dst + r * dst_stride. Each chunk (as many rows as fit half the ifmap scratchpad, or a piece of
// one row when a row does not fit) is a LOAD into a half and a STORE out of that half, double-
// buffered: the next LOAD into a half waits for the STORE that last read it. The first LOAD of a
// block waits for the SYNC of `source_layer`.
struct BlockCopy {
  uint64_t src = 0, dst = 0;
  int64_t rows = 0, row_bytes = 0;
  int64_t src_stride = 0, dst_stride = 0;  // bytes
  int source_layer = -1;
};
// Emits the copies (BudgetExceeded first when their 2 instructions per chunk and the SYNC exceed
// ctx.sb->remaining()) and fills ctx.rec: dataflow "dma", tiles = chunks, the reason.
void emit_copies(LoweringContext& ctx, const std::vector<BlockCopy>& blocks);

}  // namespace lowering
}  // namespace systole
