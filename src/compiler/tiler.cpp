// Tile choice. Candidate sizes per GEMM dimension follow the dataflow's fold shape: the array-row
// and array-column dimensions (Sr, Sc) take multiples of R and C (or the full dimension), the
// streaming dimension T any length down to 1. A candidate (tm, tn, tk) must fit double-buffered:
//   2 * ifmap_tile_bytes <= ifmap capacity, 2 * weight_tile_bytes <= weight capacity,
//   2 * tm * tn * accumulator_bytes <= ofmap capacity.
// Among fitting candidates and the two loop orders (m,n,k / n,m,k; k innermost so partial sums
// never leave the ofmap scratchpad) each tiling is estimated:
//   cost = max(sum over tiles of tile_timing cycles, DRAM bytes / DRAM bytes-per-cycle)
//   energy = the closed form of compiler.h EnergyPrices
// and ranked by the objective's score (cost, energy or energy x cost); ties go to lower cost, fewer
// DRAM bytes, then larger tiles, then smaller (tm, tn, tk, order). The candidate sizes are the
// mapper's (heuristic_candidates, exhaustive_candidates; compiler/mapper.h).
// DRAM bytes follow the emitter's reuse rule: each operand buffer has two halves, and a tile whose
// operand is already in a half is not reloaded (LRU over the two halves).
// The search is bounded whatever the shape: the heuristic tries at most ~70 candidates per
// dimension (powers of two, the dimension over 1..8), the exhaustive mapper at most
// kMaxExhaustiveTilings tilings (counted before any list is built), and tilings whose instruction estimate
// exceeds the instructions left under kMaxProgramInstructions are skipped before their m and k tiles are
// walked; the estimate itself saturates instead of overflowing.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/buffer_plan.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/mapper.h"

