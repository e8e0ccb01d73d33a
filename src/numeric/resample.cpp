#include "systole/numeric/resample.h"

#include <algorithm>
#include <cmath>

namespace systole {

double resize_source(int64_t x, double scale) {
  return (static_cast<double>(x) + 0.5) / scale - 0.5;
}

int64_t resize_nearest(double x_original, int64_t extent) {
  const auto i = static_cast<int64_t>(std::ceil(x_original - 0.5));
  return std::clamp<int64_t>(i, 0, extent - 1);
}

LinearTaps resize_linear(double x_original, int64_t extent) {
  const double f = std::floor(x_original);
  LinearTaps t;
  t.w1 = x_original - f;
  t.i0 = std::clamp<int64_t>(static_cast<int64_t>(f), 0, extent - 1);
  t.i1 = std::clamp<int64_t>(static_cast<int64_t>(f) + 1, 0, extent - 1);
  return t;
}

double bilinear(double v00, double v01, double v10, double v11, double wy, double wx) {
  const double top = (1.0 - wx) * v00 + wx * v01;
  const double bottom = (1.0 - wx) * v10 + wx * v11;
  return (1.0 - wy) * top + wy * bottom;
}

}  // namespace systole
