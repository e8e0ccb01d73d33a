// The workload compiler's lowering toolkit: DRAM placement, GEMM lowering, tile choice and the
// instruction-stream builder. The compiler's driver (compiler.cpp) and every operator's lowering
// (compiler/operator_lowering.h, src/ops/) use it. Units: addresses and sizes in bytes unless a
// name says elements.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "systole/array/array_timing.h"
#include "systole/common/int_math.h"
#include "systole/compiler/buffer_plan.h"
#include "systole/compiler/compiler.h"
#include "systole/compiler/program.h"
#include "systole/compiler/user_mapping.h"
#include "systole/config/arch_spec.h"
#include "systole/workload/network.h"

namespace systole {
namespace lowering {

// Saturating arithmetic on non-negative counts: estimates over absurd sizes saturate at INT64_MAX
// (and are then refused by the limits) instead of wrapping.
inline constexpr int64_t kSaturated = std::numeric_limits<int64_t>::max();
inline int64_t sat_add(int64_t a, int64_t b) {
  int64_t r = 0;
  return __builtin_add_overflow(a, b, &r) ? kSaturated : r;
}
inline int64_t sat_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? kSaturated : r;
}

// Thrown inside the compiler when a layer cannot be compiled within the instructions left under
// kMaxProgramInstructions; compile() turns it into a WorkloadError naming the layer, its sizes,
// the count and the limit. `needed` is a lower bound (or the estimate) of the layer's
// instructions; `how` says what was counted. needed == 0: thrown by StreamBuilder::add (the
// backstop), compile() counts what the layer emitted.
struct BudgetExceeded {
  int64_t needed = 0;
  std::string how;
};
inline uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) / a * a;
}

// Element sizes: activations are stored (DRAM and scratchpad) in the array's input type, weights
// in its weight type, partial sums in the accumulator type.
struct ElementBytes {
  int64_t act = 1, weight = 1, acc = 4;
};
ElementBytes element_bytes(const ArchSpec& arch);

// ---------------------------------------------------------------------------------------------
// memory_plan.cpp

// A tensor in DRAM seen through strides (in elements) per logical dimension. Layout-only layers
// (reshape, transpose) produce views of their producer's tensor instead of new tensors.
struct TensorView {
  uint64_t addr = 0;
  Shape shape;
  std::vector<int64_t> strides;  // elements
  int source_layer = -1;         // layer whose SYNC makes the data valid; -1 for network inputs
};

struct MemoryPlan {
  std::vector<TensorPlacement> tensors;     // in placement order (what Program::tensors holds)
  std::map<std::string, TensorView> views;  // by tensor name (inputs and layer outputs)
  std::map<std::string, uint64_t> weights;  // "<layer>" -> DRAM address of "<layer>.weight"
  std::vector<int> fused_into;              // per layer: producer index it is fused into, or -1
};

// Row-major strides (elements) of a contiguous tensor of shape s.
std::vector<int64_t> contiguous_strides(const Shape& s);

// Which layers are fused: a layer whose lowering has a fusable activation (relu/relu6) and whose
// only input is a layer that takes fused activations (conv2d/matmul) with no other consumer.
// Returns, per layer, the producer's index or -1.
std::vector<int> find_fusions(const Network& net);

// Places network inputs (index inputs as int32, activations in the input type), then per layer (in
// order) its output and "<layer>.weight", each at a 64-byte aligned address. Views (reshape,
// transpose) and fused activations alias their producer.
MemoryPlan plan_memory(const ArchSpec& arch, const Network& net);

// ---------------------------------------------------------------------------------------------
// gemm_lowering.cpp

struct ConvGeometry {
  int64_t batch = 1, c = 0, h = 0, w = 0;
  int64_t oc = 0, ho = 0, wo = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, pad_top = 0, pad_left = 0, dh = 1, dw = 1;
  int64_t groups = 1;
  // > 0: ifmap tiles are channel-last and the GEMM's k runs (channel block, kernel row, kernel
  // column, channel within the block), blocks of this many channels (ConvLayouts; a divisor of
  // C / groups); set by lower_conv.
  int64_t channel_block = 0;
  // Ifmap tiles (planes, not channel-last) hold each channel plane in stride phases (sh, sw)
  // (ConvLayouts::ifmap_stride_phases); set by lower_conv.
  bool stride_phased = false;
};

