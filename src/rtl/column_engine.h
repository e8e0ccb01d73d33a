// Private to src/rtl: the register-level engine of the dataflows whose stationary operand sits in
// the PEs and whose partial sums flow down the columns (weight- and input-stationary). A Mapping
// says which matrix element is stationary, which streams and where a result goes; impl/ws.cpp and
// impl/is.cpp each supply one. docs/rtl-array.md draws the registers.
//
// Registers, for PE (r, c), hop depth D, input register Ki, fold f streaming from cycle s_f:
//   operand chain of row r: a line of a DelayBank; the element of vector t enters at s_f + t and is at PE c
//     during cycle s_f + t + Ki + D*r + D*c (the first Ki + D*r registers are the skew FIFO);
//     with it moves its fold tag (-1 = not valid). Every row's entry of one cycle carries the same
//     tag, so the tags are one line shared by all rows (row r's PE c reads age Ki + D*r + D*c).
//   stationary (active) and, with preload_overlap, shadow register with fold tags. A fold's block
//     enters column c's transit chain one row per cycle from e = s_f - R + Ki + D*c (row 0
//     first), advances D registers per row and is latched by row q at the end of cycle
//     e + q + D*q (into the shadow, or the active register without overlap). The fold's first
//     operand copies shadow to active as it reaches each PE.
//   partial sum: D registers per hop; PE (r, c) computes psum = psum(r-1, c, D cycles ago) +
//     operand * stationary; row 0 adds to 0.
// Each cycle: edge push, shadow swaps, MAC rows bottom-up (a row reads the row above before that
// row overwrites it), capture at the bottom edge, preload transit and latches, observer.
#pragma once

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "delay_line.h"
#include "fold_schedule.h"
#include "kernels.h"
#include "systole/array/array_observer.h"
#include "systole/common/error.h"

namespace systole::rtl::detail {

template <typename Arith, typename Mapping>
class ColumnEngine final : public ArrayStateView {
 public:
  using V = typename Arith::V;
  using Acc = typename Arith::Acc;
  using Out = typename Arith::Out;

  ColumnEngine(const TileRequest& req, const Arith& arith, const Mapping& map, Out* out)
      : m_req(req), m_s(make_schedule(req)), m_arith(arith), m_map(map), m_out(out) {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth;
    m_vals.reset(R, m_s.skew_in + D * (R - 1 + C - 1) + 1, V{});
    m_tags.reset(1, m_s.skew_in + D * (R - 1 + C - 1) + 1, -1);
    m_active.assign(static_cast<size_t>(R * C), V{});
    m_active_tag.assign(static_cast<size_t>(R * C), -1);
    m_shadow.assign(static_cast<size_t>(R * C), V{});
    m_shadow_tag.assign(static_cast<size_t>(R * C), -1);
    m_psum.assign(static_cast<size_t>(R * D * C), Acc{});
    m_zero.assign(static_cast<size_t>(C), Acc{});
    // The vectorised kernel's rows (hop depth 1), bottom-up: fixed for the tile; each cycle shifts
    // the operand and tag pointers by the delay lines' head.
    for (int64_t r = R - 1; r >= 0 && D == 1; --r) {
      const int64_t age = m_s.skew_in + r;
      m_pass.push_back({&m_psum[r * C], r == 0 ? m_zero.data() : &m_psum[(r - 1) * C], m_vals.line(r) + age,
                        &m_active[r * C], m_tags.line(0) + age, &m_active_tag[r * C]});
    }
    for (int64_t f = 0; f < m_s.folds; ++f) m_fold_col.push_back(m_s.fold_col(f));
    m_transit_len = D * (R - 1) + 1;
    m_transit_val.assign(static_cast<size_t>(C * m_transit_len), V{});
    m_transit_tag.assign(static_cast<size_t>(C * m_transit_len), -1);
    m_transit_row.assign(static_cast<size_t>(C * m_transit_len), -1);
    m_fold_landing.assign(static_cast<size_t>(m_s.folds), -1);
    const int64_t elems = static_cast<int64_t>(req.op.m * req.op.n);
    if (m_s.rmw > 0) m_last_write.assign(static_cast<size_t>(elems), -1);  // read only with L > 0
    if (!req.op.accumulate) std::fill(m_out, m_out + elems, Out{});
    m_signals = {{"stationary", kValueKind, 32}};
    if (m_s.overlap) m_signals.push_back({"shadow", kValueKind, 32});
    m_signals.push_back({"operand", kValueKind, 32});
    m_signals.push_back({"operand_valid", SignalKind::kBit, 1});
    m_signals.push_back({"psum", kValueKind, 64});
    m_signals.push_back({"psum_valid", SignalKind::kBit, 1});
  }

