#include "systole/isa/isa.h"

#include <algorithm>

namespace systole {

const char* to_string(Opcode op) {
  switch (op) {
    case Opcode::kLoad:
      return "LOAD";
    case Opcode::kStore:
      return "STORE";
    case Opcode::kMatmul:
      return "MATMUL";
    case Opcode::kVector:
      return "VECTOR";
    case Opcode::kSync:
      return "SYNC";
  }
  return "?";
}

const char* to_string(VectorFunc f) {
  switch (f) {
    case VectorFunc::kRelu:
      return "relu";
    case VectorFunc::kRelu6:
      return "relu6";
    case VectorFunc::kGelu:
      return "gelu";
    case VectorFunc::kSigmoid:
      return "sigmoid";
    case VectorFunc::kTanh:
      return "tanh";
    case VectorFunc::kSilu:
      return "silu";
    case VectorFunc::kHardSwish:
      return "hardswish";
    case VectorFunc::kMul:
      return "mul";
    case VectorFunc::kDiv:
      return "div";
    case VectorFunc::kRmsNorm:
      return "rmsnorm";
    case VectorFunc::kRotary:
      return "rotary";
    case VectorFunc::kAdd:
      return "add";
    case VectorFunc::kSub:
      return "sub";
    case VectorFunc::kMaxPool:
      return "maxpool";
    case VectorFunc::kAvgPool:
      return "avgpool";
    case VectorFunc::kSoftmax:
      return "softmax";
    case VectorFunc::kLayerNorm:
      return "layernorm";
    case VectorFunc::kResizeNearest:
      return "resize_nearest";
    case VectorFunc::kResizeBilinear:
      return "resize_bilinear";
    case VectorFunc::kDepthwiseConv:
      return "depthwise_conv";
  }
  return "?";
}

int64_t vector_cycles(const VectorOp& op, int64_t lanes, const VectorPorts& ports) {
  const auto lane_ops = static_cast<int64_t>(op.elements * op.ops_per_element);
  int64_t cycles = (lane_ops + lanes - 1) / lanes;
  if (op.func != VectorFunc::kDepthwiseConv) return cycles;
  const int in = index_of(Buffer::kIfmap), wt = index_of(Buffer::kWeight), out = index_of(Buffer::kOfmap);
  auto bound = [&](int64_t bytes, int64_t per_cycle) {
    if (bytes > 0 && per_cycle > 0) cycles = std::max(cycles, (bytes + per_cycle - 1) / per_cycle);
  };
  const auto in_bytes = static_cast<int64_t>(op.spm_read_bytes);
  const auto wt_bytes = static_cast<int64_t>(op.spm_weight_read_bytes);
  if (ports.spm[in] == ports.spm[wt]) {
    bound(in_bytes + wt_bytes, ports.read_bytes_per_cycle[in]);
  } else {
    bound(in_bytes, ports.read_bytes_per_cycle[in]);
    bound(wt_bytes, ports.read_bytes_per_cycle[wt]);
  }
  bound(static_cast<int64_t>(op.spm_write_bytes), ports.write_bytes_per_cycle[out]);
  return cycles;
}

DmaDescriptor coalesced(DmaDescriptor d) {
  if (d.indexed) return d;                            // each row is one table lookup
  if (d.rows == 1) d.row_stride_bytes = d.row_bytes;  // a single row's stride is never used
  if (d.rows > 1 && d.row_stride_bytes == d.row_bytes) {
    d.row_bytes *= d.rows;
    d.rows = 1;
    d.row_stride_bytes = d.row_bytes;
  }
  if (d.planes > 1 && d.plane_stride_bytes == d.rows * d.row_stride_bytes &&
      d.rows * d.row_stride_bytes > 0) {
    if (d.rows == 1) {
      d.row_bytes *= d.planes;
      d.row_stride_bytes = d.row_bytes;
    } else {
      d.rows *= d.planes;
    }
    d.planes = 1;
    d.plane_stride_bytes = d.rows * d.row_stride_bytes;
  }
  return d;
}

}  // namespace systole
