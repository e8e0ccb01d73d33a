#include "systole/isa/isa.h"

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
    case VectorFunc::kAdd:
      return "add";
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
  }
  return "?";
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