  // m_pass points into the engine's own registers.
  ColumnEngine(const ColumnEngine&) = delete;
  ColumnEngine& operator=(const ColumnEngine&) = delete;

  TileResult run(IArrayObserver* obs) {
    const int64_t R = m_s.rows, C = m_s.cols;
    const int64_t expected = m_s.folds * m_s.t * C;
    const int64_t limit = m_s.start.back() + m_s.t + m_s.skew_in + m_s.depth * (R + C) + 8;
    if (obs) obs->begin(*this);
    for (m_x = 0; m_captured < expected; ++m_x) {
      if (m_x > limit) throw InternalError("rtl: array did not drain; schedule or registers are wrong");
      push_operands();
      if (m_s.overlap) swap_stationary();
      compute_rows();
      capture_results();
      preload();
      if (obs) obs->on_cycle(m_x, *this);
    }
    if (obs) obs->end(m_x);
    return tile_result(m_s, m_req.op, m_fold_landing, m_x);
  }

  // ArrayStateView
  int64_t rows() const override { return m_s.rows; }
  int64_t cols() const override { return m_s.cols; }
  const std::vector<SignalInfo>& signals() const override { return m_signals; }
  int64_t int_value(size_t s, int64_t r, int64_t c) const override {
    if (m_signals[s].kind == SignalKind::kReal) return 0;
    return signal(s, r, c, [](auto v) { return static_cast<int64_t>(v); });
  }
  double real_value(size_t s, int64_t r, int64_t c) const override {
    return signal(s, r, c, [](auto v) { return static_cast<double>(v); });
  }

 private:
  static constexpr SignalKind kValueKind =
      std::is_floating_point<V>::value ? SignalKind::kReal : SignalKind::kInteger;

  template <typename Conv>
  auto signal(size_t s, int64_t r, int64_t c, Conv conv) const {
    const int64_t C = m_s.cols, D = m_s.depth;
    const std::string& name = m_signals[s].name;
    const int64_t age = m_s.skew_in + D * (r + c);
    if (name == "stationary") return conv(m_active[r * C + c]);
    if (name == "shadow") return conv(m_shadow[r * C + c]);
    if (name == "operand") return conv(m_vals.window(r)[age]);
    if (name == "psum") return conv(m_psum[(r * D + m_x % D) * C + c]);
    return conv(m_tags.window(0)[age] >= 0 ? 1 : 0);  // operand_valid, psum_valid
  }

  // The fold whose stream reads the scratchpad in cycle x, or -1.
  int64_t streaming_fold(int64_t x) {
    while (m_stream_fold < m_s.folds && x >= m_s.start[m_stream_fold] + m_s.t) ++m_stream_fold;
    if (m_stream_fold < m_s.folds && x >= m_s.start[m_stream_fold]) return m_stream_fold;
    return -1;
  }

  void push_operands() {
    const int64_t f = streaming_fold(m_x);
    const int64_t R = m_s.rows;
    m_vals.advance();
    m_tags.advance();
    m_tags.push(0, static_cast<int32_t>(f));
    // Rows [0, real) carry elements of the streamed vector, the rest (beyond the tile) zeros.
    int64_t real = 0;
    if (f >= 0) {
      const int64_t t = m_x - m_s.start[f], i0 = m_s.fold_row(f) * R;
      real = std::min(R, m_s.sr - i0);
      for (int64_t r = 0; r < real; ++r) m_vals.push(r, static_cast<V>(m_map.stream(t, i0 + r)));
    }
    for (int64_t r = std::max<int64_t>(real, 0); r < R; ++r) m_vals.push(r, V{});
  }