// A 2-D matrix operand inside a DRAM tensor: element (r, c) of GEMM g is at
//   addr + (gemm_offset[g] + r * row_stride + c * col_stride) * elem_bytes.
struct MatrixView {
  uint64_t addr = 0;
  int64_t row_stride = 0, col_stride = 0;  // elements
  std::vector<int64_t> gemm_offset;        // elements, one per GEMM
  int64_t elem_bytes = 1;
};

// How a convolution's operands are laid out (docs/compiler.md "Scratchpad layouts"), chosen by the
// dataflow so that the vector the array reads or writes in one cycle (array/tile_bank_cost.h) is
// contiguous in its scratchpad. Activations stay NCHW in DRAM; the DMA transposes channel-last
// tiles on the way in and out (DmaDescriptor::channel_last_channels).
//   ifmap_channel_last (WS): input tiles [input row][W][channel] and k = (channel block, kernel
//     row, kernel column, channel within the block) (ConvGeometry::channel_block), as WS streams
//     a[m][k0..k0+R) along k: a run of channels of one input pixel. Else NCHW planes and k =
//     (channel, kernel row, kernel column): IS preloads and OS streams a[m0..m0+C)[k] along m
//     (output columns, contiguous in a plane row). conv_layouts() gives the dataflow's
//     preference; the conv lowering keeps it when the tiling's k tile is a whole number of
//     channels dividing C / groups (its block: the tile then holds the same channels in both
//     orders), or the kernel is 1 x 1 (src/ops/conv2d.cpp on_array).
//   weights_kn (WS, OS): weights pre-arranged in DRAM per group as [k][n], k in the order above
//     (WS preloads and OS streams w[k][n0..n0+C), along n); else as given,
//     [oc][C/groups][kh][kw] = per group [n][k] (IS streams w[k0..k0+R)[n], along k).
//   ifmap_stride_phases (OS, IS): a planes ifmap tile of a strided convolution holds each channel
//     plane in stride phases (sh, sw) (space-to-depth: sub-planes of the rows y = a mod sh and
//     columns x = b mod sw; isa.h stride_phase_position; DmaDescriptor::row_phases), as OS and
//     IS read a[m0..m0+C)[k] along m: output pixels whose input pixels are (sh, sw) apart, which
//     are consecutive in a sub-plane, across output rows too when its width is the output's.
//   acc_channel_last (WS, OS): accumulators [pixel][channel] (they write out[m][n0..n0+C), along
//     n); else NCHW planes per image (IS writes out[m0..m0+C)[n], along m).
// SCALE-Sim compatibility keeps the given layouts (SCALE-Sim has no banks).
struct ConvLayouts {
  bool ifmap_channel_last = false, weights_kn = false, acc_channel_last = false;
  bool ifmap_stride_phases = false;
  int64_t channel_block = 0;  // with ifmap_channel_last: the block (0: all C / groups channels)
};
ConvLayouts conv_layouts(Dataflow dataflow, bool scalesim_compat);

// A layer lowered to `gemms` identical GEMMs out[m x n] (+)= in[m x k] * w[k x n].
// Convolutions (is_conv) address their ifmap with implicit im2col (input rows incl. halo per
// channel plane) and their output as NCHW planes in DRAM; matmuls use the MatrixViews a, b and out.
struct GemmProblem {
  uint32_t layer = 0;
  std::string name;
  bool is_conv = false;
  ConvGeometry conv;
  int64_t m = 0, n = 0, k = 0;
  int64_t gemms = 1;
  int64_t groups = 1;       // reported in the MappingRecord (conv groups)
  bool b_is_weight = true;  // false for activation x activation matmuls
  MatrixView a, b, out;     // matmul addressing (conv: only b, the weights, as `layouts` says)
  ConvLayouts layouts;      // conv only
  // Matmuls: the operands whose tiles the DMA transposes between their DRAM view and the
  // scratchpad (set_matrix_transposes).
  struct {
    bool a = false, b = false, out = false;
  } transposed;
  uint64_t conv_in_addr = 0, conv_out_addr = 0;
  int source_a = -1, source_b = -1;  // producer layers whose SYNC the operand loads wait on
  // Rows of m per batch index (conv: Ho * Wo per image; a matmul whose batch dims merged into m:
  // M), 0 when m holds one batch index.
  int64_t m_batch_unit = 0;
  // A core's share of a multi-core layer (compiler/partition.h): this problem is the GEMMs
  // [g_begin, g_begin + gemms), rows [m_begin, m_begin + m) and columns [n_begin, n_begin + n) of
  // the layer's; tiles and descriptors use the layer's coordinates.
  int64_t m_begin = 0, n_begin = 0, g_begin = 0;
  bool sliced = false;
  // A convolution split along m: every core's rows [begin, begin + length), this one's included.
  // All cores use one tiling (compiler/partition.h), so its ifmap tile must hold the largest
  // tile of any band: a band inside an image fetches more input rows (its whole halo) than one
  // at the image's padded edge. Empty otherwise.
  std::vector<std::pair<int64_t, int64_t>> m_bands;
};

