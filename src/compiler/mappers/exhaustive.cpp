// exhaustive: every legal tile size of each dimension (every multiple of the array extent, every
// divisor of the dimension of at least that, and the whole dimension; every length of the
// streaming dimension) and both loop orders, scored by the same closed-form estimate as the
// heuristic and ranked by the objective. Its candidates include the heuristic's, so its best is
// never worse by the objective's score. At most kMaxExhaustiveTilings tilings a layer; a layer
// with more is a ConfigError on compiler.mapper (compiler/mapper.h).
#include <fmt/format.h>

#include "systole/compiler/mapper.h"

namespace systole {
namespace {

class ExhaustiveMapper final : public IMapper {
 public:
  lowering::TileChoice map(const MapperRequest& r) const override {
    const lowering::TileCandidates c = lowering::exhaustive_candidates(r.arch, r.problem);
    lowering::TileChoice t = lowering::search_tilings(r, c);
    t.reason +=
        fmt::format("; exhaustive: {} of {} candidate tilings fit and were scored", t.scored, c.tilings());
    return t;
  }
};

}  // namespace

void register_mapper_exhaustive(MapperRegistry& r) {
  r.add("exhaustive", [] { return std::make_unique<ExhaustiveMapper>(); });
}

}  // namespace systole
