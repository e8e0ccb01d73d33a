#include "systole/array/tile_bank_cost.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/int_math.h"

namespace systole::hw {
namespace {

using Axis = TileBankModel::Axis;
using Operand = TileBankModel::Operand;
constexpr int64_t kPad = VectorBankCounter::kPadding;

// Sum over v in [0, count) of the vector at base0 + v * delta with elements at stride * jj,
// jj < len (bytes), memoised on everything the result depends on (the base modulo the period).
AccessCost cached_progression(Operand& o, int64_t base0, int64_t delta, int64_t count, int64_t stride,
                              int64_t len) {
  const int64_t period = o.counter.geometry().period_bytes();
  const std::array<int64_t, 5> key{mod(base0, period), mod(delta, period), count, stride, len};
  auto it = o.progressions.find(key);
  if (it != o.progressions.end()) return it->second;
  std::vector<int64_t> offs(static_cast<size_t>(len));
  for (int64_t jj = 0; jj < len; ++jj) offs[static_cast<size_t>(jj)] = stride * jj;
  const AccessCost c = o.counter.progression_cost(key[0], delta, count, offs, o.elem_bytes);
  o.progressions.emplace(key, c);
  return c;
}

// One image's part [mb, me) of a conv tile's global m-range (operand_layout.cpp's order).
struct ConvSegment {
  int64_t mb = 0, me = 0;
  int64_t row0 = 0, in_rows = 0;  // ifmap: input rows held
  int64_t offset = 0;             // ifmap: first element of its LOAD; ofmap: cols * (mb - m0)
};

// Segments of [g.m0, g.m0 + rows); the ifmap offsets advance by channels * in_rows * W with the
// channel count of the whole tile's k-range [g.k0, g.k0 + cols), as compiler/operand_layout.cpp.
std::vector<ConvSegment> conv_segments(const ConvTileGeometry& g, int64_t rows, int64_t cols, bool ifmap) {
  const int64_t plane = g.ho * g.wo;
  int64_t c0 = 0, channels = 0;
  conv_tile_channels(g, cols, &c0, &channels);
  std::vector<ConvSegment> out;
  int64_t offset = 0;
  for (int64_t m = g.m0; m < g.m0 + rows;) {
    ConvSegment s;
    s.mb = m;
    s.me = std::min(g.m0 + rows, (m / plane + 1) * plane);
    if (ifmap) {
      conv_input_rows(g, (s.mb % plane) / g.wo, ((s.me - 1) % plane) / g.wo, &s.row0, &s.in_rows);
      s.offset = offset;
      offset += channels * s.in_rows * g.w;
    } else {
      s.offset = cols * (s.mb - g.m0);
    }
    out.push_back(s);
    m = s.me;
  }
  return out;
}

// Valid kernel index range [lo, hi] of a kernel axis at output coordinate o: o * stride - pad +
// q * dil in [0, size).
void valid_range(int64_t o, int64_t stride, int64_t pad, int64_t dil, int64_t size, int64_t taps, int64_t* lo,
                 int64_t* hi) {
  const int64_t first = o * stride - pad;
  *lo = std::max<int64_t>(0, ceil_div(std::max<int64_t>(0, -first), dil));
  *hi = std::min(taps - 1, floor_div(size - 1 - first, dil));
}

template <size_t N>
size_t fnv_hash(const std::array<int64_t, N>& k) {
  uint64_t h = 1469598103934665603ull;
  for (int64_t v : k) h = (h ^ static_cast<uint64_t>(v)) * 1099511628211ull;
  return static_cast<size_t>(h);
}

// Costs of one family's vectors by base residue: a flat table for short periods (the default
// 16 x 4 B interleaved banks: 64 entries), a hash map of the residues seen beyond (banks^2 * width
// reaches 2^36 under xor, and a simulation holds thousands of tables).
class ResidueTable {
 public:
  explicit ResidueTable(int64_t period) : m_mask(period - 1) {
    if (period <= 256) m_flat.assign(static_cast<size_t>(period), AccessCost{-1, 0});
  }
  const AccessCost* find(int64_t base) const {
    const int64_t r = base & m_mask;
    if (!m_flat.empty()) {
      const AccessCost& c = m_flat[static_cast<size_t>(r)];
      return c.accesses < 0 ? nullptr : &c;
    }
    auto it = m_sparse.find(r);
    return it == m_sparse.end() ? nullptr : &it->second;
  }
  void put(int64_t base, const AccessCost& c) {
    if (!m_flat.empty()) {
      m_flat[static_cast<size_t>(base & m_mask)] = c;
    } else {
      m_sparse.emplace(base & m_mask, c);
    }
  }