  // Folds whose first operand is somewhere in the array this cycle: [m_swap_lo, ...).
  void swap_stationary() {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth;
    const int64_t span = m_s.skew_in + D * (R - 1 + C - 1);
    while (m_swap_lo < m_s.folds && m_x > m_s.start[m_swap_lo] + span) ++m_swap_lo;
    for (int64_t f = m_swap_lo; f < m_s.folds && m_s.start[f] + m_s.skew_in <= m_x; ++f) {
      // The first operand is at the PEs (r, c) with D*(r + c) = base: one anti-diagonal, or none
      // when D does not divide base.
      const int64_t base = m_x - m_s.start[f] - m_s.skew_in;
      if (D > 1 && base % D != 0) continue;
      const int64_t diag = D == 1 ? base : base / D;  // r + c
      if (diag > R + C - 2) continue;
      const int32_t tag = m_tags.window(0)[m_s.skew_in + D * diag];
      const int64_t r_end = std::min(R, diag + 1);
      for (int64_t r = std::max<int64_t>(0, diag - (C - 1)); r < r_end; ++r) {
        const int64_t c = diag - r, pe = r * C + c;
        if (tag != f || m_shadow_tag[pe] != f) {
          throw InternalError(
              fmt::format("rtl: fold {} reached PE ({}, {}) in cycle {} before its stationary "
                          "operand (shadow holds fold {})",
                          f, r, c, m_x, m_shadow_tag[pe]));
        }
        m_active[pe] = m_shadow[pe];
        m_active_tag[pe] = m_shadow_tag[pe];
        m_shadow_tag[pe] = -1;
      }
    }
  }

  // Rows bottom-up: row r reads the partial sums row r - 1 wrote D cycles ago from the slot that
  // row r - 1 overwrites this cycle.
  void compute_rows() {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth;
    const int64_t slot = m_x % D;
    if constexpr (Arith::kPlain) {
      if (D == 1) {
        // m_vals and m_tags have one length and advance together: one head for both.
        if (mac_rows(m_pass.data(), R, C, m_vals.head())) hazard(-1);
        return;
      }
    }
    for (int64_t r = R - 1; r >= 0; --r) {
      const V* a = m_vals.window(r) + m_s.skew_in + D * r;
      const int32_t* tag = m_tags.window(0) + m_s.skew_in + D * r;
      const Acc* in = r == 0 ? m_zero.data() : &m_psum[((r - 1) * D + slot) * C];
      Acc* out = &m_psum[(r * D + slot) * C];
      const V* w = &m_active[r * C];
      const int32_t* wt = &m_active_tag[r * C];
      for (int64_t c = 0; c < C; ++c) {
        if (tag[c * D] >= 0 && tag[c * D] != wt[c]) hazard(r);
        out[c] = m_arith.mac(in[c], a[c * D], w[c]);
      }
    }
  }

  [[noreturn]] void hazard(int64_t r) const {
    throw InternalError(
        fmt::format("rtl: an operand met a stationary value of another fold in {} in cycle {}",
                    r < 0 ? std::string("some row") : fmt::format("row {}", r), m_x));
  }

  // The bottom row's partial sums leave; columns are taken in runs of one fold.
  void capture_results() {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth;
    const int32_t* tag = m_tags.window(0) + m_s.skew_in + D * (R - 1);
    const Acc* psum = &m_psum[((R - 1) * D + (D == 1 ? 0 : m_x % D)) * C];
    for (int64_t c = 0; c < C;) {
      const int32_t f = tag[c * D];
      int64_t end = c + 1;
      while (end < C && tag[end * D] == f) ++end;
      if (f >= 0) capture_run(f, c, end, psum);
      c = end;
    }
  }

  // Columns [c0, c1) hold results of fold f: column c carries vector t = t0 - D*c.
  void capture_run(int32_t f, int64_t c0, int64_t c1, const Acc* psum) {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth, Ko = m_s.skew_out, L = m_s.rmw;
    m_captured += c1 - c0;
    const int64_t t0 = m_x - m_s.start[f] - m_s.skew_in - D * (R - 1);
    // t falls along the run, so its ends bound every column's t.
    if (t0 - D * c0 >= m_s.t || t0 - D * (c1 - 1) < 0)
      throw InternalError(fmt::format("rtl: result of fold {} out of order in cycle {}", f, m_x));
    // Output register and de-skew FIFO (column c waits for the last column), then the RMW; the
    // run's first column lands last.
    m_fold_landing[f] = std::max(m_fold_landing[f], m_x + Ko * (1 + D * (C - 1 - c0)) + L);
    const int64_t j0 = m_fold_col[f] * C;
    const int64_t cend = std::min(c1, m_s.sc - j0);  // columns beyond the tile: the write port masks them
    if (L == 0) {
      // The add happens as the result leaves, in a later cycle than any earlier fold's: the
      // read-after-write order holds by construction and is not checked.
      for (int64_t c = c0; c < cend; ++c) {
        const int64_t e = m_map.out_index(t0 - D * c, j0 + c);
        m_out[e] = m_arith.add_into(m_out[e], psum[c]);
      }
      return;
    }
    for (int64_t c = c0; c < cend; ++c) {
      const int64_t e = m_map.out_index(t0 - D * c, j0 + c);
      const int64_t leave = m_x + Ko * (1 + D * (C - 1 - c));
      if (leave + 1 <= m_last_write[e]) {
        throw InternalError(
            fmt::format("rtl: accumulator read of element {} in cycle {} before the write of "
                        "cycle {} landed",
                        e, leave + 1, m_last_write[e]));
      }
      m_last_write[e] = leave + L;
      m_out[e] = m_arith.add_into(m_out[e], psum[c]);
    }
  }

