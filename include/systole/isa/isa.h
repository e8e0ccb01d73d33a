// The Systole ISA, defined once. A Program is one instruction stream per core (one core for now);
// each instruction names the instructions it depends on, which must come earlier in the stream.
// Units execute their own instructions in stream order, so any stream whose dependencies point
// backwards is deadlock-free. No SystemC here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "systole/config/types.h"
#include "systole/numeric/broadcast.h"
#include "systole/numeric/quantized.h"

namespace systole {

enum class Opcode { kLoad, kStore, kMatmul, kVector, kSync };
const char* to_string(Opcode op);  // "LOAD", "STORE", "MATMUL", "VECTOR", "SYNC"

// The scratchpad an instruction addresses, by the operand role it holds (config/types.h): the
// core routes each role to the scratchpad core.operands places it in, so several roles may share
// one physical buffer (the compiler then gives each its own region of it, compiler/buffer_plan.h).
using Buffer = OperandRole;

// Double buffering: the compiler splits each scratchpad into two halves and alternates them
// between consecutive tiles (compiler/emitter.cpp), so that the LOAD of the next tile overlaps the
// MATMUL of this one. An instruction's slot is the half it uses: 0 ("A", from address 0) or 1
// ("B", from capacity / 2), as placed by the compiler; kNoSlot where it places no double buffer.
constexpr int kNoSlot = -1;
inline const char* slot_name(int slot) {
  return slot == 0 ? "A" : slot == 1 ? "B" : "-";
}

// A strided DRAM region <-> a contiguous scratchpad region (LOAD: DRAM -> SPM, STORE: SPM -> DRAM).
// Bytes moved = planes * rows * row_bytes. Address of (p, r, byte b) in DRAM:
//   dram_addr + p * plane_stride_bytes + r * row_stride_bytes + b
struct DmaDescriptor {
  Buffer buffer = Buffer::kIfmap;
  uint64_t dram_addr = 0;
  uint64_t spm_addr = 0;
  uint64_t planes = 1;
  uint64_t rows = 1;
  uint64_t row_bytes = 0;
  uint64_t plane_stride_bytes = 0;
  uint64_t row_stride_bytes = 0;
  // A STORE of GEMM results. The scratchpad holds bytes() / bytes(input_type) elements of
  // accumulator_type, contiguous from spm_addr in the order the DRAM side walks: the DMA reads
  // (and times, and counts) that many accumulator bytes on the scratchpad side and writes bytes()
  // to DRAM. Functional simulation converts each element to input_type on the way out: integers
  // by requantize(acc, requant_shift, input_type), floats rounded to nearest even
  // (numeric/gemm_reference.h).
  bool from_accumulator = false;
  int requant_shift = 0;
  // A channel-last scratchpad tile (compiler/lowering.h ConvLayouts), when > 0: the walk order's
  // elements are this many equal runs, one per channel (c, x), and the scratchpad holds (c, x) at
  // element index x * channel_last_channels + c from spm_addr. Its uses: a conv STORE from
  // accumulators held [pixel][channel] (elements of accumulator_type in the scratchpad), and a
  // LOAD (elements of input_type; weight_type into the weight scratchpad): a conv ifmap into
  // [input row][W][channel], or a matmul operand block into the other row-major order
  // (compiler/lowering.h set_matrix_transposes; runs = the rows the DRAM side walks). The DMA moves the
  // scratchpad region whole as above (same bytes, same timing: its data path transposes, as the
  // transpose buffers of NPU DMA engines do), so the DRAM side walks NCHW planes and may be
  // coalesced.
  uint64_t channel_last_channels = 0;
  // A stride-phased conv ifmap LOAD (compiler/lowering.h ConvLayouts::ifmap_stride_phases), when
  // row_phases * col_phases > 1: the scratchpad region is consecutive channel planes of
  // phase_rows x phase_cols elements (of input_type), each held in stride phases: element (i, x)
  // of a plane at stride_phase_position(i, x, phase_rows, phase_cols, row_phases, col_phases)
  // from the plane's start, so that a strided convolution's consecutive output pixels read
  // consecutive elements. Same bytes, same timing, as channel_last_channels (the two are not
  // combined).
  uint64_t row_phases = 1, col_phases = 1;
  uint64_t phase_rows = 0, phase_cols = 0;
  bool stride_phased() const { return row_phases * col_phases > 1; }
  int slot = kNoSlot;  // the double-buffer half of `buffer` that spm_addr lies in
  // An indexed LOAD (gather; planes == 1): row r of the descriptor is row index[r] of a table of
  // `table_rows` rows of row_bytes at table_addr in DRAM, index[r] being the int32 at
  // index_spm_addr + 4 r in the `index_buffer` scratchpad. The DMA first reads the rows' indices
  // from that scratchpad (one transaction of 4 x rows bytes, timed and counted like any scratchpad
  // side), then issues the rows' bursts at dram_addr + r * row_stride_bytes. Timing never depends
  // on data, so those are the rows the compiler assumed (docs/compiler.md, "Gather"); a functional
  // run moves the bytes of the rows the indices name. Never coalesced: every row is one lookup.
  bool indexed = false;
  Buffer index_buffer = Buffer::kIfmap;
  uint64_t index_spm_addr = 0;
  uint64_t table_addr = 0;
  uint64_t table_rows = 0;
  // A resident tensor (docs/compiler.md "Activation residency"): the far side is not DRAM but the
  // on-chip tensor store, a region of the kTensorStore role's scratchpad. (p, r, byte b) is at
  // store_addr + p * plane_stride_bytes + r * row_stride_bytes + b there; dram_addr stays the
  // tensor's home in the DRAM address map, which carries no traffic (a functional run writes a
  // debug copy of a resident STORE there, untimed and uncounted, so that every layer can be
  // verified from the DRAM image). The DMA moves each row as its own scratchpad transaction.
  bool on_chip = false;
  uint64_t store_addr = 0;
  // A STORE into another core's tensor store (layer pipelining, docs/multicore.md "On-chip
  // activations"), when >= 0: store_addr is in that core's kTensorStore scratchpad, and the rows
  // cross the NoC as write messages of at most a burst each (the fabric writes them there and
  // acknowledges each with one flit; hw/noc/noc_fabric.h). -1: the issuing core's own store.
  // Only with on_chip, only on a STORE, never the issuing core.
  int32_t store_core = -1;
  uint64_t bytes() const { return planes * rows * row_bytes; }
};

// The role whose scratchpad holds the on-chip tensor store: the activations' home (on a TPU, the
// Unified Buffer).
inline constexpr OperandRole kTensorStore = OperandRole::kIfmap;

// Where element (i, x) of a rows x cols plane held in stride phases (row_phases, col_phases) sits
// in it (space-to-depth): the plane is cut into sub-planes (a, b) = (i mod row_phases,
// x mod col_phases), held one after another (a-major), each row-major with its rows
// ceil((rows - a) / row_phases) and columns ceil((cols - b) / col_phases):
//   position = (elements of the sub-planes before (a, b)) + (i / row_phases) * (columns of
//              sub-plane b) + x / col_phases.
// Phases (1, 1) give i * cols + x. Throws InternalError when (i, x) is outside the plane.
int64_t stride_phase_position(int64_t i, int64_t x, int64_t rows, int64_t cols, int64_t row_phases,
                              int64_t col_phases);

// The same transfer with contiguous dimensions merged (an indexed LOAD is returned as it is): rows whose
// stride equals their length become one longer row, and planes whose stride equals rows * row_bytes one
// taller plane. The DMA splits rows into bursts, so a 2048x7x7 B descriptor over contiguous memory would
// otherwise cost 14336 seven-byte bursts instead of 1568 full ones.
DmaDescriptor coalesced(DmaDescriptor d);

// Where element (i, j) of a MATMUL operand lives in its scratchpad, for functional simulation
// (the timing ignores layouts). (i, j) is (m, k) for the ifmap, (k, n) for the weights and (m, n)
// for the ofmap, counted from the tile's origin; the result is an element index from the operand's
// spm address, in elements of the buffer's type (ifmap: input_type, weight: weight_type, ofmap:
// accumulator_type), or -1 for an implicit zero (convolution padding).
//   kMatrix:    index = i * row_stride + j * col_stride; row_stride == col_stride == 0 (the
//               default) means dense row-major, row_stride = the operand's columns.
//   kConvIfmap: implicit im2col of a conv tile whose LOADs (one per image the m-range touches,
//               in order, skipping images whose output rows see only padding) each hold
//               [channel][input row][W] (conv.channel_last: [input row][W][channel]) for the
//               channels conv_tile_channels() gives and the input rows rows_of_image() gives.
//               Global m = m0 + i = (image, output row, output column), global k = k0 + j =
//               (channel within the group, kernel row, kernel column); conv.channel_last:
//               (channel block, kernel row, kernel column, channel within the block) with blocks
//               of conv.block channels, so that a run of k is a run of channels of one input
//               pixel. conv.row_phases, conv.col_phases (planes only): each loaded channel
//               plane of [input row][W] is held in stride phases (stride_phase_position), so that
//               a run of m, whose input pixels are (sh, sw) apart, is a run of consecutive
//               elements.
//   kConvOfmap: NCHW output planes of a conv tile: per image the m-range touches (in order),
//               [n][output pixels of that image in the tile]; m0 is the tile's first global m.
enum class LayoutKind { kMatrix, kConvIfmap, kConvOfmap };

struct ConvTileGeometry {
  int64_t h = 1, w = 1, ho = 1, wo = 1;  // input and output plane sizes
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, pad_top = 0, pad_left = 0, dh = 1, dw = 1;
  int64_t m0 = 0, k0 = 0;  // the tile's first global m and first k (within the group)
  // kConvIfmap: the LOADs hold [input row][W][channel] instead of [channel][input row][W], and k
  // runs (channel block, kernel row, kernel column, channel within the block) instead of
  // (channel, kernel row, kernel column), with blocks of `block` channels (a divisor of the
  // channels per group; block == channels per group is (kernel row, kernel column, channel)).
  bool channel_last = false;
  int64_t block = 1;
  // kConvIfmap without channel_last: each loaded channel plane ([input row][W]) is held in these
  // stride phases (stride_phase_position; 1, 1: row-major); the compiler sets them to (sh, sw) for
  // dataflows that read along m.
  int64_t row_phases = 1, col_phases = 1;
};

// Channel within the group, kernel row and kernel column of a conv GEMM's global k (the order
// g.channel_last says).
void conv_k_coords(const ConvTileGeometry& g, int64_t k, int64_t* c, int64_t* r, int64_t* s);
// The channels [*c0, *c0 + *count) that a conv tile's k-range [g.k0, g.k0 + cols) reads, which its
// LOADs hold: those the range touches in (channel, kernel row, kernel column) order; with
// channel_last those of its kernel tap when the range lies within one tap of one block, else all
// channels of the blocks it touches.
void conv_tile_channels(const ConvTileGeometry& g, int64_t cols, int64_t* c0, int64_t* count);

struct OperandLayout {
  LayoutKind kind = LayoutKind::kMatrix;
  int64_t row_stride = 0, col_stride = 0;  // kMatrix, in elements
  ConvTileGeometry conv;                   // kConvIfmap, kConvOfmap
};

// Input rows [*row0, *row0 + *rows) of one image that a conv tile's output rows [ho0, ho1] read
// (halo included, padding excluded); *rows == 0 when they read only padding.
void conv_input_rows(const ConvTileGeometry& g, int64_t ho0, int64_t ho1, int64_t* row0, int64_t* rows);

// Element indices of a rows x cols operand tile: out[i * cols + j] = index of (i, j) or -1.
std::vector<int64_t> operand_indices(const OperandLayout& layout, int64_t rows, int64_t cols);

// One GEMM tile on the array: out[m x n] (+)= in[m x k] * w[k x n]. How (m, n, k) map onto the
// array's rows, columns and streaming time depends on the dataflow (array/array_timing.h).
struct MatmulOp {
  Dataflow dataflow = Dataflow::kWeightStationary;
  uint64_t m = 0, n = 0, k = 0;
  uint64_t ifmap_spm_addr = 0, weight_spm_addr = 0, ofmap_spm_addr = 0;
  bool accumulate = false;  // add onto partial sums already in the ofmap scratchpad
  // SCALE-Sim-compatible timing only: a fold's streaming dimension may be split across tiles;
  // the fold's preload is charged on its first chunk and its fill/drain on its last.
  bool stream_first = true;
  bool stream_last = true;
  bool layer_last = false;  // last MATMUL of its layer (SCALE-Sim counts a layer's cycles minus 1)
  // Functional simulation: how the array finds its operands in the scratchpads.
  OperandLayout ifmap_layout, weight_layout, ofmap_layout;
  // The double-buffer halves holding the operands (the halves of the *_spm_addr).
  int ifmap_slot = kNoSlot, weight_slot = kNoSlot, ofmap_slot = kNoSlot;
};

enum class VectorFunc {
  kRelu,
  kRelu6,
  kGelu,
  kSigmoid,
  kTanh,
  kSilu,
  kHardSwish,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMaxPool,
  kAvgPool,
  kSoftmax,
  kLayerNorm,
  kRmsNorm,
  kRotary,
  kResizeNearest,
  kResizeBilinear,
  kDepthwiseConv
};
const char* to_string(VectorFunc f);

// Where a pool chunk's data lives, for functional simulation (the timing ignores it). The ifmap
// scratchpad holds, from VectorOp::src_spm_addr, [planes][in_rows][w] input_type elements: input
// rows [in_row0, in_row0 + in_rows) of `planes` consecutive channel planes (every row a window of
// the chunk reads that is not padding). The ofmap scratchpad receives, from dst_spm_addr,
// [planes][out_rows][wo] elements: output rows [out_row0, out_row0 + out_rows) of those planes.
// Output (oh, ow) reads input row oh * stride_h - pad_top + r (r < kernel_h) and column
// ow * stride_w - pad_left + s (s < kernel_w); rows outside [0, h) and columns outside [0, w) are
// padding. A global pool is kernel h x w, stride 1, no padding.
struct PoolGeometry {
  int64_t planes = 0;
  int64_t h = 0, w = 0;                // the whole input plane
  int64_t in_row0 = 0, in_rows = 0;    // input rows held per plane
  int64_t out_row0 = 0, out_rows = 0;  // output rows computed per plane
  int64_t wo = 0;                      // output width
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;
};

// Where a resize chunk's data lives, for functional simulation (the timing ignores it): like a
// pool chunk's, the ifmap scratchpad holds [planes][in_rows][w] input rows [in_row0, in_row0 +
// in_rows) of `planes` consecutive channel planes, and the ofmap scratchpad receives
// [planes][out_rows][wo] output rows [out_row0, out_row0 + out_rows). Output (oy, ox) samples the
// input at resize_source(oy, scale_h), resize_source(ox, scale_w) (numeric/resample.h), nearest
// or bilinear as the VECTOR's function says; every input row it reads is among those held.
struct ResizeGeometry {
  int64_t planes = 0;
  int64_t h = 0, w = 0;                 // the whole input plane
  int64_t in_row0 = 0, in_rows = 0;     // input rows held per plane
  int64_t out_row0 = 0, out_rows = 0;   // output rows computed per plane
  int64_t wo = 0;                       // output width
  double scale_h = 1.0, scale_w = 1.0;  // the coordinate transform's scales
};

// Where a depthwise convolution chunk's data lives (VectorFunc::kDepthwiseConv; conv2d with groups
// == C, docs/compiler.md "Depthwise convolution"). `window` is a pool chunk's geometry (above) for
// the input rows held and the output rows computed, with `window.planes` output planes; output
// plane q of the chunk reads input plane q / multiplier of the chunk (the ifmap scratchpad holds
// [ceil(window.planes / multiplier)][in_rows][w]) and the
// kernel q of [window.planes][kernel_h][kernel_w] weight_type elements at weight_spm_addr in the
// weight scratchpad. Output (oh, ow) reads input row oh * stride_h - pad_top + r * dilation_h and
// column ow * stride_w - pad_left + s * dilation_w; padding taps are products 0 * w, as on the
// array. Products are accumulated in the array's accumulator type and k order (k = r * kw + s, in
// groups of k_group as the array's dataflow does, numeric/k_grouped_sum.h), then the fused
// activation, if any, is applied to the accumulator (relu6 at 6 * 2^requant_shift) and the result
// requantised by requant_shift (integers) or rounded (floats) to input_type: the numbers of the
// GEMM lowering.
struct DepthwiseGeometry {
  PoolGeometry window;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t multiplier = 1;  // output channels per input channel (out_channels / C)
  bool has_activation = false;
  VectorFunc activation = VectorFunc::kRelu;  // kRelu or kRelu6, fused into the epilogue
};

// An elementwise / reduction operation on the vector unit over data already in a scratchpad.
// Cycles = ceil(elements * ops_per_element / lanes) (the vector unit's closed form); a depthwise
// convolution is also bounded by its scratchpad ports (hw/vector/vector_unit.h).
// Where a rotary embedding's rows sit in the sequence (VectorOp::rotary).
struct RotaryGeometry {
  uint64_t seq = 1;     // extent of the sequence axis
  uint64_t inner = 1;   // rows per sequence position (the extents between that axis and the last)
  uint64_t offset = 0;  // position of the first token (the cache length in a decode step)
  double theta = 10000.0;
  bool interleaved = false;
};

struct VectorOp {
  VectorFunc func = VectorFunc::kRelu;
  uint64_t elements = 0;               // output elements produced
  uint64_t ops_per_element = 1;        // lane operations per output element (e.g. pool window size)
  uint64_t spm_read_bytes = 0;         // from the ifmap scratchpad (fused: the ofmap's accumulators)
  uint64_t spm_write_bytes = 0;        // into the ofmap scratchpad
  uint64_t spm_weight_read_bytes = 0;  // kDepthwiseConv: its kernels, from the weight scratchpad
  // Functional simulation (the timing ignores these). Fused activations (on_accumulators) work in
  // place on `elements` accumulator_type values at dst_spm_addr in the ofmap scratchpad; relu6 on
  // integer accumulators clamps at 6 * 2^requant_shift (6 in the output's units after the STORE
  // requantises). Vector layers read `operands` consecutive blocks of `elements` input_type
  // values from src_spm_addr in the ifmap scratchpad and write `elements` input_type values at
  // dst_spm_addr in the ofmap scratchpad; pools read and write as `pool` says.
  bool on_accumulators = false;
  int requant_shift = 0;
  uint64_t operands = 1;
  uint64_t row_elements = 0;  // softmax, layernorm, rmsnorm: length of the normalised (last) axis
  // kSoftmax over scores [..., Q, K] with a causal mask (causal_queries = Q > 0): row r of the
  // layer (first_row + the row's index in this chunk) is query i = r mod Q at position
  // K - Q + i, and sees keys 0..K - Q + i (softmax_causal_fp). 0 = no mask.
  uint64_t causal_queries = 0;
  uint64_t first_row = 0;
  // kRotary over rows of row_elements: row r (first_row + the row's index in this chunk) is at
  // position rotary.offset + (r / rotary.inner) mod rotary.seq (numeric/vector_math.h rotary_fp).
  RotaryGeometry rotary = {};
  // kAdd, kSub, kMul, kDiv with a broadcast operand (null when every operand has the output's
  // shape, and the operands are `operands` blocks of `elements`): the layer's geometry, shared by
  // its chunks. This chunk computes output elements [first_element, first_element + elements);
  // operand o is the run broadcast->span(o, first_element, elements) of its elements, the runs
  // packed one after another from src_spm_addr in operand order.
  std::shared_ptr<const BroadcastGeometry> broadcast = nullptr;
  uint64_t first_element = 0;
  // Functions only floats define, on integer data (numeric/quantized.h): the layer's input 0's and
  // its own quantisation (Layer::input_quant, Layer::quant); unset: the format's fixed ranges.
  std::optional<QuantParams> quant_in = std::nullopt, quant_out = std::nullopt;
  uint64_t src_spm_addr = 0;
  uint64_t dst_spm_addr = 0;
  PoolGeometry pool = {};            // kMaxPool, kAvgPool: elements == planes * out_rows * wo
  ResizeGeometry resize = {};        // kResizeNearest, kResizeBilinear: elements == planes * out_rows * wo
  DepthwiseGeometry depthwise = {};  // kDepthwiseConv: elements == window.planes * out_rows * wo
  uint64_t weight_spm_addr = 0;      // kDepthwiseConv: the chunk's kernels in the weight scratchpad
  // Double-buffer halves: of the ifmap read from src_spm_addr (kNoSlot for on_accumulators) and
  // of the ofmap written at dst_spm_addr.
  int src_slot = kNoSlot, dst_slot = kNoSlot;
  int weight_slot = kNoSlot;  // kDepthwiseConv: the weight half read from weight_spm_addr
};

// The scratchpads a VECTOR reads and writes, for its timing: per operand role (index_of), the
// physical scratchpad it lives in (roles may share one, core.operands) and that scratchpad's port
// widths in bytes per cycle.
struct VectorPorts {
  int spm[kOperandRoleCount] = {0, 1, 2};
  int64_t read_bytes_per_cycle[kOperandRoleCount] = {0, 0, 0};
  int64_t write_bytes_per_cycle[kOperandRoleCount] = {0, 0, 0};
};

// Cycles of a VECTOR on a vector unit of `lanes` lanes: ceil(elements * ops_per_element / lanes);
// a depthwise convolution (the one function that reads two scratchpads and writes a third) also
// takes at least ceil(bytes / port width) for the bytes each physical scratchpad reads (ifmap
// spm_read_bytes + weight spm_weight_read_bytes, added when they share one) and writes
// (spm_write_bytes). Defined once: the compiler's estimate and the vector unit use it.
int64_t vector_cycles(const VectorOp& op, int64_t lanes, const VectorPorts& ports);

// A SYNC retires when its dependencies have. In multi-core programs (docs/multicore.md) it may
// also meet other cores through messages over the NoC:
//   - barrier >= 0: a cross-core barrier; it retires when every core has reached its SYNC with
//     the same barrier id.
//   - signal_core >= 0 (layer pipelining): once its dependencies have retired it sends the token
//     `token` to core signal_core (one flit), and retires when the message enters the network.
//   - wait_core >= 0 (layer pipelining): it retires once core wait_core's signal with the same
//     token has arrived (at once if it came first).
// At most one of the three is set; a core never signals or waits for itself.
struct SyncOp {
  int64_t barrier = -1;
  int32_t signal_core = -1;
  int32_t wait_core = -1;
  int64_t token = -1;
  // Whether the SYNC waits for other cores (a barrier, or a wait for a signal).
  bool waits_for_cores() const { return barrier >= 0 || wait_core >= 0; }
  // Whether the SYNC goes to the NoC fabric rather than retiring in its core.
  bool on_fabric() const { return barrier >= 0 || wait_core >= 0 || signal_core >= 0; }
};

struct Instruction {
  uint32_t id = 0;  // index in Program::instructions
  Opcode op = Opcode::kSync;
  uint32_t layer = 0;  // index in Program::layers
  uint32_t core = 0;   // the core whose controller runs it (Program::cores); deps are on that core
  std::vector<uint32_t> deps;
  std::variant<DmaDescriptor, MatmulOp, VectorOp, SyncOp> payload;

  const DmaDescriptor& dma() const { return std::get<DmaDescriptor>(payload); }
  const MatmulOp& matmul() const { return std::get<MatmulOp>(payload); }
  const VectorOp& vector() const { return std::get<VectorOp>(payload); }
};

}  // namespace systole
