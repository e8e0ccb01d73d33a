// Resampling of an image axis, as ONNX Resize (opset 11 and later) defines it with its defaults:
// coordinate_transformation_mode "half_pixel" and, for nearest, nearest_mode "round_prefer_floor".
// The functional vector unit and the reference resize both call these, so a resize has one
// meaning. No SystemC here.
//
// Output index x of an axis maps to the input coordinate
//   x_original = (x + 0.5) / scale - 0.5
// with `scale` the axis's scale: the one the layer gives, or output extent / input extent when the
// layer gives an output size (ONNX: the scale it is given is used as such, not recomputed from the
// floored output extent). Coordinates are computed in double.
#pragma once

#include <cstdint>

namespace systole {

double resize_source(int64_t x, double scale);

// Nearest (round_prefer_floor): round half down, clamped into the input:
// clamp(ceil(x_original - 0.5), 0, extent - 1).
int64_t resize_nearest(double x_original, int64_t extent);

// Linear: the two input indices around x_original and the weight of the second, i0 =
// floor(x_original), i1 = i0 + 1, w1 = x_original - i0, then both indices clamped into
// [0, extent - 1] (outside the input both are the edge element, as ONNX's edge padding gives).
struct LinearTaps {
  int64_t i0 = 0, i1 = 0;
  double w1 = 0.0;
};
LinearTaps resize_linear(double x_original, int64_t extent);

// Bilinear interpolation of the four taps v_rc (row r, column c) with weights wy (of row 1) and
// wx (of column 1), in double: (1 - wy) ((1 - wx) v00 + wx v01) + wy ((1 - wx) v10 + wx v11).
// The caller rounds the result: to fp32 then the output dtype (floats), or half to even then
// saturated (integers).
double bilinear(double v00, double v01, double v10, double v11, double wy, double wx);

}  // namespace systole
