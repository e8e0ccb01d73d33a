// Private to src/rtl/impl: an IRtlDataflow running the column engine (column_engine.h) with one
// Mapping; ws.cpp and is.cpp instantiate it. A Mapping is built from (m, n, k, a, w) and says
//   stationary(i, j): the element held by PE row i, column j of the (Sr x Sc) stationary matrix;
//   stream(t, i): element i of streamed vector t; out_index(t, j): where result (t, j) goes.
#pragma once

#include <memory>

#include "../arith_paths.h"
#include "../column_engine.h"
#include "systole/rtl/dataflow.h"

namespace systole::rtl::detail {

template <template <typename> class Mapping>
class ColumnDataflow final : public IRtlDataflow {
 public:
  TileResult run(const TileRequest& req, const int32_t* a, const int32_t* w, int64_t* out,
                 IArrayObserver* observer) const override {
    const auto m = static_cast<int64_t>(req.op.m), n = static_cast<int64_t>(req.op.n),
               k = static_cast<int64_t>(req.op.k);
    // A partial sum adds at most R products (one fold's rows) from 0.
    const double bound = static_cast<double>(req.geometry.rows) * max_abs(a, m * k) * max_abs(w, k * n);
    const Mapping<int32_t> map{m, n, k, a, w};
    return with_int_policy(req.acc, bound, fits_int16(a, m * k) && fits_int16(w, k * n), [&](auto arith) {
      ColumnEngine<decltype(arith), Mapping<int32_t>> engine(req, arith, map, out);
      return engine.run(observer);
    });
  }

  TileResult run(const TileRequest& req, const float* a, const float* w, float* out,
                 IArrayObserver* observer) const override {
    const auto m = static_cast<int64_t>(req.op.m), n = static_cast<int64_t>(req.op.n),
               k = static_cast<int64_t>(req.op.k);
    const Mapping<float> map{m, n, k, a, w};
    ColumnEngine<Fp32, Mapping<float>> engine(req, Fp32{req.acc}, map, out);
    return engine.run(observer);
  }
};

}  // namespace systole::rtl::detail