 private:
  int64_t m_mask;
  std::vector<AccessCost> m_flat;
  std::unordered_map<int64_t, AccessCost> m_sparse;
};

struct KeyHash5 {
  size_t operator()(const std::array<int64_t, 5>& k) const { return fnv_hash(k); }
};
using Memo = std::unordered_map<std::array<int64_t, 5>, AccessCost, KeyHash5>;

struct KeyHash10 {
  size_t operator()(const std::array<int64_t, 10>& k) const { return fnv_hash(k); }
};

}  // namespace

// A conv ifmap family (vectors along k of one k-range): its offsets D(k) depend only on the
// layer's W, kh, kw, dh, dw, the segment's in_rows and the k-range's start within its first
// channel and length (channel-last: the tile's channel count and first channel, the channel block
// and the k-range's start and length); each padding class (valid kernel rows [rlo, rhi],
// columns [slo, shi]) has its table of costs by base residue.
struct TileBankModel::ConvMemo {
  std::unordered_map<std::array<int64_t, 10>, std::map<std::array<int64_t, 4>, ResidueTable>, KeyHash10>
      families;
};

namespace {

// Conv ifmap, vectors along k (fixed m): element (m, k) = segment offset + base(m) + D(k), read
// unless kernel row r or column s falls into the padding at (oy, ox), with pixel(m) = (oy * sh -
// pt - row0) * W + ox * sw - pl and
//   planes:       base(m) = pixel(m),      D(k) = (c * in_rows + r * dh) * W + s * dw
//   channel-last: base(m) = CH * pixel(m), D(k) = (r * dh * W + s * dw) * CH + c
// (c counted from the tile's first channel c0, CH channels: conv_tile_channels).
AccessCost conv_ifmap_along_cols(Operand& o, const ConvTileGeometry& g, int64_t spm, int64_t rows,
                                 int64_t cols, int64_t x0, int64_t len) {
  const int64_t e = o.elem_bytes, window = g.kh * g.kw, plane = g.ho * g.wo;
  if (g.row_phases * g.col_phases > 1)
    throw InternalError("bank cost: a stride-phased conv ifmap read along k");
  int64_t c0 = 0, ch = 0;
  conv_tile_channels(g, cols, &c0, &ch);
  const int64_t px = g.channel_last ? ch : 1;  // elements per input pixel position
  const int64_t period = o.counter.geometry().period_bytes();
  std::vector<int64_t> d(static_cast<size_t>(len)), r_of(d.size()), s_of(d.size());
  if (!o.conv_memo) o.conv_memo = std::make_shared<TileBankModel::ConvMemo>();
  TileBankModel::ConvMemo& memo = *o.conv_memo;
  AccessCost total;
  for (const ConvSegment& seg : conv_segments(g, rows, cols, true)) {
    for (int64_t jj = 0; jj < len; ++jj) {
      const int64_t kk = g.k0 + x0 + jj;
      const auto u = static_cast<size_t>(jj);
      int64_t c = 0;
      conv_k_coords(g, kk, &c, &r_of[u], &s_of[u]);
      c -= c0;
      const int64_t tap = r_of[u] * g.dh * g.w + s_of[u] * g.dw;
      d[u] = e * (g.channel_last ? tap * ch + c : c * seg.in_rows * g.w + tap);
    }
    std::map<std::array<int64_t, 4>, std::vector<int64_t>> offsets_of_class;
    const std::array<int64_t, 10> family =
        g.channel_last ? std::array<int64_t, 10>{g.w, g.kh, g.kw, g.dh, g.dw, ch, g.k0 + x0, len, g.block, c0}
                       : std::array<int64_t, 10>{
                             g.w, g.kh, g.kw, g.dh, g.dw, seg.in_rows, g.k0 + x0 - c0 * window, len, 0, -1};
    auto& classes = memo.families[family];
    std::array<int64_t, 4> last_cls{-1, -1, -1, -1};
    ResidueTable* table = nullptr;
    auto class_cost = [&](const std::array<int64_t, 4>& cls, int64_t base) {
      if (cls != last_cls) {
        table = &classes.try_emplace(cls, period).first->second;
        last_cls = cls;
      }
      if (const AccessCost* hit = table->find(base)) return *hit;
      auto [oit, fresh] = offsets_of_class.try_emplace(cls);
      std::vector<int64_t>& offs = oit->second;
      if (fresh) {
        offs = d;
        for (size_t u = 0; u < offs.size(); ++u) {
          if (r_of[u] < cls[0] || r_of[u] > cls[1] || s_of[u] < cls[2] || s_of[u] > cls[3]) offs[u] = kPad;
        }
      }
      const AccessCost c = o.counter.group_cost(mod(base, period), offs.data(), offs.size(), e);
      table->put(base, c);
      return c;
    };
    for (int64_t m = seg.mb; m < seg.me;) {
      const int64_t pix = m % plane, oy = pix / g.wo;
      const int64_t row_end = std::min(seg.me, m - pix % g.wo + g.wo);  // end of this output row
      int64_t rlo = 0, rhi = 0;
      valid_range(oy, g.sh, g.pad_top, g.dh, g.h, g.kh, &rlo, &rhi);
      const int64_t row_base =
          spm + e * (seg.offset + px * ((oy * g.sh - g.pad_top - seg.row0) * g.w - g.pad_left));
      // Runs of output columns with the same valid kernel columns: a progression in ox.
      for (int64_t ox = pix % g.wo, ox_end = ox + (row_end - m); ox < ox_end;) {
        int64_t slo = 0, shi = 0;
        valid_range(ox, g.sw, g.pad_left, g.dw, g.w, g.kw, &slo, &shi);
        int64_t run_end = ox + 1;
        for (int64_t lo2 = 0, hi2 = 0; run_end < ox_end; ++run_end) {
          valid_range(run_end, g.sw, g.pad_left, g.dw, g.w, g.kw, &lo2, &hi2);
          if (lo2 != slo || hi2 != shi) break;
        }
        const std::array<int64_t, 4> cls{rlo, rhi, slo, shi};
        const int64_t count = run_end - ox, delta = e * g.sw * px, base0 = row_base + ox * delta;
        if (rlo <= rhi && slo <= shi) {
          const int64_t step = mod(delta, period);
          const int64_t cycle = step == 0 ? 1 : period / std::gcd(step, period);
          for (int64_t q = 0; q < std::min(count, cycle); ++q) {
            total += class_cost(cls, base0 + q * delta).times((count - 1 - q) / cycle + 1);
          }
        }
        ox = run_end;
      }
      m = row_end;
    }
  }
  return total;
}

// Conv ifmap, vectors along m (fixed k): element (m, k) = X(m, r, s) + c * Q(m) with Q(m) =
// in_rows * W of m's segment and X(m, r, s) = segment offset + position of input (y, x) =
// (oy * sh - pt + r * dh, ox * sw - pl + s * dw) in its plane: (y - row0) * W + x, or in stride
// phases stride_phase_position(y - row0, x, in_rows, W, sh, sw). With one Q over the range, the vector of (c,
// r, s) is the (0, r, s) vector shifted by c * Q: memoised on (r, s, shift residue). Otherwise each k is
// evaluated, as for channel-last tiles (element segment offset + (pixel(m) + r * dh * W + s * dw) * CH + c;
// no dataflow the compiler lays out channel-last reads its ifmap along m).
AccessCost conv_ifmap_along_rows(Operand& o, const ConvTileGeometry& g, int64_t spm, int64_t rows,
                                 int64_t cols, int64_t x0, int64_t len) {
  const int64_t e = o.elem_bytes, window = g.kh * g.kw, plane = g.ho * g.wo;
  int64_t c0 = 0, ch = 0;
  conv_tile_channels(g, cols, &c0, &ch);
  const int64_t period = o.counter.geometry().period_bytes();
  const bool phased = g.row_phases * g.col_phases > 1;
  if (phased && g.channel_last) throw InternalError("bank cost: a channel-last conv ifmap in stride phases");
  std::vector<int64_t> p(static_cast<size_t>(len)), q(p.size()), oy(p.size()), ox(p.size());
  std::vector<const ConvSegment*> seg_of(p.size());
  const std::vector<ConvSegment> segs = conv_segments(g, rows, cols, true);
  size_t si = 0;
  bool one_q = true;
  for (int64_t ii = 0; ii < len; ++ii) {
    const int64_t m = g.m0 + x0 + ii;
    while (m >= segs[si].me) ++si;
    const ConvSegment& s = segs[si];
    const auto u = static_cast<size_t>(ii);
    const int64_t pix = m % plane;
    seg_of[u] = &s;
    oy[u] = pix / g.wo;
    ox[u] = pix % g.wo;
    p[u] = (oy[u] * g.sh - g.pad_top - s.row0) * g.w + ox[u] * g.sw - g.pad_left;
    p[u] = g.channel_last ? s.offset + p[u] * ch : s.offset + p[u];
    q[u] = s.in_rows * g.w;
    one_q = one_q && q[u] == q[0] && !g.channel_last;
  }
  auto valid = [&](size_t u, int64_t r, int64_t s) {
    const int64_t y = oy[u] * g.sh - g.pad_top + r * g.dh, x = ox[u] * g.sw - g.pad_left + s * g.dw;
    return y >= 0 && y < g.h && x >= 0 && x < g.w;
  };
  // X(m, r, s) of a valid tap, planes layout.
  auto at = [&](size_t u, int64_t r, int64_t s) {
    if (!phased) return p[u] + r * g.dh * g.w + s * g.dw;
    const ConvSegment& seg = *seg_of[u];
    return seg.offset + stride_phase_position(oy[u] * g.sh - g.pad_top + r * g.dh - seg.row0,
                                              ox[u] * g.sw - g.pad_left + s * g.dw, seg.in_rows, g.w,
                                              g.row_phases, g.col_phases);
  };
  AccessCost total;
  std::vector<int64_t> offs(p.size());
  std::vector<std::vector<int64_t>> by_rs(static_cast<size_t>(one_q ? window : 0));
  Memo memo;
  for (int64_t kk = g.k0; kk < g.k0 + cols; ++kk) {
    int64_t c = 0, r = 0, s = 0;
    conv_k_coords(g, kk, &c, &r, &s);
    c -= c0;
    const int64_t tap = r * g.dh * g.w + s * g.dw;
    if (!one_q) {
      for (size_t u = 0; u < p.size(); ++u) {
        offs[u] = !valid(u, r, s)  ? kPad
                  : g.channel_last ? e * (p[u] + tap * ch + c)
                                   : e * (at(u, r, s) + c * q[u]);
      }
      total += o.counter.group_cost(spm, offs.data(), offs.size(), e);
      continue;
    }
    // The vector of tap (r, s) at c * Q: unphased, the (0, 0) vector shifted by the tap too.
    const int64_t base = spm + e * (c * q[0] + (phased ? 0 : tap));
    const std::array<int64_t, 5> key{r, s, mod(base, period), 0, 0};
    auto it = memo.find(key);
    if (it == memo.end()) {
      std::vector<int64_t>& rs = by_rs[static_cast<size_t>(kk % window)];
      if (rs.empty()) {
        rs.resize(p.size());
        for (size_t u = 0; u < p.size(); ++u)
          rs[u] = !valid(u, r, s) ? kPad : e * (phased ? at(u, r, s) : p[u]);
      }
      it = memo.emplace(key, o.counter.group_cost(key[2], rs.data(), rs.size(), e)).first;
    }
    total += it->second;
  }
  return total;
}

// Conv ofmap: element (m, n) = segment offset + n * (me - mb) + (m - mb).
AccessCost conv_ofmap_cost(Operand& o, const ConvTileGeometry& g, int64_t spm, int64_t rows, int64_t cols,
                           Axis axis, int64_t x0, int64_t len) {
  const int64_t e = o.elem_bytes;
  const std::vector<ConvSegment> segs = conv_segments(g, rows, cols, false);
  AccessCost total;
  if (axis == Axis::kAlongCols) {
    for (const ConvSegment& s : segs) {
      const int64_t seglen = s.me - s.mb;
      total += cached_progression(o, spm + e * (s.offset + x0 * seglen), e, seglen, e * seglen, len);
    }
    return total;
  }
  const int64_t m_lo = g.m0 + x0, m_hi = m_lo + len;
  std::vector<const ConvSegment*> touched;
  for (const ConvSegment& s : segs) {
    if (s.me > m_lo && s.mb < m_hi) touched.push_back(&s);
  }
  if (touched.size() == 1) {
    const ConvSegment& s = *touched[0];
    return cached_progression(o, spm + e * (s.offset + m_lo - s.mb), e * (s.me - s.mb), cols, e, len);
  }
  std::vector<int64_t> offs(static_cast<size_t>(len));
  for (int64_t j = 0; j < cols; ++j) {
    size_t u = 0;
    for (const ConvSegment* s : touched) {
      for (int64_t m = std::max(m_lo, s->mb); m < std::min(m_hi, s->me); ++m)
        offs[u++] = e * (s->offset + j * (s->me - s->mb) + (m - s->mb));
    }
    total += o.counter.group_cost(spm, offs.data(), offs.size(), e);
  }
  return total;
}

// Staged feeder, conv ifmap, vectors along k (fixed m): the read elements of a vector are its k
// whose kernel row and column fall inside the input at m's (oy, ox); the count depends only on the
// padding class (valid rows [rlo, rhi], columns [slo, shi]), so each class is counted once.
int64_t packed_conv_ifmap_along_cols(const ConvTileGeometry& g, int64_t rows, int64_t x0, int64_t len,
                                     int64_t e, int64_t width) {
  const int64_t plane = g.ho * g.wo;
  std::vector<int64_t> r_of(static_cast<size_t>(len)), s_of(r_of.size());
  for (int64_t jj = 0; jj < len; ++jj) {
    int64_t c = 0;
    conv_k_coords(g, g.k0 + x0 + jj, &c, &r_of[static_cast<size_t>(jj)], &s_of[static_cast<size_t>(jj)]);
  }
  std::map<std::array<int64_t, 4>, int64_t> words_of_class;
  std::array<int64_t, 4> last{-1, -1, -1, -1};
  int64_t last_words = 0, words = 0;
  // Valid kernel columns per output column, computed once; valid kernel rows per output row.
  std::vector<std::array<int64_t, 2>> col_valid(static_cast<size_t>(g.wo));
  for (int64_t ox = 0; ox < g.wo; ++ox) {
    auto& v = col_valid[static_cast<size_t>(ox)];
    valid_range(ox, g.sw, g.pad_left, g.dw, g.w, g.kw, &v[0], &v[1]);
  }
  int64_t row_of_valid = -1, rlo = 0, rhi = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t pix = (g.m0 + i) % plane, oy = pix / g.wo;
    if (oy != row_of_valid) {
      valid_range(oy, g.sh, g.pad_top, g.dh, g.h, g.kh, &rlo, &rhi);
      row_of_valid = oy;
    }
    const auto& cv = col_valid[static_cast<size_t>(pix % g.wo)];
    const std::array<int64_t, 4> cls{rlo, rhi, cv[0], cv[1]};
    if (cls == last) {  // neighbouring pixels mostly share a class: skip the lookup
      words += last_words;
      continue;
    }
    auto [it, fresh] = words_of_class.try_emplace(cls, 0);
    if (fresh) {
      int64_t read = 0;
      for (size_t u = 0; u < r_of.size(); ++u) {
        read += r_of[u] >= cls[0] && r_of[u] <= cls[1] && s_of[u] >= cls[2] && s_of[u] <= cls[3] ? 1 : 0;
      }
      it->second = ceil_div(read * e, width);
    }
    last = cls;
    last_words = it->second;
    words += it->second;
  }
  return words;
}

// Staged feeder, conv ifmap, vectors along m (fixed k): how many m of the range read kernel tap
// (r, s), counted once per tap, then one vector per k of the tile.
int64_t packed_conv_ifmap_along_rows(const ConvTileGeometry& g, int64_t cols, int64_t x0, int64_t len,
                                     int64_t e, int64_t width) {
  const int64_t window = g.kh * g.kw, plane = g.ho * g.wo;
  std::vector<int64_t> read_of_tap(static_cast<size_t>(window), 0);
  for (int64_t ii = 0; ii < len; ++ii) {
    const int64_t pix = (g.m0 + x0 + ii) % plane;
    int64_t rlo = 0, rhi = 0, slo = 0, shi = 0;
    valid_range(pix / g.wo, g.sh, g.pad_top, g.dh, g.h, g.kh, &rlo, &rhi);
    valid_range(pix % g.wo, g.sw, g.pad_left, g.dw, g.w, g.kw, &slo, &shi);
    for (int64_t r = rlo; r <= rhi; ++r) {
      for (int64_t s = slo; s <= shi; ++s) read_of_tap[static_cast<size_t>(r * g.kw + s)] += 1;
    }
  }
  int64_t words = 0;
  for (int64_t kk = g.k0; kk < g.k0 + cols; ++kk) {
    int64_t c = 0, r = 0, s = 0;
    conv_k_coords(g, kk, &c, &r, &s);
    words += ceil_div(read_of_tap[static_cast<size_t>(r * g.kw + s)] * e, width);
  }
  return words;
}

void check_vector_range(int64_t rows, int64_t cols, Axis axis, int64_t x0, int64_t len) {
  const int64_t extent = axis == Axis::kAlongCols ? cols : rows;
  if (x0 < 0 || len <= 0 || x0 + len > extent) {
    throw InternalError(
        fmt::format("bank cost: vector range [{}, {}) of an axis of {}", x0, x0 + len, extent));
  }
}

}  // namespace

