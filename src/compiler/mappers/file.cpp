// file: the tiling a user's mapping file gives this layer (`--mapping`, compiler/user_mapping.h),
// checked against the GEMM and the scratchpads, scored by the same estimate, and ranked first;
// the configured search mapper's (compiler.mapper) best tilings follow it for comparison. A
// tiling that does not fit is a ConfigError naming the file's line and key. Layers the file does
// not name never reach this mapper: the compiler maps them with compiler.mapper.
#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/mapper.h"

namespace systole {
namespace {

using lowering::TileChoice;

class FileMapper final : public IMapper {
 public:
  TileChoice map(const MapperRequest& r) const override {
    if (r.user == nullptr || r.mapping == nullptr) {
      throw InternalError("the file mapper was asked for layer '" + r.problem.name + "' without its tiling");
    }
    const lowering::GemmProblem& p = r.problem;
    const UserTiling& u = *r.user;
    const std::string& file = r.mapping->path;
    const std::string key = "layers." + p.name + ".tile";
    const std::string value = fmt::format("[{}, {}, {}]", u.tm, u.tn, u.tk);
    auto fail = [&](const std::string& rule) {
      throw ConfigError(Diagnostic{file, u.line, key, value, rule});
    };
    if (u.tm > p.m || u.tn > p.n || u.tk > p.k) {
      fail(fmt::format("layer '{}' ({}) is a GEMM of m={} n={} k={}: each tile size must be at most that",
                       p.name, r.layer_kind, p.m, p.n, p.k));
    }
    const lowering::TileFootprint f = lowering::tile_footprint(p, r.eb, u.tm, u.tn, u.tk);
    const lowering::RoleBytes need{f.ifmap, f.weight, f.ofmap};
    for (const Buffer b : kOperandRoles) {
      if (const int64_t short_by = r.buffers.shortfall(b, need); short_by > 0) {
        fail(fmt::format(
            "does not fit: its ifmap, weight and ofmap tiles need {} B, {} B and {} B a half, "
            "double-buffered, {} B more than the {} holds ({})",
            f.ifmap, f.weight, f.ofmap, short_by, r.buffers.describe(b), r.buffers.capacity_key(b)));
      }
    }
    TileChoice t = lowering::search_tilings(r, {}, &u);
    t.reason = fmt::format("tiling from the mapping file {} (line {}); {}", file, u.line, t.reason);
    // The search's own best, for comparison; it may have nothing (the user's tile can be smaller
    // than the smallest tile the search considers).
    std::vector<TileChoice> ranked{t.ranked.empty() ? t : t.ranked.front()};
    try {
      MapperRequest search = r;
      search.user = nullptr;
      for (TileChoice& c : mappers().get(to_string(r.arch.compiler.mapper)).map(search).ranked) {
        const TileChoice& first = ranked.front();
        if (c.tm == first.tm && c.tn == first.tn && c.tk == first.tk && c.m_outer == first.m_outer) continue;
        if (ranked.size() < kRankedTilings) ranked.push_back(std::move(c));
      }
    } catch (const ConfigError&) {
    } catch (const lowering::BudgetExceeded&) {
    }
    t.ranked = std::move(ranked);
    return t;
  }
};

}  // namespace

void register_mapper_file(MapperRegistry& r) {
  r.add("file", [] { return std::make_unique<FileMapper>(); });
}

}  // namespace systole
