#include "systole/rtl/run_tile.h"

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/rtl/dataflow.h"

namespace systole::rtl {
namespace {

void validate(const TileRequest& req, DataType want) {
  const ArrayGeometry& g = req.geometry;
  const MatmulOp& op = req.op;
  if (op.m == 0 || op.n == 0 || op.k == 0 || g.rows <= 0 || g.cols <= 0 ||
      g.microarch.pe_pipeline_depth < 1 || g.microarch.accumulator_rmw_latency < 0) {
    throw InternalError(fmt::format(
        "rtl: malformed tile m={} n={} k={} on {}x{} (pe_pipeline_depth {}, rmw {})", op.m, op.n, op.k,
        g.rows, g.cols, g.microarch.pe_pipeline_depth, g.microarch.accumulator_rmw_latency));
  }
  if (req.acc.type != want) {
    throw InternalError(fmt::format("rtl: {} operands need a {} accumulator, got {}",
                                    want == DataType::kFp32 ? "float" : "integer", to_string(want),
                                    to_string(req.acc.type)));
  }
  if (want == DataType::kInt32 && (req.acc.width_bits < 8 || req.acc.width_bits > 64)) {
    throw InternalError(fmt::format("rtl: accumulator width {} outside 8..64", req.acc.width_bits));
  }
}

}  // namespace

TileResult run_tile(const TileRequest& req, const int32_t* a, const int32_t* w, int64_t* out,
                    IArrayObserver* observer) {
  validate(req, DataType::kInt32);
  return engine_registry().get(req.op.dataflow).run(req, a, w, out, observer);
}

TileResult run_tile(const TileRequest& req, const float* a, const float* w, float* out,
                    IArrayObserver* observer) {
  validate(req, DataType::kFp32);
  return engine_registry().get(req.op.dataflow).run(req, a, w, out, observer);
}

}  // namespace systole::rtl