namespace systole {
namespace lowering {
namespace {

// Inserts a, 2a, 4a, ... below d (no doubling past d: d may be close to 2^63).
void insert_doublings(std::set<int64_t>* s, int64_t a, int64_t d) {
  for (int64_t v = a; v < d; v *= 2) {
    s->insert(v);
    if (v > d / 2) break;
  }
}

std::vector<int64_t> array_candidates(int64_t d, int64_t a) {
  std::set<int64_t> s{d};
  if (d > a) {
    insert_doublings(&s, a, d);
    for (int64_t q = 2; q <= 8; ++q) {
      const int64_t v = ceil_div(ceil_div(d, q), a) * a;
      if (v < d) s.insert(v);
    }
  }
  return {s.begin(), s.end()};
}

std::vector<int64_t> stream_candidates(int64_t d) {
  std::set<int64_t> s{d};
  for (int64_t q = 2; q <= 8; ++q) s.insert(ceil_div(d, q));
  insert_doublings(&s, 1, d);
  return {s.begin(), s.end()};
}

// Runs of equal tiles along one dimension: full tiles then the remainder. For the streaming
// dimension under SCALE-Sim counting the first and last chunk are kept apart (they carry the
// fold's preload and fill/drain).
struct Run {
  int64_t size = 0, count = 0;
  bool first = true, last = true;
};
std::vector<Run> runs(int64_t d, int64_t t, bool positional) {
  const int64_t n = ceil_div(d, t), rem = d - (n - 1) * t;
  std::vector<Run> out;
  if (!positional) {
    if (n > 1) out.push_back({t, n - 1, true, true});
    out.push_back({rem, 1, true, true});
    return out;
  }
  if (n == 1) return {{d, 1, true, true}};
  out.push_back({t, 1, true, false});
  if (n > 2) out.push_back({t, n - 2, false, false});
  out.push_back({rem, 1, false, true});
  return out;
}

// Conv ifmap rows over the m tiles of size tm: the largest tile's input rows and their sum.
struct RowStats {
  int64_t max_rows = 0, sum_rows = 0;
};
// The input rows conv_segments(g, m0, m1) fetches, summed, without building the segments.
int64_t conv_tile_rows(const ConvGeometry& g, int64_t m0, int64_t m1) {
  const ConvTileGeometry t = conv_tile(g, m0, 0);
  const int64_t plane = g.ho * g.wo;
  int64_t rows = 0;
  for (int64_t m = m0; m < m1;) {
    const int64_t pix0 = m % plane, pix1 = std::min(plane, pix0 + (m1 - m));
    m += pix1 - pix0;
    int64_t row0 = 0, n = 0;
    conv_input_rows(t, pix0 / g.wo, (pix1 - 1) / g.wo, &row0, &n);
    rows += n;
  }
  return rows;
}
// Walks the ceil(m / tm) tiles of rows [begin, begin + m), each over the images it touches:
// O(m / tm + batch) steps; the caller bounds both by the instruction budget.
// `max_tiles` walks only the first tiles: then max_rows is a lower bound of the true maximum.
RowStats conv_row_stats(const ConvGeometry& g, int64_t begin, int64_t m, int64_t tm,
                        int64_t max_tiles = kSaturated) {
  RowStats st;
  for (int64_t m0 = 0, i = 0; m0 < m && i < max_tiles; m0 += tm, ++i) {
    const int64_t rows = conv_tile_rows(g, begin + m0, begin + std::min(m, m0 + tm));
    st.max_rows = std::max(st.max_rows, rows);
    st.sum_rows = sat_add(st.sum_rows, rows);
    if (m0 > m - tm) break;  // the last tile (m0 + tm would overflow near 2^63)
  }
  return st;
}
// The row statistics of problem p's m tiles of size tm, at their own rows (from m_begin): the sum
// over p's tiles, and the largest tile over p's and, for a convolution split among cores, over
// every core's band (GemmProblem::m_bands: one tiling serves them all).
RowStats band_row_stats(const GemmProblem& p, int64_t tm, int64_t max_tiles = kSaturated) {
  RowStats st = conv_row_stats(p.conv, p.m_begin, p.m, tm, max_tiles);
  for (const auto& [begin, m] : p.m_bands) {
    if (begin != p.m_begin)
      st.max_rows = std::max(st.max_rows, conv_row_stats(p.conv, begin, m, tm, max_tiles).max_rows);
  }
  return st;
}
struct PlaneStats {
  int64_t max_planes = 0, sum_planes = 0;
};
PlaneStats conv_plane_stats(const ConvGeometry& g, int64_t k, int64_t tk, int64_t max_tiles = kSaturated) {
  PlaneStats st;
  for (int64_t k0 = 0, i = 0; k0 < k && i < max_tiles; k0 += tk, ++i) {
    int64_t c0 = 0, cnt = 0;
    conv_planes(g, k0, std::min(k, k0 + tk), &c0, &cnt);
    st.max_planes = std::max(st.max_planes, cnt);
    st.sum_planes = sat_add(st.sum_planes, cnt);
    if (k0 > k - tk) break;
  }
  return st;
}

}  // namespace

TileFootprint tile_footprint(const GemmProblem& p, const ElementBytes& eb, int64_t tm, int64_t tn,
                             int64_t tk) {
  TileFootprint f;
  if (p.is_conv) {
    f.ifmap =
        sat_mul(sat_mul(sat_mul(band_row_stats(p, tm).max_rows, conv_plane_stats(p.conv, p.k, tk).max_planes),
                        p.conv.w),
                p.a.elem_bytes);
  } else {
    f.ifmap = sat_mul(sat_mul(tm, tk), p.a.elem_bytes);
  }
  f.weight = sat_mul(sat_mul(tk, tn), p.b.elem_bytes);
  f.ofmap = sat_mul(sat_mul(tm, tn), eb.acc);
  return f;
}

int64_t gemm_instructions(const GemmProblem& p, int64_t tm, int64_t tn, int64_t tk, int64_t ifmap_reload,
                          int64_t weight_reload) {
  const int64_t mt = ceil_div(p.m, tm), nt = ceil_div(p.n, tn), kt = ceil_div(p.k, tk);
  const int64_t segments = p.is_conv ? sat_add(mt, p.conv.batch - 1) : mt;
  const int64_t out_tiles = sat_mul(sat_mul(p.gemms, mt), nt);
  const int64_t matmuls = sat_mul(out_tiles, kt);
  const int64_t ifmap = sat_mul(sat_mul(sat_mul(p.gemms, kt), ifmap_reload), segments);
  const int64_t weight = sat_mul(sat_mul(sat_mul(p.gemms, nt), kt), weight_reload);
  const int64_t stores = sat_mul(sat_mul(p.gemms, nt), segments);
  return sat_add(sat_add(sat_add(sat_add(sat_add(matmuls, ifmap), weight), stores), out_tiles), 1);
}

int64_t TileCandidates::tilings() const {
  return sat_mul(sat_mul(sat_mul(static_cast<int64_t>(m.size()), static_cast<int64_t>(n.size())),
                         static_cast<int64_t>(k.size())),
                 2);
}

namespace {

// Per GEMM dimension: its array extent (0 = streaming) per the dataflow's mapping.
struct Extents {
  int64_t m = 0, n = 0, k = 0;
};
Extents array_extents(const ArchSpec& arch) {
  const auto& ar = arch.core.array;
  const DataflowModel& model = dataflow_model(ar.dataflow);
  return {model.array_extent(GemmDim::kM, ar.rows, ar.cols),
          model.array_extent(GemmDim::kN, ar.rows, ar.cols),
          model.array_extent(GemmDim::kK, ar.rows, ar.cols)};
}

// Exhaustive sizes of one dimension: how many (without building them), then the list.
int64_t exhaustive_count_bound(int64_t d, int64_t a) {
  return a > 0 ? (d - 1) / a + 1 : d;  // multiples below d and d (divisors come on top)
}
std::vector<int64_t> exhaustive_sizes(int64_t d, int64_t a) {
  if (a == 0) {
    std::vector<int64_t> all(static_cast<size_t>(d));
    for (int64_t i = 0; i < d; ++i) all[static_cast<size_t>(i)] = i + 1;
    return all;
  }
  std::set<int64_t> s{d};
  for (int64_t v = a; v < d; v += a) s.insert(v);
  // Divisors of d of at least a: tiles without a remainder. d <= a * 2^20 here, so the loop
  // takes at most sqrt(2^32) steps.
  for (int64_t q = 1; q <= d / q; ++q) {
    if (d % q != 0) continue;
    if (q >= a) s.insert(q);
    if (d / q >= a) s.insert(d / q);
  }
  return {s.begin(), s.end()};
}

}  // namespace

TileCandidates heuristic_candidates(const ArchSpec& arch, const GemmProblem& p) {
  const Extents a = array_extents(arch);
  auto cands = [](int64_t d, int64_t ext) {
    return ext > 0 ? array_candidates(d, ext) : stream_candidates(d);
  };
  TileCandidates c{cands(p.m, a.m), cands(p.n, a.n), cands(p.k, a.k), {}};
  // A conv whose dataflow prefers channel-last ifmap tiles takes them only when its k tile is a
  // whole block of b channels, b dividing C / groups (src/ops/conv2d.cpp). With the direct
  // feeder, whose bank conflicts the estimate does not see, its k tiles are only those, of at
  // least one fold (b * kh * kw >= the array's k extent; at most O(sqrt(C)) of them), and the
  // other sizes only when no tiling of those fits (k_fallback); the staged feeder reads any
  // layout at port bandwidth, so it keeps every candidate.
  const auto& ar = arch.core.array;
  const ConvLayouts layouts = conv_layouts(ar.dataflow, ar.scalesim_compat);
  if (p.is_conv && layouts.ifmap_channel_last && p.conv.kh * p.conv.kw > 1 &&
      ar.operand_feeder == OperandFeeder::kDirect) {
    const int64_t window = p.conv.kh * p.conv.kw, cpg = p.conv.c / p.conv.groups;
    std::set<int64_t> k;
    for (int64_t q = 1; q <= cpg / q; ++q) {
      if (cpg % q != 0) continue;
      for (int64_t b : {q, cpg / q}) {
        if (b * window >= std::min(a.k, p.k)) k.insert(b * window);
      }
    }
    c.k_fallback = std::move(c.k);
    c.k.assign(k.begin(), k.end());
  }
  return c;
}

TileCandidates exhaustive_candidates(const ArchSpec& arch, const GemmProblem& p) {
  const Extents a = array_extents(arch);
  // Refused from the counts before any list is built (a streaming dimension may be 2^40 long).
  auto refuse = [&](const std::string& count) {
    const KeyOrigin at = arch.origin_of("compiler.mapper");
    throw ConfigError(Diagnostic{
        at.file, at.line, "compiler.mapper", "exhaustive",
        fmt::format("layer '{}' (GEMM m={} n={} k={}) has {} candidate tilings (tile sizes of m, n and k x 2 "
                    "loop orders), more than the exhaustive search's bound of {} (docs/compiler.md "
                    "\"Tiling\"); use compiler.mapper: heuristic, or a mapping file for this layer",
                    p.name, p.m, p.n, p.k, count, kMaxExhaustiveTilings)});
  };
  const int64_t lower =
      sat_mul(sat_mul(sat_mul(exhaustive_count_bound(p.m, a.m), exhaustive_count_bound(p.n, a.n)),
                      exhaustive_count_bound(p.k, a.k)),
              2);
  if (lower > kMaxExhaustiveTilings) {
    refuse(lower == kSaturated ? std::string("more than 2^63") : fmt::format("at least {}", lower));
  }
  TileCandidates c{exhaustive_sizes(p.m, a.m), exhaustive_sizes(p.n, a.n), exhaustive_sizes(p.k, a.k), {}};
  if (c.tilings() > kMaxExhaustiveTilings) {
    refuse(fmt::format("{} ({} x {} x {} sizes x 2)", c.tilings(), c.m.size(), c.n.size(), c.k.size()));
  }
  return c;
}

TileChoice search_tilings(const MapperRequest& r, const TileCandidates& c, const UserTiling* only) {
  const ArchSpec& arch = r.arch;
  const GemmProblem& p = r.problem;
  const ElementBytes& eb = r.eb;
  const int64_t max_instructions = r.max_instructions;
  const auto& ar = arch.core.array;
  const ArrayGeometry geo{ar.rows, ar.cols, ar.microarch};
  const bool compat = ar.microarch.scalesim_counting;
  const BufferPlan& buf = r.buffers;
  const Dataflow df = ar.dataflow;
  if (r.objective != MappingObjective::kCycles && r.prices == nullptr) {
    throw InternalError(fmt::format("the mapping objective {} needs the energy table's prices (layer '{}')",
                                    to_string(r.objective), p.name));
  }
  const EnergyPrices prices = r.prices != nullptr ? *r.prices : EnergyPrices{};

  const Extents ext = array_extents(arch);
  const int64_t am = ext.m, an = ext.n, ak = ext.k;
  // The candidates of each dimension; with `only`, its one tile size.
  const std::vector<int64_t> cm = only != nullptr ? std::vector<int64_t>{only->tm} : c.m;
  const std::vector<int64_t> cn = only != nullptr ? std::vector<int64_t>{only->tn} : c.n;
  const std::vector<int64_t> ck = only != nullptr ? std::vector<int64_t>{only->tk} : c.k;
  auto minimum = [](int64_t d, int64_t a) { return a > 0 ? std::min(d, a) : int64_t{1}; };

  // Every image of a convolution gets at least one STORE per GEMM, whatever the tiling (and the
  // tile walk below takes O(batch) steps per candidate).
  if (p.is_conv && sat_mul(p.gemms, p.conv.batch) > max_instructions) {
    throw BudgetExceeded{
        sat_mul(p.gemms, p.conv.batch),
        fmt::format("at least one STORE per image and group: batch {} x groups {}", p.conv.batch, p.gemms)};
  }

  // The smallest legal tile: one fold at streaming length 1. A conv's ifmap footprint walks its m
  // and k tiles; when there are more than the budget (no such tiling can be emitted) only a prefix
  // is walked, and the search below skips such tilings anyway. (A user's tiling was checked by
  // its caller.)
  if (only == nullptr) {
    const int64_t tm = minimum(p.m, am), tn = minimum(p.n, an), tk = minimum(p.k, ak);
    const bool walkable =
        !p.is_conv || (ceil_div(p.m, tm) <= max_instructions && ceil_div(p.k, tk) <= max_instructions);
    TileFootprint f;
    if (walkable) {
      f = tile_footprint(p, eb, tm, tn, tk);
    } else {
      // Too many tiles to walk: the first kPrefixTiles give a lower bound of the largest ifmap
      // tile, which is enough to refuse a conv whose input rows can never fit (e.g. W = 2^31).
      constexpr int64_t kPrefixTiles = 4096;
      f.ifmap = sat_mul(sat_mul(sat_mul(band_row_stats(p, tm, kPrefixTiles).max_rows,
                                        conv_plane_stats(p.conv, p.k, tk, kPrefixTiles).max_planes),
                                p.conv.w),
                        p.a.elem_bytes);
      f.weight = sat_mul(sat_mul(tk, tn), p.b.elem_bytes);
      f.ofmap = sat_mul(sat_mul(tm, tn), eb.acc);
    }
    DiagnosticList errs;
    const RoleBytes need{f.ifmap, f.weight, f.ofmap};
    std::set<std::string> reported;  // one diagnostic per scratchpad
    for (const Buffer b : kOperandRoles) {
      const int64_t short_by = buf.shortfall(b, need);
      if (short_by == 0 || !reported.insert(buf.capacity_key(b)).second) continue;
      const KeyOrigin where = arch.origin_of(buf.capacity_key(b));
      std::string what;
      if (!buf.shared(b)) {
        what = fmt::format("layer '{}' needs {} bytes in the {} scratchpad: 2 x {} B (double-buffered)",
                           p.name, sat_mul(2, need[index_of(b)]), to_string(b), need[index_of(b)]);
      } else {
        what = fmt::format(
            "layer '{}' needs {} bytes more than the {} holds: {} (each double-buffered and "
            "rounded up to the bank row)",
            p.name, short_by, buf.describe(b), buf.usage(b, need));
      }
      errs.add({where.file, where.line, buf.capacity_key(b), std::to_string(buf.capacity_kib(b)),
                fmt::format("{} for its smallest legal tile m={} n={} k={} (one {}x{} {} fold at streaming "
                            "length 1)",
                            what, tm, tn, tk, ar.rows, ar.cols, to_string(df))});
    }
    if (!errs.empty()) throw ConfigError(errs.take());
  }

  // DRAM bytes per core cycle for the estimate (0: unbounded).
  const double bytes_per_cycle = arch.dram.planning_bandwidth_gbps() * 1000.0 / arch.core.clock_mhz;
  std::map<int64_t, RowStats> row_cache;
  std::map<int64_t, PlaneStats> plane_cache;
  auto rows_of = [&](int64_t tm) {
    auto it = row_cache.find(tm);
    if (it == row_cache.end()) it = row_cache.emplace(tm, band_row_stats(p, tm)).first;
    return it->second;
  };
  auto planes_of = [&](int64_t tk) {
    auto it = plane_cache.find(tk);
    if (it == plane_cache.end()) it = plane_cache.emplace(tk, conv_plane_stats(p.conv, p.k, tk)).first;
    return it->second;
  };

  bool found = false;
  TileChoice best;
  int64_t scored = 0;
  using Key = std::tuple<double, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int>;
  Key best_key;
  std::vector<std::pair<Key, TileChoice>> ranked;  // the best kRankedTilings, best first
  int64_t fewest_over = kSaturated;                // fewest instructions of a tiling skipped for the budget
  for (int64_t tm : cm) {
    for (int64_t tn : cn) {
      for (int64_t tk : ck) {
        // O(1) checks first: the weight and ofmap tiles (and a matmul's ifmap tile) must fit, and the
        // fewest instructions this tiling can take (no operand reloaded) must be within the budget.
        // Only then are a conv's m and k tiles walked for its ifmap footprint.
        const int64_t w_tile = sat_mul(sat_mul(tk, tn), p.b.elem_bytes);
        const int64_t of_tile = sat_mul(sat_mul(tm, tn), eb.acc);
        if (!buf.fits({p.is_conv ? 0 : sat_mul(sat_mul(tm, tk), p.a.elem_bytes), w_tile, of_tile})) continue;
        const int64_t least = gemm_instructions(p, tm, tn, tk, 1, 1);
        if (least > max_instructions) {
          fewest_over = std::min(fewest_over, least);
          continue;
        }
        int64_t if_tile = 0, if_total = 0;
        if (p.is_conv) {
          const RowStats rs = rows_of(tm);
          const PlaneStats ps = planes_of(tk);
          if_tile = sat_mul(sat_mul(sat_mul(rs.max_rows, ps.max_planes), p.conv.w), p.a.elem_bytes);
          if_total = sat_mul(sat_mul(sat_mul(sat_mul(rs.sum_rows, ps.sum_planes), p.conv.w), p.a.elem_bytes),
                             p.gemms);
        } else {
          if_tile = sat_mul(sat_mul(tm, tk), p.a.elem_bytes);
          if_total = sat_mul(sat_mul(sat_mul(p.m, p.k), p.a.elem_bytes), p.gemms);
        }
        if (!buf.fits({if_tile, w_tile, of_tile})) continue;
        int64_t cycles = 0;
        // Scratchpad bytes the array moves (tile_traffic): operand reads, partial-sum reads and
        // writes; the accumulate of k tiles after the first is added below.
        double array_spm_pj = 0.0;
        for (const Run& rm : runs(p.m, tm, compat && am == 0)) {
          for (const Run& rn : runs(p.n, tn, compat && an == 0)) {
            for (const Run& rk : runs(p.k, tk, compat && ak == 0)) {
              MatmulOp op;
              op.dataflow = df;
              op.m = static_cast<uint64_t>(rm.size);
              op.n = static_cast<uint64_t>(rn.size);
              op.k = static_cast<uint64_t>(rk.size);
              op.stream_first = rm.first && rn.first && rk.first;
              op.stream_last = rm.last && rn.last && rk.last;
              const int64_t count = sat_mul(sat_mul(rm.count, rn.count), rk.count);
              cycles = sat_add(cycles, sat_mul(count, static_cast<int64_t>(tile_timing(geo, op).cycles)));
              if (r.prices != nullptr) {
                const TileTraffic t = tile_traffic(geo, op);
                array_spm_pj +=
                    static_cast<double>(count) *
                    (static_cast<double>(t.ifmap_reads * p.a.elem_bytes) * prices.read_pj_per_byte[0] +
                     static_cast<double>(t.weight_reads * p.b.elem_bytes) * prices.read_pj_per_byte[1] +
                     static_cast<double>(t.ofmap_reads * eb.acc) * prices.read_pj_per_byte[2] +
                     static_cast<double>(t.ofmap_writes * eb.acc) * prices.write_pj_per_byte[2]);
              }
            }
          }
        }
        cycles = sat_mul(cycles, p.gemms) - (compat ? 1 : 0);
        const int64_t mt = ceil_div(p.m, tm), nt = ceil_div(p.n, tn), kt = ceil_div(p.k, tk);
        const int64_t w_total = sat_mul(sat_mul(sat_mul(p.k, p.n), p.b.elem_bytes), p.gemms);
        const int64_t out_total = sat_mul(sat_mul(sat_mul(p.m, p.n), p.out.elem_bytes), p.gemms);
        // Energy that does not depend on the loop order: MACs, the array's scratchpad traffic, the
        // partial sums the k tiles after the first read back ((kt - 1) x M x N per GEMM), and the
        // accumulators the STOREs read (M x N per GEMM).
        const double gemm_mn =
            static_cast<double>(p.m) * static_cast<double>(p.n) * static_cast<double>(p.gemms);
        const double on_chip_pj =
            static_cast<double>(p.m) * static_cast<double>(p.n) * static_cast<double>(p.k) *
                static_cast<double>(p.gemms) * prices.mac_pj +
            static_cast<double>(p.gemms) * array_spm_pj +
            static_cast<double>(kt) * gemm_mn * static_cast<double>(eb.acc) * prices.read_pj_per_byte[2];
        for (int order = 0; order < 2; ++order) {
          const bool m_outer = order == 0;
          if (only != nullptr && only->m_outer && *only->m_outer != m_outer) continue;
          const int64_t if_reload = m_outer ? (kt <= 2 ? 1 : nt) : (sat_mul(mt, kt) <= 2 ? 1 : nt);
          const int64_t w_reload = m_outer ? (sat_mul(nt, kt) <= 2 ? 1 : mt) : (kt <= 2 ? 1 : mt);
          const int64_t instructions = gemm_instructions(p, tm, tn, tk, if_reload, w_reload);
          if (instructions > max_instructions) {
            fewest_over = std::min(fewest_over, instructions);
            continue;
          }
          const int64_t dram =
              sat_add(sat_add(sat_mul(if_total, if_reload), sat_mul(w_total, w_reload)), out_total);
          // Cycles the DRAM needs for those bytes, rounded up; clamped where a double cannot
          // convert back to int64.
          const double mem = bytes_per_cycle > 0 ? static_cast<double>(dram) / bytes_per_cycle + 0.999999 : 0;
          const int64_t mem_cycles = mem >= 9.2e18 ? kSaturated : static_cast<int64_t>(mem);
          const int64_t cost = std::max(cycles, mem_cycles);
          // The DMA's fills write what it loads into the ifmap and weight scratchpads.
          const double energy =
              prices.on_chip_factor *
                  (on_chip_pj +
                   static_cast<double>(sat_mul(if_total, if_reload)) * prices.write_pj_per_byte[0] +
                   static_cast<double>(sat_mul(w_total, w_reload)) * prices.write_pj_per_byte[1]) +
              static_cast<double>(dram) * prices.dram_pj_per_byte;
          const double score = r.objective == MappingObjective::kEnergy ? energy
                               : r.objective == MappingObjective::kEdp  ? energy * static_cast<double>(cost)
                                                                        : static_cast<double>(cost);
          ++scored;
          auto key = std::make_tuple(score, cost, dram, -sat_mul(sat_mul(tm, tn), tk), tm, tn, tk, order);
          if (ranked.size() < kRankedTilings || key < ranked.back().first) {
            TileChoice t;
            t.tm = tm, t.tn = tn, t.tk = tk, t.m_outer = m_outer;
            t.cycles = cycles, t.dram_bytes = dram, t.cost = cost;
            t.energy_pj = energy, t.score = score;
            t.ifmap_reload = if_reload, t.weight_reload = w_reload;
            const auto at = std::upper_bound(ranked.begin(), ranked.end(), key,
                                             [](const Key& k, const auto& e) { return k < e.first; });
            ranked.insert(at, {key, t});
            if (ranked.size() > kRankedTilings) ranked.pop_back();
          }
          if (!found || key < best_key) {
            found = true;
            best_key = key;
            best.tm = tm, best.tn = tn, best.tk = tk, best.m_outer = m_outer;
            best.cycles = cycles, best.dram_bytes = dram, best.cost = cost;
            best.energy_pj = energy, best.score = score;
            best.ifmap_reload = if_reload, best.weight_reload = w_reload;
            best.reason = mem_cycles > cycles ? "memory-bound" : "compute-bound";
          }
        }
      }
    }
  }
  if (!found && only == nullptr && !c.k_fallback.empty()) {
    return search_tilings(r, TileCandidates{c.m, c.n, c.k_fallback, {}});
  }
  if (!found && fewest_over < kSaturated) {
    throw BudgetExceeded{
        fewest_over,
        fmt::format(
            "the fewest of any candidate tiling whose tiles fit {}: GEMM m={} n={} k={} x {} GEMM{}",
            buf.any_shared()
                ? fmt::format("the scratchpads (ifmap in the {}, weight in the {}, ofmap in the {})",
                              buf.describe(Buffer::kIfmap), buf.describe(Buffer::kWeight),
                              buf.describe(Buffer::kOfmap))
                : fmt::format("the scratchpad halves of {} B ifmap / {} B weight / {} B ofmap",
                              buf.capacity_bytes(Buffer::kIfmap) / 2, buf.capacity_bytes(Buffer::kWeight) / 2,
                              buf.capacity_bytes(Buffer::kOfmap) / 2),
            p.m, p.n, p.k, p.gemms, p.gemms == 1 ? "" : "s")};
  }
  if (!found) throw InternalError("no tile candidate fits although the smallest tile does: " + p.name);

  // Why: which operand stays resident, why k is split, and the estimate.
  const int64_t mt = ceil_div(p.m, best.tm), nt = ceil_div(p.n, best.tn), kt = ceil_div(p.k, best.tk);
  std::string why;
  if (best.weight_reload == 1 && best.ifmap_reload == 1) {
    why = "each operand fetched once";
  } else if (best.weight_reload == 1) {
    why =
        fmt::format("weights resident: {}x{} tiles fit and stay while {} m tiles stream (ifmap fetched {}x)",
                    best.tk, best.tn, mt, best.ifmap_reload);
  } else if (best.ifmap_reload == 1) {
    why = fmt::format("ifmap resident: {}x{} tiles stay while {} n tiles stream (weights fetched {}x)",
                      best.tm, best.tk, nt, best.weight_reload);
  } else {
    why = fmt::format("ifmap fetched {}x, weights fetched {}x", best.ifmap_reload, best.weight_reload);
  }
  if (kt > 1) {
    const TileFootprint full = tile_footprint(p, eb, best.tm, best.tn, p.k);
    // A full-K tile of one operand beside the chosen tiles of the others.
    const TileFootprint chosen = tile_footprint(p, eb, best.tm, best.tn, best.tk);
    auto too_big = [&](Buffer b, int64_t full_need) {
      RoleBytes need{chosen.ifmap, chosen.weight, chosen.ofmap};
      need[index_of(b)] = full_need;
      return buf.shortfall(b, need) > 0;
    };
    auto exceeds = [&](Buffer b, int64_t full_need, const char* dim, int64_t at) {
      if (buf.shared(b)) {
        return fmt::format("; k split: K={} exceeds the {} ({} B {} tiles at {}={})", p.k, buf.describe(b),
                           full_need, to_string(b), dim, at);
      }
      return fmt::format("; k split: K={} exceeds the {} scratchpad half ({} B > {} B at {}={})", p.k,
                         to_string(b), full_need, buf.capacity_bytes(b) / 2, dim, at);
    };
    if (too_big(Buffer::kWeight, full.weight)) {
      why += exceeds(Buffer::kWeight, full.weight, "n", best.tn);
    } else if (too_big(Buffer::kIfmap, full.ifmap)) {
      why += exceeds(Buffer::kIfmap, full.ifmap, "m", best.tm);
    } else {
      why += fmt::format("; k split into {} (lower estimate than full K)", kt);
    }
  }
  why += fmt::format("; {}x{}x{} tiles{}; est {} array cycles, {} DRAM B ({})", mt, nt, kt,
                     p.gemms > 1 ? fmt::format(" x {} GEMMs", p.gemms) : std::string(), best.cycles,
                     best.dram_bytes, best.reason);
  if (r.objective != MappingObjective::kCycles) {
    why += fmt::format("; ranked by {}: est {:.6g} pJ", to_string(r.objective), best.energy_pj);
  }
  best.reason = why;
  best.scored = scored;
  for (auto& [key, t] : ranked) best.ranked.push_back(std::move(t));
  return best;
}

}  // namespace lowering
}  // namespace systole
