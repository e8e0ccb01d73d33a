// Tile choice. Candidate sizes per GEMM dimension follow the dataflow's fold shape: the array-row
// and array-column dimensions (Sr, Sc) take multiples of R and C (or the full dimension), the
// streaming dimension T any length down to 1. A candidate (tm, tn, tk) must fit double-buffered:
//   2 * ifmap_tile_bytes <= ifmap capacity, 2 * weight_tile_bytes <= weight capacity,
//   2 * tm * tn * accumulator_bytes <= ofmap capacity.
// Among fitting candidates and the two loop orders (m,n,k / n,m,k; k innermost so partial sums
// never leave the ofmap scratchpad) the estimate
//   cost = max(sum over tiles of tile_timing cycles, DRAM bytes / DRAM bytes-per-cycle)
// is minimised; ties go to fewer DRAM bytes, then larger tiles, then smaller (tm, tn, tk, order).
// DRAM bytes follow the emitter's reuse rule: each operand buffer has two halves, and a tile whose
// operand is already in a half is not reloaded (LRU over the two halves).
#include <algorithm>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "lowering.h"
#include "systole/common/error.h"

namespace systole {
namespace compiler_detail {
namespace {

std::vector<int64_t> array_candidates(int64_t d, int64_t a) {
  std::set<int64_t> s{d};
  if (d > a) {
    for (int64_t v = a; v < d; v *= 2) s.insert(v);
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
  for (int64_t v = 1; v < d; v *= 2) s.insert(v);
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
RowStats conv_row_stats(const ConvGeometry& g, int64_t m, int64_t tm) {
  RowStats st;
  for (int64_t m0 = 0; m0 < m; m0 += tm) {
    int64_t rows = 0;
    for (const ConvRowSegment& s : conv_segments(g, m0, std::min(m, m0 + tm))) rows += s.rows;
    st.max_rows = std::max(st.max_rows, rows);
    st.sum_rows += rows;
  }
  return st;
}
struct PlaneStats {
  int64_t max_planes = 0, sum_planes = 0;
};
PlaneStats conv_plane_stats(const ConvGeometry& g, int64_t k, int64_t tk) {
  PlaneStats st;
  for (int64_t k0 = 0; k0 < k; k0 += tk) {
    int64_t c0 = 0, cnt = 0;
    conv_planes(g, k0, std::min(k, k0 + tk), &c0, &cnt);
    st.max_planes = std::max(st.max_planes, cnt);
    st.sum_planes += cnt;
  }
  return st;
}

struct Capacities {
  int64_t ifmap, weight, ofmap;
};

std::string buffer_key(Buffer b) {
  return fmt::format("core.scratchpads.{}.capacity_kib", to_string(b));
}

}  // namespace

TileFootprint tile_footprint(const GemmProblem& p, const ElementBytes& eb, int64_t tm, int64_t tn,
                             int64_t tk) {
  TileFootprint f;
  if (p.is_conv) {
    f.ifmap = conv_row_stats(p.conv, p.m, tm).max_rows * conv_plane_stats(p.conv, p.k, tk).max_planes *
              p.conv.w * p.a.elem_bytes;
  } else {
    f.ifmap = tm * tk * p.a.elem_bytes;
  }
  f.weight = tk * tn * p.b.elem_bytes;
  f.ofmap = tm * tn * eb.acc;
  return f;
}

TileChoice choose_tile(const ArchSpec& arch, const GemmProblem& p, const ElementBytes& eb) {
  const auto& ar = arch.core.array;
  const auto& sp = arch.core.scratchpads;
  const ArrayGeometry geo{ar.rows, ar.cols, ar.microarch};
  const bool compat = ar.microarch.scalesim_counting;
  const Capacities cap{sp.ifmap.capacity_bytes(), sp.weight.capacity_bytes(), sp.ofmap.capacity_bytes()};
  const Dataflow df = ar.dataflow;

  // Per GEMM dimension: its array multiple (0 = streaming) per the fold shape.
  int64_t am = 0, an = 0, ak = 0;
  switch (df) {
    case Dataflow::kWeightStationary:
      ak = ar.rows, an = ar.cols;
      break;
    case Dataflow::kOutputStationary:
      am = ar.rows, an = ar.cols;
      break;
    case Dataflow::kInputStationary:
      ak = ar.rows, am = ar.cols;
      break;
  }
  auto cands = [](int64_t d, int64_t a) { return a > 0 ? array_candidates(d, a) : stream_candidates(d); };
  auto minimum = [](int64_t d, int64_t a) { return a > 0 ? std::min(d, a) : int64_t{1}; };

  // The smallest legal tile: one fold at streaming length 1.
  {
    const int64_t tm = minimum(p.m, am), tn = minimum(p.n, an), tk = minimum(p.k, ak);
    const TileFootprint f = tile_footprint(p, eb, tm, tn, tk);
    DiagnosticList errs;
    auto check = [&](Buffer b, int64_t need, int64_t capacity, int64_t kib) {
      if (2 * need <= capacity) return;
      const KeyOrigin where = arch.origin_of(buffer_key(b));
      errs.add(
          {where.file, where.line, buffer_key(b), std::to_string(kib),
           fmt::format("layer '{}' needs {} bytes in the {} scratchpad: 2 x {} B (double-buffered) for its "
                       "smallest legal tile m={} n={} k={} (one {}x{} {} fold at streaming length 1)",
                       p.name, 2 * need, to_string(b), need, tm, tn, tk, ar.rows, ar.cols, to_string(df))});
    };
    check(Buffer::kIfmap, f.ifmap, cap.ifmap, sp.ifmap.capacity_kib);
    check(Buffer::kWeight, f.weight, cap.weight, sp.weight.capacity_kib);
    check(Buffer::kOfmap, f.ofmap, cap.ofmap, sp.ofmap.capacity_kib);
    if (!errs.empty()) throw ConfigError(errs.take());
  }

  // DRAM bytes per core cycle for the estimate: kind cycle uses the device's peak data bandwidth.
  const double dram_gbps =
      arch.dram.kind == DramKind::kCycle ? arch.dram.device.peak_gbps() : arch.dram.bandwidth_gbps;
  const double bytes_per_cycle =
      arch.dram.kind == DramKind::kIdeal ? 0.0 : dram_gbps * 1000.0 / arch.core.clock_mhz;
  std::map<int64_t, RowStats> row_cache;
  std::map<int64_t, PlaneStats> plane_cache;
  auto rows_of = [&](int64_t tm) {
    auto it = row_cache.find(tm);
    if (it == row_cache.end()) it = row_cache.emplace(tm, conv_row_stats(p.conv, p.m, tm)).first;
    return it->second;
  };
  auto planes_of = [&](int64_t tk) {
    auto it = plane_cache.find(tk);
    if (it == plane_cache.end()) it = plane_cache.emplace(tk, conv_plane_stats(p.conv, p.k, tk)).first;
    return it->second;
  };

  bool found = false;
  TileChoice best;
  std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int> best_key;
  for (int64_t tm : cands(p.m, am)) {
    for (int64_t tn : cands(p.n, an)) {
      for (int64_t tk : cands(p.k, ak)) {
        int64_t if_tile = 0, if_total = 0;
        if (p.is_conv) {
          const RowStats rs = rows_of(tm);
          const PlaneStats ps = planes_of(tk);
          if_tile = rs.max_rows * ps.max_planes * p.conv.w * p.a.elem_bytes;
          if_total = rs.sum_rows * ps.sum_planes * p.conv.w * p.a.elem_bytes * p.gemms;
        } else {
          if_tile = tm * tk * p.a.elem_bytes;
          if_total = p.m * p.k * p.a.elem_bytes * p.gemms;
        }
        if (2 * if_tile > cap.ifmap || 2 * tk * tn * p.b.elem_bytes > cap.weight ||
            2 * tm * tn * eb.acc > cap.ofmap) {
          continue;
        }
        int64_t cycles = 0;
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
              cycles += rm.count * rn.count * rk.count * tile_timing(geo, op).cycles;
            }
          }
        }
        cycles = cycles * p.gemms - (compat ? 1 : 0);
        const int64_t mt = ceil_div(p.m, tm), nt = ceil_div(p.n, tn), kt = ceil_div(p.k, tk);
        const int64_t w_total = p.k * p.n * p.b.elem_bytes * p.gemms;
        const int64_t out_total = p.m * p.n * p.out.elem_bytes * p.gemms;
        for (int order = 0; order < 2; ++order) {
          const bool m_outer = order == 0;
          const int64_t if_reload = m_outer ? (kt <= 2 ? 1 : nt) : (mt * kt <= 2 ? 1 : nt);
          const int64_t w_reload = m_outer ? (nt * kt <= 2 ? 1 : mt) : (kt <= 2 ? 1 : mt);
          const int64_t dram = if_total * if_reload + w_total * w_reload + out_total;
          const int64_t mem_cycles =
              bytes_per_cycle > 0
                  ? static_cast<int64_t>(static_cast<double>(dram) / bytes_per_cycle + 0.999999)
                  : 0;
          const int64_t cost = std::max(cycles, mem_cycles);
          auto key = std::make_tuple(cost, dram, -(tm * tn * tk), tm, tn, tk, order);
          if (!found || key < best_key) {
            found = true;
            best_key = key;
            best.tm = tm, best.tn = tn, best.tk = tk, best.m_outer = m_outer;
            best.cycles = cycles, best.dram_bytes = dram;
            best.ifmap_reload = if_reload, best.weight_reload = w_reload;
            best.reason = mem_cycles > cycles ? "memory-bound" : "compute-bound";
          }
        }
      }
    }
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
    if (2 * full.weight > cap.weight) {
      why += fmt::format("; k split: K={} exceeds the weight scratchpad half ({} B > {} B at n={})", p.k,
                         full.weight, cap.weight / 2, best.tn);
    } else if (2 * full.ifmap > cap.ifmap) {
      why += fmt::format("; k split: K={} exceeds the ifmap scratchpad half ({} B > {} B at m={})", p.k,
                         full.ifmap, cap.ifmap / 2, best.tm);
    } else {
      why += fmt::format("; k split into {} (lower estimate than full K)", kt);
    }
  }
  why += fmt::format("; {}x{}x{} tiles{}; est {} array cycles, {} DRAM B ({})", mt, nt, kt,
                     p.gemms > 1 ? fmt::format(" x {} GEMMs", p.gemms) : std::string(), best.cycles,
                     best.dram_bytes, best.reason);
  best.reason = why;
  return best;
}

}  // namespace compiler_detail
}  // namespace systole