// Matmul operand tiles are row-major blocks of their DRAM views ([rows][cols] when the view is
// contiguous along columns, [cols][rows] when along rows); the array reads each operand's vectors
// along one axis (WS: a along k, w along n, out along n; OS: a along m, w along n, out along n;
// IS: a along m, w along k, out along m). An operand whose view is contiguous along the other axis
// is transposed by its LOADs / STOREs (DmaDescriptor::channel_last_channels), so that its vectors
// are contiguous words in the scratchpad. Not under SCALE-Sim compatibility.
void set_matrix_transposes(Dataflow dataflow, bool scalesim_compat, GemmProblem* p);

// Both throw BudgetExceeded when the layer lowers to more than `max_gemms` GEMMs (each GEMM takes
// at least one MATMUL), before allocating anything per GEMM.
// A convolution of geometry `g` (NCHW input 0, the layer's weights in DRAM as `layouts` says).
GemmProblem lower_conv(const Layer& layer, const ConvGeometry& g, uint32_t index, const MemoryPlan& plan,
                       const ElementBytes& eb, const ConvLayouts& layouts,
                       int64_t max_gemms = kMaxProgramInstructions);
// [..., M, K] x weights [K, N] (one input) or x input 1 [..., K, N] ([..., N, K] when
// transpose_b), through the inputs' DRAM views.
GemmProblem lower_matmul(const Layer& layer, bool transpose_b, uint32_t index, const MemoryPlan& plan,
                         const ElementBytes& eb, int64_t max_gemms = kMaxProgramInstructions);

// Conv ifmap traffic of an m-range [m0, m1): one segment per image touched.
struct ConvRowSegment {
  int64_t image = 0;
  int64_t pix0 = 0, pix1 = 0;     // output pixels [pix0, pix1) within the image
  int64_t in_row0 = 0, rows = 0;  // input rows fetched (halo included, padding excluded)
};
std::vector<ConvRowSegment> conv_segments(const ConvGeometry& g, int64_t m0, int64_t m1);
// Channel planes [c0, c0 + count) (within the group) touched by the k-range [k0, k1).
void conv_planes(const ConvGeometry& g, int64_t k0, int64_t k1, int64_t* c0, int64_t* count);

// DMA descriptors of one tile's operands (several when a conv tile spans images).
std::vector<DmaDescriptor> ifmap_descriptors(const GemmProblem& p, int64_t g, int64_t m0, int64_t m1,
                                             int64_t k0, int64_t k1);
std::vector<DmaDescriptor> weight_descriptors(const GemmProblem& p, int64_t g, int64_t k0, int64_t k1,
                                              int64_t n0, int64_t n1);
std::vector<DmaDescriptor> ofmap_descriptors(const GemmProblem& p, int64_t g, int64_t m0, int64_t m1,
                                             int64_t n0, int64_t n1);
// A rows x cols block of a strided matrix as one descriptor (contiguous along whichever axis is).
DmaDescriptor matrix_block(uint64_t addr, int64_t elem_bytes, int64_t rows, int64_t cols, int64_t row_stride,
                           int64_t col_stride);
// The scratchpad layout matrix_block's descriptor produces ([rows][cols] or [cols][rows]).
OperandLayout block_layout(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride);
// The scratchpad layouts of p's tiles in words (MappingRecord::layouts).
std::string layouts_text(const GemmProblem& p);
// The conv geometry of a tile starting at global m0 and k0 (for OperandLayout).
ConvTileGeometry conv_tile(const ConvGeometry& g, int64_t m0, int64_t k0);
// The layout fields of a tile's MATMUL (ifmap, weight and ofmap layouts).
void set_layouts(const GemmProblem& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1, int64_t k0, int64_t k1,
                 MatmulOp* op);

// ---------------------------------------------------------------------------------------------
// tiler.cpp

