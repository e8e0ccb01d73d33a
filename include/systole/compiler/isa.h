// The Systole ISA, defined once. A Program is one instruction stream per core (one core for now);
// each instruction names the instructions it depends on, which must come earlier in the stream.
// Units execute their own instructions in stream order, so any stream whose dependencies point
// backwards is deadlock-free. No SystemC here.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "systole/config/types.h"

namespace systole {

enum class Opcode { kLoad, kStore, kMatmul, kVector, kSync };
const char* to_string(Opcode op);  // "LOAD", "STORE", "MATMUL", "VECTOR", "SYNC"

enum class Buffer { kIfmap, kWeight, kOfmap };
const char* to_string(Buffer b);  // "ifmap", "weight", "ofmap"

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
  uint64_t bytes() const { return planes * rows * row_bytes; }
};

// The same transfer with contiguous dimensions merged: rows whose stride equals their length
// become one longer row, and planes whose stride equals rows * row_bytes one taller plane. The
// DMA splits rows into bursts, so a 2048x7x7 B descriptor over contiguous memory would otherwise
// cost 14336 seven-byte bursts instead of 1568 full ones.
DmaDescriptor coalesced(DmaDescriptor d);

// One GEMM tile on the array: out[m x n] (+)= in[m x k] * w[k x n]. How (m, n, k) map onto the
// array's rows, columns and streaming time depends on the dataflow (timing/array_timing.h).
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
};

enum class VectorFunc {
  kRelu,
  kRelu6,
  kGelu,
  kSigmoid,
  kTanh,
  kAdd,
  kMaxPool,
  kAvgPool,
  kSoftmax,
  kLayerNorm
};
const char* to_string(VectorFunc f);

// An elementwise / reduction operation on the vector unit over data already in a scratchpad.
// Cycles = ceil(elements * ops_per_element / lanes) (the vector unit's closed form).
struct VectorOp {
  VectorFunc func = VectorFunc::kRelu;
  uint64_t elements = 0;         // output elements produced
  uint64_t ops_per_element = 1;  // lane operations per output element (e.g. pool window size)
  uint64_t spm_read_bytes = 0;
  uint64_t spm_write_bytes = 0;
};

struct SyncOp {};

struct Instruction {
  uint32_t id = 0;  // index in Program::instructions
  Opcode op = Opcode::kSync;
  uint32_t layer = 0;  // index in Program::layers
  std::vector<uint32_t> deps;
  std::variant<DmaDescriptor, MatmulOp, VectorOp, SyncOp> payload;

  const DmaDescriptor& dma() const { return std::get<DmaDescriptor>(payload); }
  const MatmulOp& matmul() const { return std::get<MatmulOp>(payload); }
  const VectorOp& vector() const { return std::get<VectorOp>(payload); }
};

}  // namespace systole
