// heuristic: the tiler's ~70 sizes per dimension (array multiples R * 2^j and ceil(D / q) for
// q <= 8, powers of two and D / q on the streaming dimension, and D), both loop orders, ranked by
// the objective. Fast and bounded whatever the shape; the default (compiler.mapper).
#include "systole/compiler/mapper.h"

namespace systole {
namespace {

class HeuristicMapper final : public IMapper {
 public:
  lowering::TileChoice map(const MapperRequest& r) const override {
    return lowering::search_tilings(r, lowering::heuristic_candidates(r.arch, r.problem));
  }
};

}  // namespace

void register_mapper_heuristic(MapperRegistry& r) {
  r.add("heuristic", [] { return std::make_unique<HeuristicMapper>(); });
}

}  // namespace systole