struct TileChoice {
  int64_t tm = 0, tn = 0, tk = 0;
  bool m_outer = true;  // loop order "m,n,k" (true) or "n,m,k"; k is always innermost
  int64_t cycles = 0;   // estimated array cycles of the layer
  int64_t dram_bytes = 0;
  int64_t cost = 0;                             // max(cycles, DRAM cycles): the cycles objective's score
  double energy_pj = 0.0;                       // the energy estimate (compiler.h EnergyPrices)
  double score = 0.0;                           // what the objective ranked by (cost, energy_pj or EDP)
  int64_t ifmap_reload = 1, weight_reload = 1;  // how often each operand is fetched from DRAM
  std::string reason;
  // How many candidate tilings the search scored (fitting ones, both loop orders).
  int64_t scored = 0;
  // The best kRankedTilings tilings the search scored, best first (this one is ranked[0]); what
  // the mapping record lists and `systole map` prints. Their `reason` and `ranked` are empty.
  std::vector<TileChoice> ranked;
};

// Bytes one double-buffer half must hold for a tile (the largest tile of the grid).
struct TileFootprint {
  int64_t ifmap = 0, weight = 0, ofmap = 0;
};
TileFootprint tile_footprint(const GemmProblem& p, const ElementBytes& eb, int64_t tm, int64_t tn,
                             int64_t tk);

// The search itself (heuristic, exhaustive, a user's tiling) is compiler/mapper.h.

// Upper bound on the instructions emit_gemm emits for a tiling (tm, tn, tk) with the operand
// reload factors of the tiler's DRAM model (ifmap_reload, weight_reload):
//   MATMULs   gemms * mt * nt * kt
//   ifmap     gemms * kt * ifmap_reload * segments   (conv: a LOAD per image a tile touches)
//   weight    gemms * nt * kt * weight_reload
//   STOREs    gemms * nt * segments                  (conv: a STORE per image a tile touches)
//   VECTOR    gemms * mt * nt (counted whether or not an activation is fused); 1 SYNC
// with segments = mt for matmuls and mt + batch - 1 for convolutions (tiles touch at most one image
// more than they cross image boundaries). Saturates at INT64_MAX.
int64_t gemm_instructions(const GemmProblem& p, int64_t tm, int64_t tn, int64_t tk, int64_t ifmap_reload,
                          int64_t weight_reload);

// ---------------------------------------------------------------------------------------------
// emitter.cpp

// Appends instructions with backward dependencies and remembers which STOREs and SYNCs belong
// to which layer.
class StreamBuilder {
 public:
  // `limit`: the most instructions the program may hold; add() throws BudgetExceeded past it (a
  // backstop: each layer is estimated and refused before it is emitted).
  explicit StreamBuilder(size_t layers, int64_t limit = kMaxProgramInstructions)
      : m_layer_stores(layers), m_layer_sync(layers, -1), m_limit(limit) {}
  uint32_t add(Opcode op, uint32_t layer, std::vector<uint32_t> deps, decltype(Instruction::payload) payload);
  // Instructions that may still be added under the limit.
  int64_t remaining() const { return m_limit - static_cast<int64_t>(m_out.size()); }
  // SYNC of `layer` depending on all its STOREs; no-op when the layer stored nothing.
  void sync(uint32_t layer);
  // Multi-core: a SYNC with barrier `id` after the layer's SYNC (if any); the layer's consumers on
  // this core wait for it (sync_deps) instead.
  void barrier(uint32_t layer, int64_t id);
  // Multi-core: the builders of all cores share one program limit (compile() resets it per core).
  void set_limit(int64_t limit) { m_limit = limit; }
  // Deps a consumer's first load needs: the SYNC of `source_layer` (none for network inputs).
  std::vector<uint32_t> sync_deps(int source_layer) const;
  std::vector<Instruction> take() { return std::move(m_out); }
  const std::vector<Instruction>& instructions() const { return m_out; }
  Instruction& at(uint32_t id) { return m_out.at(id); }

  // Scratchpad-half hazards, kept across layers so that a layer's first LOAD or MATMUL cannot
  // overwrite a half the previous layer still reads or drains. Halves are 0 and 1.
  // The instruction (MATMUL or VECTOR) that last read half h of buffer b: a LOAD into it waits.
  std::vector<uint32_t> last_reader(Buffer b, int h) const;
  void set_reader(Buffer b, int h, uint32_t id) { m_reader[idx(b)][h] = static_cast<int64_t>(id); }
  // The STOREs that last drained ofmap half h: a write into it waits for them.
  const std::vector<uint32_t>& last_drain(int h) const { return m_drain[h]; }
  void set_drain(int h, std::vector<uint32_t> stores) { m_drain[h] = std::move(stores); }
  // The half of buffer b used most recently (the next new tile goes to the other one).
  int last_used(Buffer b) const { return m_used[idx(b)]; }
  void set_used(Buffer b, int h) { m_used[idx(b)] = h; }

