// A GEMM layer's tiling and emission through the mapper registry (compiler/mapper.h), and, on a
// multi-core NPU, the core's share of it (compiler/partition.h).
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/compiler.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/mapper.h"
#include "systole/compiler/operator_lowering.h"
#include "systole/compiler/partition.h"

namespace systole {
namespace lowering {

namespace {

// The mapping file's tiling of the layer being compiled, or nullptr.
const UserTiling* user_tiling(const LoweringContext& ctx) {
  if (ctx.mapping == nullptr) return nullptr;
  const auto it = ctx.mapping->layers.find(ctx.layer.name);
  return it != ctx.mapping->layers.end() ? &it->second : nullptr;
}

// A layer the mapping file names is the file mapper's; every other one the search mapper's.
std::string mapper_of(const LoweringContext& ctx) {
  return user_tiling(ctx) != nullptr ? "file" : to_string(ctx.arch.compiler.mapper);
}

TileChoice map_whole(const LoweringContext& ctx, const GemmProblem& p) {
  const MapperRequest request{ctx.arch,
                              ctx.buffers,
                              p,
                              ctx.eb,
                              ctx.sb->remaining(),
                              ctx.arch.compiler.objective,
                              ctx.prices,
                              user_tiling(ctx),
                              ctx.mapping,
                              to_string(ctx.layer.kind)};
  return mappers().get(mapper_of(ctx)).map(request);
}

std::string join_estimate(const std::string& so_far, const std::string& item) {
  return so_far.empty() ? item : so_far + ", " + item;
}

// The context of the first core of class k (compiler/partition.h CoreShare): its spec and scratchpad
// plan, for estimating and tiling that class's shares.
LoweringContext class_context(const LoweringContext& ctx, int k) {
  const CoreShare& s = *ctx.share;
  if (s.class_arch.empty()) return ctx;
  return LoweringContext{*s.class_arch[static_cast<size_t>(k)],
                         ctx.net,
                         ctx.layer,
                         ctx.index,
                         ctx.plan,
                         *s.class_buffers[static_cast<size_t>(k)],
                         ctx.eb,
                         ctx.fused,
                         ctx.sb,
                         ctx.rec,
                         ctx.mapping,
                         s.class_prices.empty() ? ctx.prices : s.class_prices[static_cast<size_t>(k)],
                         ctx.share};
}

// A heterogeneous NPU's share weights for `split`: each class's estimated speed on this layer,
// units per estimated cycle of a probe share (its first core's share when dealt by PEs, else one
// unit), scaled so that the fastest class weighs 10^6. A compute-bound layer gets weights near
// the PEs, a DRAM-bound one (an fc layer streaming its weights) near-equal weights. The PE
// weights themselves when the cores are alike or a probe does not fit.
std::vector<int64_t> speed_weights(const LoweringContext& ctx, const GemmProblem& p, const GemmSplit& split) {
  const CoreShare& s = *ctx.share;
  if (s.class_arch.size() <= 1) return s.gemm_weights;
  const int64_t extent = extent_of(p, split.axis);
  std::vector<double> rate(s.class_arch.size(), 0.0);
  for (size_t k = 0; k < rate.size(); ++k) {
    const auto c = static_cast<int64_t>(
        std::find(s.core_class.begin(), s.core_class.end(), static_cast<int>(k)) - s.core_class.begin());
    auto [b, e] = s.range(extent, split.granule, c);
    if (b == e) b = 0, e = std::min(extent, split.granule);
    GemmProblem probe = slice_problem(p, split.axis, b, e);
    try {
      const TileChoice t = map_whole(class_context(ctx, static_cast<int>(k)), probe);
      const double units = std::ceil(static_cast<double>(e - b) / static_cast<double>(split.granule));
      rate[k] = units / static_cast<double>(std::max<int64_t>(1, t.cycles));
    } catch (const ConfigError&) {
      return s.gemm_weights;
    } catch (const BudgetExceeded&) {
      return s.gemm_weights;
    }
  }
  const double fastest = *std::max_element(rate.begin(), rate.end());
  std::vector<int64_t> w;
  for (int64_t c = 0; c < s.cores; ++c) {
    w.push_back(std::max<int64_t>(1, std::llround(1e6 * rate[static_cast<size_t>(s.class_of(c))] / fastest)));
  }
  return w;
}

// Estimated cycles of a layer split by one strategy: the slowest core's estimate against the DRAM
// time of every core's bytes (the cores share the DRAM). nullopt when a share does not fit.
std::optional<int64_t> split_cost(const LoweringContext& ctx, const GemmProblem& p, const GemmSplit& split) {
  CoreShare s = *ctx.share;  // with this split's weights
  s.gemm_weights = speed_weights(ctx, p, split);
  const double bpc = ctx.arch.dram.planning_bandwidth_gbps() * 1000.0 / ctx.arch.core.clock_mhz;
  int64_t worst = 0;
  double bytes = 0.0;
  // Shares of one size on cores of one class cost about the same (a convolution's bands differ
  // only by the halo rows at image edges; every band's tile must fit the same scratchpads:
  // share_problem).
  std::map<std::pair<int, int64_t>, TileChoice> by_size;
  for (int64_t c = 0; c < s.cores; ++c) {
    const auto [b, e] = s.range(extent_of(p, split.axis), split.granule, c);
    if (b == e) continue;
    const int k = s.class_of(c);
    auto it = by_size.find({k, e - b});
    if (it == by_size.end()) {
      try {
        it = by_size
                 .emplace(std::make_pair(k, e - b),
                          map_whole(class_context(ctx, k), share_problem(p, split, s, c)))
                 .first;
      } catch (const ConfigError&) {
        return std::nullopt;
      } catch (const BudgetExceeded&) {
        return std::nullopt;
      }
    }
    worst = std::max(worst, it->second.cycles);
    bytes += static_cast<double>(it->second.dram_bytes);
  }
  return std::max(worst, bpc > 0 ? static_cast<int64_t>(std::ceil(bytes / bpc)) : int64_t{0});
}

// Decides, once per layer (the first core to ask), how the cores share GEMM problem p: the
// strategy compiler.partition names, or under auto the cheapest by split_cost (ties: registration
// order). A named strategy that cannot split p falls back to auto, saying so; when none can, core
// 0 computes the layer alone.
void decide_split(const LoweringContext& ctx, const GemmProblem& p) {
  CoreShare& s = *ctx.share;
  if (s.decided) return;
  s.decided = true;
  std::string prefix;
  std::vector<std::string> names;
  if (s.choice != PartitionChoice::kAuto) {
    std::string why;
    if (partitions().get(to_string(s.choice)).split(p, ctx.arch, s.cores, &why)) {
      names.push_back(to_string(s.choice));
    } else {
      prefix = fmt::format("{} cannot split it ({}); ", to_string(s.choice), why);
    }
  }
  if (names.empty()) names = partitions().names();
  std::optional<std::pair<std::string, GemmSplit>> best;
  int64_t best_cost = 0;
  std::string estimates;
  for (const std::string& name : names) {
    std::string why;
    const std::optional<GemmSplit> split = partitions().get(name).split(p, ctx.arch, s.cores, &why);
    if (!split) {
      estimates = join_estimate(estimates, fmt::format("{}: {}", name, why));
      continue;
    }
    const std::optional<int64_t> cost = names.size() > 1 ? split_cost(ctx, p, *split) : int64_t{0};
    if (!cost) {
      estimates = join_estimate(estimates, name + ": a share does not fit");
      continue;
    }
    if (names.size() > 1) estimates = join_estimate(estimates, fmt::format("{} ~{} cycles", name, *cost));
    if (!best || *cost < best_cost) {
      best = std::make_pair(name, *split);
      best_cost = *cost;
    }
  }
  if (!best) {
    s.strategy = "core0";
    s.reason = prefix + "no strategy can split it (" + estimates + "): core 0 computes it alone";
    return;
  }
  const GemmSplit& split = best->second;
  s.split = split;
  s.gemm_weights = speed_weights(ctx, p, split);
  s.strategy = best->first;
  s.reason = prefix + (names.size() > 1 ? fmt::format("the cheapest estimate ({})", estimates)
                                        : fmt::format("{} says {}", s.choice_source, best->first));
  s.reason +=
      fmt::format("; {} = {} dealt out in {}", to_string(split.axis), extent_of(p, split.axis), split.unit);
  if (s.class_arch.size() > 1) {  // heterogeneous: the weights, relative to core 0's
    std::string w;
    for (int64_t c = 1; c < s.cores; ++c) {
      if (s.class_of(c) == s.class_of(c - 1)) continue;
      w += fmt::format("{}core {} {:.2f}", w.empty() ? "" : ", ", c,
                       static_cast<double>(s.gemm_weights[static_cast<size_t>(c)]) /
                           static_cast<double>(s.gemm_weights[0]));
    }
    s.reason += " in proportion to each core's estimated speed on this layer, relative to core 0 (" + w + ")";
  }
  for (int64_t c = 0; c < s.cores; ++c) {
    const auto [b, e] = s.range(extent_of(p, split.axis), split.granule, c);
    s.ranges.push_back(b == e ? std::string("none") : fmt::format("{}-{}", b, e - 1));
  }
}

// This core's share of GEMM p (p itself with one core, or when core 0 computes the layer alone).
GemmProblem core_problem(const LoweringContext& ctx, const GemmProblem& p) {
  if (ctx.share == nullptr || p.sliced) return p;
  decide_split(ctx, p);
  CoreShare& s = *ctx.share;
  if (!s.split) return p;
  s.used = true;
  return share_problem(p, *s.split, s, s.core);
}

bool empty_problem(const GemmProblem& p) {
  return p.m == 0 || p.n == 0 || p.gemms == 0;
}

}  // namespace

TileChoice map_gemm(const LoweringContext& ctx, const GemmProblem& p) {
  const GemmProblem q = core_problem(ctx, p);
  if (empty_problem(q)) return TileChoice{};
  // Every core tiles its share as the first core of its class tiled its own (the largest of the
  // class): one search per class and layer (and, on cores alike, one weight layout in DRAM: a
  // convolution's channel block follows the k tile).
  const int k = ctx.share != nullptr ? ctx.share->class_of(ctx.share->core) : 0;
  if (ctx.share != nullptr) {
    const auto it = ctx.share->tilings.find(k);
    if (it != ctx.share->tilings.end()) return it->second;
  }
  TileChoice t = map_whole(ctx, q);
  if (ctx.share != nullptr && ctx.share->split) ctx.share->tilings[k] = t;
  return t;
}

void emit_gemm_layer(LoweringContext& ctx, const GemmProblem& p) {
  emit_gemm_layer(ctx, p, map_gemm(ctx, p));
}

void emit_gemm_layer(LoweringContext& ctx, const GemmProblem& whole, const TileChoice& t) {
  const GemmProblem p = core_problem(ctx, whole);
  MappingRecord& rec = *ctx.rec;
  rec.mapper = mapper_of(ctx);
  rec.objective = to_string(ctx.arch.compiler.objective);
  rec.dataflow = to_string(ctx.arch.core.array.dataflow);
  rec.gemm_m = whole.m, rec.gemm_n = whole.n, rec.gemm_k = whole.k, rec.groups = whole.groups;
  rec.tile_m = t.tm, rec.tile_n = t.tn, rec.tile_k = t.tk;
  rec.loop_order = std::string(whole.gemms > 1 ? "g," : "") + (t.m_outer ? "m,n,k" : "n,m,k");
  rec.estimated_dram_bytes = t.dram_bytes;
  rec.reason = t.reason;
  rec.weights_kn = p.is_conv && p.layouts.weights_kn;
  rec.conv_k_block = p.is_conv ? p.conv.channel_block : 0;
  rec.layouts = layouts_text(p);
  for (const TileChoice& c : t.ranked) {
    rec.ranked.push_back({c.tm, c.tn, c.tk,
                          std::string(whole.gemms > 1 ? "g," : "") + (c.m_outer ? "m,n,k" : "n,m,k"),
                          c.cycles, c.dram_bytes, c.cost, c.energy_pj, c.score});
  }
  if (empty_problem(p)) return;  // a core the layer's split leaves nothing
  emit_gemm(ctx.arch, ctx.buffers, p, t, ctx.fused, ctx.sb, &rec);
}

}  // namespace lowering
}  // namespace systole