AccessCost TileBankModel::packed_vectors_cost(const OperandLayout& layout, int64_t rows, int64_t cols,
                                              Axis axis, int64_t x0, int64_t len, int64_t elem_bytes,
                                              int64_t width_bytes) {
  check_vector_range(rows, cols, axis, x0, len);
  if (layout.kind == LayoutKind::kConvIfmap) {
    if (axis == Axis::kAlongCols)
      return {packed_conv_ifmap_along_cols(layout.conv, rows, x0, len, elem_bytes, width_bytes), 0};
    return {packed_conv_ifmap_along_rows(layout.conv, cols, x0, len, elem_bytes, width_bytes), 0};
  }
  // Matrices and the conv ofmap have no padding: every vector reads all len elements.
  const int64_t vectors = axis == Axis::kAlongCols ? rows : cols;
  return {vectors * ceil_div(len * elem_bytes, width_bytes), 0};
}

AccessCost TileBankModel::vectors_cost(Operand& o, const OperandLayout& layout, int64_t spm_addr,
                                       int64_t rows, int64_t cols, Axis axis, int64_t x0, int64_t len) {
  check_vector_range(rows, cols, axis, x0, len);
  const int64_t e = o.elem_bytes;
  switch (layout.kind) {
    case LayoutKind::kMatrix: {
      const bool dense = layout.row_stride == 0 && layout.col_stride == 0;
      const int64_t rs = dense ? cols : layout.row_stride, cs = dense ? 1 : layout.col_stride;
      if (axis == Axis::kAlongCols)
        return cached_progression(o, spm_addr + e * cs * x0, e * rs, rows, e * cs, len);
      return cached_progression(o, spm_addr + e * rs * x0, e * cs, cols, e * rs, len);
    }
    case LayoutKind::kConvIfmap:
      return axis == Axis::kAlongCols ? conv_ifmap_along_cols(o, layout.conv, spm_addr, rows, cols, x0, len)
                                      : conv_ifmap_along_rows(o, layout.conv, spm_addr, rows, cols, x0, len);
    case LayoutKind::kConvOfmap:
      return conv_ofmap_cost(o, layout.conv, spm_addr, rows, cols, axis, x0, len);
  }
  throw InternalError("bank cost: unknown operand layout");
}