  // With `on`, the first instruction of each unit (DMA, array, vector) in a layer also waits for
  // the most recent SYNC: a shared scratchpad's regions change from layer to layer
  // (compiler/buffer_plan.h), so a layer must not write one before the previous layer is done
  // with it. The half hazards above only know the roles.
  void fence_layers(bool on) { m_fence = on; }

 private:
  static size_t idx(Buffer b) { return static_cast<size_t>(b); }
  std::vector<Instruction> m_out;
  int64_t m_reader[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
  std::vector<uint32_t> m_drain[2];
  int m_used[3] = {1, 1, 1};
  bool m_fence = false;
  int64_t m_last_sync = -1;
  int64_t m_unit_layer[3] = {-1, -1, -1};  // layer of the last DMA, array, vector instruction
  std::vector<std::vector<uint32_t>> m_layer_stores;
  std::vector<int64_t> m_layer_sync;
  int64_t m_limit;
};

// Fused activation applied to every output tile before its STORE.
struct FusedActivation {
  bool present = false;
  VectorFunc func = VectorFunc::kRelu;
};

// Emits the tiles of a GEMM layer. Returns the MappingRecord fields it measured (tiles, folds).
// `buffers` places the operands' double buffers in their scratchpads (compiler/buffer_plan.h).
void emit_gemm(const ArchSpec& arch, const BufferPlan& buffers, const GemmProblem& p, const TileChoice& t,
               const FusedActivation& fused, StreamBuilder* sb, MappingRecord* rec);

// ---------------------------------------------------------------------------------------------
// vector_lowering.cpp: the pieces of vector-unit layers (the chunk pipeline itself takes a
// LoweringContext: compiler/operator_lowering.h).

// A LOAD or STORE of `bytes` contiguous bytes at `addr` into / out of buffer b.
DmaDescriptor linear(Buffer b, uint64_t addr, uint64_t bytes);
// ConfigError on core.scratchpads.<b>.capacity_kib: layer `l` needs 2 x `need` bytes there
// (double-buffered) for `what`.
[[noreturn]] void cannot_fit(const ArchSpec& arch, const Layer& l, Buffer b, int64_t need, const char* what);
// The ifmap and ofmap double buffers of a layer that streams chunks through them (vector unit,
// pooling, resize, gather), and the weight's too with `weights` (depthwise convolution):
// compiler/buffer_plan.h BufferPlan::for_chunks.
RoleRegions chunk_regions(const ArchSpec& arch, bool weights = false);
// The same regions with each half the smallest over every core's spec (ArchSpec::core_of), for
// sizing the chunks that cores deal out among themselves: a chunk fits every core's scratchpads.
RoleRegions chunk_sizing_regions(const ArchSpec& arch, bool weights = false);
// Cycles the vector unit takes for `op` (hw/vector/vector_unit.h states the rule; defined once
// here so that the compiler's estimate and the simulation agree): ceil(elements * ops_per_element
// / lanes), and for a depthwise convolution at least its ifmap reads, weight reads and ofmap
// writes over the scratchpads' port widths.
int64_t vector_op_cycles(const ArchSpec& arch, const VectorOp& op);
// Largest count of units (each in_unit / out_unit bytes) that fits both the ifmap and the ofmap
// half; >= 1 or throws cannot_fit.
int64_t units_per_chunk(const ArchSpec& arch, const Layer& l, int64_t in_unit, int64_t out_unit,
                        const char* what);
// Multi-core NPUs (cores.count > 1): `per` units a chunk, lowered so that `units` make at least
// one chunk per core when they can (the cores deal the chunks out, compiler/partition.h); `per`
// itself with one core.
int64_t per_core_chunk(const ArchSpec& arch, int64_t per, int64_t units);
// Throws BudgetExceeded unless `chunks` chunks of `per_chunk` instructions (LOADs, VECTOR, STORE)
// and the layer's SYNC fit in `budget` instructions.
void check_chunks(int64_t chunks, int64_t per_chunk, int64_t budget, const std::string& what);

}  // namespace lowering
}  // namespace systole