  // Stationary blocks shifting down the column transit chains and latching into the rows.
  void preload() {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth, len = m_transit_len;
    const int64_t now = m_x % len;
    const int64_t first = m_s.preload == 0 ? m_s.folds : 0;
    const int64_t tail = D * (C - 1) + (R - 1) * (D + 1);
    while (m_pre_lo < m_s.folds && m_x > m_s.start[m_pre_lo] - R + m_s.skew_in + tail) ++m_pre_lo;
    for (int64_t f = std::max(first, m_pre_lo); f < m_s.folds && m_s.start[f] - R + m_s.skew_in <= m_x; ++f) {
      const int64_t i0 = m_s.fold_row(f) * R, j0 = m_s.fold_col(f) * C;
      for (int64_t c = 0; c < C; ++c) {
        const int64_t d = m_x - (m_s.start[f] - R + m_s.skew_in + D * c);
        if (d < 0) break;  // later columns start later
        if (d < R) {       // row d's value enters the top of column c
          const size_t slot = static_cast<size_t>(c * len + now);
          m_transit_val[slot] =
              (i0 + d < m_s.sr && j0 + c < m_s.sc) ? static_cast<V>(m_map.stationary(i0 + d, j0 + c)) : V{};
          m_transit_tag[slot] = static_cast<int32_t>(f);
          m_transit_row[slot] = static_cast<int32_t>(d);
        }
        if (d >= R * (D + 1) || (D == 1 ? (d & 1) != 0 : d % (D + 1) != 0)) continue;
        const int64_t q = D == 1 ? d >> 1 : d / (D + 1), pe = q * C + c;
        const int64_t back = now - D * q;  // D * q < len: the value entered D * q cycles ago
        const size_t slot = static_cast<size_t>(c * len + (back < 0 ? back + len : back));
        if (m_transit_tag[slot] != f || m_transit_row[slot] != q) {
          throw InternalError(fmt::format("rtl: preload transit of column {} corrupted in cycle {}", c, m_x));
        }
        if (m_s.overlap) {
          if (m_shadow_tag[pe] >= 0) {
            throw InternalError(fmt::format(
                "rtl: fold {} overwrote the unused shadow of PE ({}, {}) in cycle {}", f, q, c, m_x));
          }
          m_shadow[pe] = m_transit_val[slot];
          m_shadow_tag[pe] = static_cast<int32_t>(f);
        } else {
          m_active[pe] = m_transit_val[slot];
          m_active_tag[pe] = static_cast<int32_t>(f);
        }
      }
    }
  }

  const TileRequest& m_req;
  FoldSchedule m_s;
  Arith m_arith;
  Mapping m_map;
  Out* m_out;
  DelayBank<V> m_vals;
  DelayBank<int32_t> m_tags;
  std::vector<V> m_active, m_shadow;
  std::vector<int32_t> m_active_tag, m_shadow_tag;
  std::vector<Acc> m_psum, m_zero;
  std::vector<PassRow<Acc, V>> m_pass;  // the rows for the vectorised kernel (D = 1), bottom-up
  std::vector<int64_t> m_fold_col;      // column fold of each fold
  int64_t m_transit_len = 1;
  std::vector<V> m_transit_val;
  std::vector<int32_t> m_transit_tag, m_transit_row;
  std::vector<int64_t> m_fold_landing, m_last_write;
  std::vector<SignalInfo> m_signals;
  int64_t m_x = 0, m_captured = 0, m_stream_fold = 0, m_swap_lo = 0, m_pre_lo = 0;
};

}  // namespace systole::rtl::detail