AccessCost vectors_cost_reference(VectorBankCounter& counter, int64_t elem_bytes, const OperandLayout& layout,
                                  int64_t spm_addr, int64_t rows, int64_t cols, TileBankModel::Axis axis,
                                  int64_t x0, int64_t len) {
  const std::vector<int64_t> idx = operand_indices(layout, rows, cols);
  const bool along_cols = axis == Axis::kAlongCols;
  AccessCost total;
  std::vector<int64_t> offs(static_cast<size_t>(len));
  for (int64_t v = 0; v < (along_cols ? rows : cols); ++v) {
    for (int64_t jj = 0; jj < len; ++jj) {
      const int64_t i = along_cols ? v : x0 + jj, j = along_cols ? x0 + jj : v;
      const int64_t x = idx[static_cast<size_t>(i * cols + j)];
      offs[static_cast<size_t>(jj)] = x < 0 ? kPad : x * elem_bytes;
    }
    total += counter.group_cost(spm_addr, offs.data(), offs.size(), elem_bytes);
  }
  return total;
}

AccessCost packed_vectors_cost_reference(int64_t elem_bytes, int64_t width_bytes, const OperandLayout& layout,
                                         int64_t rows, int64_t cols, TileBankModel::Axis axis, int64_t x0,
                                         int64_t len) {
  const std::vector<int64_t> idx = operand_indices(layout, rows, cols);
  const bool along_cols = axis == Axis::kAlongCols;
  AccessCost total;
  for (int64_t v = 0; v < (along_cols ? rows : cols); ++v) {
    int64_t read = 0;
    for (int64_t jj = 0; jj < len; ++jj) {
      const int64_t i = along_cols ? v : x0 + jj, j = along_cols ? x0 + jj : v;
      read += idx[static_cast<size_t>(i * cols + j)] >= 0 ? 1 : 0;
    }
    total.accesses += ceil_div(read * elem_bytes, width_bytes);
  }
  return total;
}

TileBankModel::TileBankModel(const TileBankParams& p)
    : m_p(p),
      m_ifmap{VectorBankCounter(p.ifmap, p.ifmap_port_bytes), p.input_bytes, {}, nullptr},
      m_weight{VectorBankCounter(p.weight, p.weight_port_bytes), p.weight_bytes, {}, nullptr},
      m_ofmap{VectorBankCounter(p.ofmap, p.ofmap_write_port_bytes), p.accumulator_bytes, {}, nullptr},
      m_ofmap_read{VectorBankCounter(p.ofmap, p.ofmap_read_port_bytes), p.accumulator_bytes, {}, nullptr} {}

TileBankCost TileBankModel::cost(const MatmulOp& op) {
  const auto m = static_cast<int64_t>(op.m), n = static_cast<int64_t>(op.n), k = static_cast<int64_t>(op.k);
  const int64_t R = m_p.geometry.rows, C = m_p.geometry.cols, acc = op.accumulate ? 1 : 0;
  const auto ifa = static_cast<int64_t>(op.ifmap_spm_addr), wa = static_cast<int64_t>(op.weight_spm_addr),
             oa = static_cast<int64_t>(op.ofmap_spm_addr);
  // Sum over the folds of `extent` in steps of `fold` of the feeder's cost of each fold's range.
  const bool staged = m_p.feeder == OperandFeeder::kStaged;
  auto folds = [staged](Operand& o, const OperandLayout& l, int64_t addr, int64_t rows, int64_t cols,
                        Axis axis, int64_t fold) {
    AccessCost c;
    const int64_t extent = axis == Axis::kAlongCols ? cols : rows;
    for (int64_t x0 = 0; x0 < extent; x0 += fold) {
      const int64_t len = std::min(fold, extent - x0);
      c += staged ? packed_vectors_cost(l, rows, cols, axis, x0, len, o.elem_bytes,
                                        o.counter.geometry().width_bytes)
                  : vectors_cost(o, l, addr, rows, cols, axis, x0, len);
    }
    return c;
  };
  // Each operand's vectors per the dataflow's mapping (array/dataflow.h): along its array
  // dimension in pieces of that dimension's array extent; a streamed input once per fold of the
  // other array dimension, the partial sums once per fold of k.
  const DataflowModel& df = dataflow_model(op.dataflow);
  auto extent = [&](GemmDim d) { return d == GemmDim::kM ? m : d == GemmDim::kN ? n : k; };
  auto fold_count = [&](GemmDim d) { return ceil_div(extent(d), df.array_extent(d, R, C)); };
  auto pass = [&](TileOperand which, Operand& o, const OperandLayout& l, int64_t addr) {
    const OperandAccess a = df.access(which);
    const OperandDims d = operand_dims(which);
    return folds(o, l, addr, extent(d.first), extent(d.second),
                 a.along_second ? Axis::kAlongCols : Axis::kAlongRows, df.array_extent(a.along, R, C));
  };
  auto input = [&](TileOperand which, Operand& o, const OperandLayout& l, int64_t addr) {
    const OperandAccess a = df.access(which);
    const AccessCost once = pass(which, o, l, addr);
    return a.refetched ? once.times(fold_count(a.refetch_dim)) : once;
  };
  TileBankCost t;
  t.ifmap_read = input(TileOperand::kIfmap, m_ifmap, op.ifmap_layout, ifa);
  t.weight_read = input(TileOperand::kWeight, m_weight, op.weight_layout, wa);
  const AccessCost out = pass(TileOperand::kOfmap, m_ofmap, op.ofmap_layout, oa);
  const bool same_ports = m_p.ofmap_read_port_bytes == m_p.ofmap_write_port_bytes;
  const int64_t out_reads = df.accumulates_in_pes() ? acc : fold_count(GemmDim::kK) - 1 + acc;
  const AccessCost in =
      same_ports || out_reads == 0 ? out : pass(TileOperand::kOfmap, m_ofmap_read, op.ofmap_layout, oa);
  if (df.accumulates_in_pes()) {
    t.ofmap_write = out;
    t.ofmap_read = in.times(acc);
  } else {
    const int64_t fr = fold_count(GemmDim::kK);
    t.ofmap_write = out.times(fr);
    t.ofmap_read = in.times(fr - 1 + acc);
    t.accumulator_rmw = (fr - 1 + acc) * m * n;
  }
  return t;
}

}  // namespace systole::hw
