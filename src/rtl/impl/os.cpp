// Output-stationary: PE (i, j) of a fold accumulates out[m = i][n = j] in place. Input rows
// a[m = i][k = t] stream in from the left, weight columns w[k = t][n = j] from the top, both
// through skew FIFOs (Ki + D*i and Ki + D*j registers) and D registers per hop, so PE (i, j) meets
// the pair of k = t in cycle s_f + t + Ki + D*(i + j). Sr = m, Sc = n, T = k; no preload: the
// fold's first operand resets the accumulator (to 0, or to the initial output when accumulating)
// and its last one sends the result out through the output register (de-skewed to PE (R-1, C-1)
// with output_skew_registers). Every product is added straight into the accumulator (k_group 0).
//
// The vertical chains are kept as a history of rows: top[y][j] is the weight at PE (0, j) in
// cycle y, so row i reads top[x - D*i] contiguously; rows for future cycles are the skew FIFOs.
// Every row chain's entry of one cycle carries the same fold tag: the row tags are one shared line.
// The history is mirrored (row y + hist repeats row y) so that with hop depth 1 PE row i reads
// rows (x mod hist) + hist - i: a fixed pointer per PE row plus one shift per cycle.
#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "../arith_paths.h"
#include "../delay_line.h"
#include "../fold_schedule.h"
#include "../kernels.h"
#include "dataflow_list.h"
#include "systole/common/error.h"

namespace systole::rtl::detail {
namespace {

template <typename Arith, typename In>
class OsEngine final : public ArrayStateView {
 public:
  using V = typename Arith::V;
  using Acc = typename Arith::Acc;
  using Out = typename Arith::Out;

  OsEngine(const TileRequest& req, const Arith& arith, const In* a, const In* w, Out* out)
      : m_req(req), m_s(make_schedule(req)), m_arith(arith), m_a(a), m_w(w), m_out(out) {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth;
    m_m = static_cast<int64_t>(req.op.m);
    m_n = static_cast<int64_t>(req.op.n);
    m_k = static_cast<int64_t>(req.op.k);
    m_rows.reset(R, m_s.skew_in + D * (R - 1 + C - 1) + 1, V{});
    m_row_tags.reset(1, m_s.skew_in + D * (R - 1 + C - 1) + 1, -1);
    m_hist = m_s.skew_in + D * (C - 1) + D * (R - 1) + 2;
    m_top.assign(static_cast<size_t>(2 * m_hist * C), V{});
    m_top_tag.assign(static_cast<size_t>(2 * m_hist * C), -1);
    m_acc.assign(static_cast<size_t>(R * C), Acc{});
    m_acc_tag.assign(static_cast<size_t>(R * C), -1);
    // The vectorised kernel's rows (hop depth 1), fixed for the tile; acc_rows shifts the operand
    // pointers by the row chains' head and the top history by (x mod hist) rows.
    for (int64_t r = 0; r < R && D == 1; ++r) {
      const int64_t age = m_s.skew_in + r;
      const size_t y = static_cast<size_t>((m_hist - r) * C);
      m_acc_rows.push_back({&m_acc[r * C], m_rows.line(r) + age, &m_top[y], m_row_tags.line(0) + age,
                            &m_top_tag[y], &m_acc_tag[r * C]});
    }
    m_fold_landing.assign(static_cast<size_t>(m_s.folds), -1);
    m_signals = {{"operand_a", kValueKind, 32},
                 {"operand_b", kValueKind, 32},
                 {"operand_valid", SignalKind::kBit, 1},
                 {"psum", kValueKind, 64},
                 {"psum_valid", SignalKind::kBit, 1}};
  }

  // m_acc_rows points into the engine's own registers.
  OsEngine(const OsEngine&) = delete;
  OsEngine& operator=(const OsEngine&) = delete;

  TileResult run(IArrayObserver* obs) {
    const int64_t R = m_s.rows, C = m_s.cols;
    const int64_t expected = m_s.folds * R * C;
    const int64_t limit = m_s.start.back() + m_s.t + m_s.skew_in + m_s.depth * (R + C) + 8;
    if (obs) obs->begin(*this);
    for (m_x = 0; m_done < expected; ++m_x) {
      if (m_x > limit) throw InternalError("rtl: os array did not drain; schedule or registers are wrong");
      push_operands();
      markers(true);
      compute_rows();
      markers(false);
      if (obs) obs->on_cycle(m_x, *this);
      if (++m_now == m_hist) m_now = 0;
    }
    if (obs) obs->end(m_x);
    return tile_result(m_s, m_req.op, m_fold_landing, m_x);
  }

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

  size_t top_slot(int64_t y) const { return static_cast<size_t>(((y % m_hist) + m_hist) % m_hist); }

  template <typename Conv>
  auto signal(size_t s, int64_t r, int64_t c, Conv conv) const {
    const int64_t C = m_s.cols, D = m_s.depth;
    const std::string& name = m_signals[s].name;
    const int64_t age = m_s.skew_in + D * (r + c);
    if (name == "operand_a") return conv(m_rows.window(r)[age]);
    if (name == "operand_b") return conv(m_top[top_slot(m_x - D * r) * C + c]);
    if (name == "operand_valid") return conv(m_row_tags.window(0)[age] >= 0 ? 1 : 0);
    if (name == "psum") return conv(m_acc[r * C + c]);
    return conv(m_acc_tag[r * C + c] >= 0 ? 1 : 0);  // psum_valid
  }

  int64_t streaming_fold(int64_t x) {
    while (m_stream_fold < m_s.folds && x >= m_s.start[m_stream_fold] + m_s.t) ++m_stream_fold;
    if (m_stream_fold < m_s.folds && x >= m_s.start[m_stream_fold]) return m_stream_fold;
    return -1;
  }

  // Reads this cycle's operand vectors into the left edge (row chains) and the top edge (column
  // skew FIFOs: the weight of column j reaches PE (0, j) in cycle x + Ki + D*j).
  void push_operands() {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth;
    const int64_t f = streaming_fold(m_x);
    const int64_t t = f < 0 ? 0 : m_x - m_s.start[f];
    const int64_t i0 = f < 0 ? 0 : m_s.fold_row(f) * R, j0 = f < 0 ? 0 : m_s.fold_col(f) * C;
    const int32_t tag = f < 0 ? -1 : static_cast<int32_t>(f);
    m_rows.advance();
    m_row_tags.advance();
    m_row_tags.push(0, tag);
    const int64_t rows_real = f < 0 ? 0 : std::max<int64_t>(0, std::min(R, m_m - i0));
    for (int64_t r = 0; r < rows_real; ++r) m_rows.push(r, static_cast<V>(m_a[(i0 + r) * m_k + t]));
    for (int64_t r = rows_real; r < R; ++r) m_rows.push(r, V{});
    // Column c's slot is (x + Ki + D*c) mod hist; D*c < hist, so one wrap per step suffices.
    const int64_t cols_real = f < 0 ? 0 : std::max<int64_t>(0, std::min(C, m_n - j0));
    int64_t y = m_now + m_s.skew_in;  // top_slot(x + Ki): Ki <= 1 < hist
    if (y >= m_hist) y -= m_hist;
    for (int64_t c = 0; c < C; ++c) {
      const size_t at = static_cast<size_t>(y * C + c), mirror = at + static_cast<size_t>(m_hist * C);
      const V v = c < cols_real ? static_cast<V>(m_w[t * m_n + j0 + c]) : V{};
      m_top[at] = v;
      m_top[mirror] = v;
      m_top_tag[at] = tag;
      m_top_tag[mirror] = tag;
      y += D;
      if (y >= m_hist) y -= m_hist;
    }
  }

  // first: the fold's first operand pair resets PE accumulators before this cycle's MAC.
  // !first: the fold's last pair was added this cycle; the result leaves through the output edge.
  void markers(bool first) {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth;
    const int64_t span = m_s.skew_in + D * (R - 1 + C - 1) + m_s.t;
    while (m_mark_lo < m_s.folds && m_x > m_s.start[m_mark_lo] + span) ++m_mark_lo;
    const bool accumulate = m_req.op.accumulate;
    for (int64_t f = m_mark_lo; f < m_s.folds && m_s.start[f] + m_s.skew_in <= m_x; ++f) {
      const int64_t i0 = m_s.fold_row(f) * R, j0 = m_s.fold_col(f) * C;
      // The marker is at the PEs (r, c) with D*(r + c) = base: one anti-diagonal, or none when D
      // does not divide base.
      const int64_t base = m_x - m_s.start[f] - m_s.skew_in - (first ? 0 : m_s.t - 1);
      if (base < 0 || (D > 1 && base % D != 0)) continue;
      const int64_t diag = D == 1 ? base : base / D;  // r + c
      const int64_t r_lo = std::max<int64_t>(0, diag - (C - 1)), r_end = std::min(R, diag + 1);
      if (r_lo >= r_end) continue;
      // Real (inside the tile) PEs: r < rows_real and c < cols_real.
      const int64_t rows_real = m_m - i0, cols_real = m_n - j0;
      if (first) {
        for (int64_t r = r_lo; r < r_end; ++r) {
          const int64_t c = diag - r, pe = r * C + c;
          if (m_acc_tag[pe] >= 0) {
            throw InternalError(
                fmt::format("rtl: fold {} reached PE ({}, {}) in cycle {} before fold {} left", f, r, c, m_x,
                            m_acc_tag[pe]));
          }
          const bool real = r < rows_real && c < cols_real;
          m_acc[pe] = real && accumulate ? m_arith.from_out(m_out[(i0 + r) * m_n + j0 + c]) : Acc{};
          m_acc_tag[pe] = static_cast<int32_t>(f);
        }
        continue;
      }
      for (int64_t r = r_lo; r < r_end; ++r) {
        const int64_t c = diag - r, pe = r * C + c;
        if (m_acc_tag[pe] != f) {
          throw InternalError(
              fmt::format("rtl: PE ({}, {}) finished fold {} holding fold {}", r, c, f, m_acc_tag[pe]));
        }
        if (r < rows_real && c < cols_real) m_out[(i0 + r) * m_n + j0 + c] = m_arith.to_out(m_acc[pe]);
        m_acc_tag[pe] = -1;
      }
      m_done += r_end - r_lo;
      // Output register, de-skewed to the last PE of the fold's wavefront: every PE of the
      // anti-diagonal has (R - 1 - r) + (C - 1 - c) = R + C - 2 - diag.
      const int64_t leave = m_x + m_s.skew_out * (1 + D * (R + C - 2 - diag));
      m_fold_landing[f] = std::max(m_fold_landing[f], leave);
    }
  }

  void compute_rows() {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth;
    if constexpr (Arith::kPlain) {
      if (D == 1) {
        // m_rows and m_row_tags have one length and advance together: one head for both.
        const int64_t shift_b = m_now * C;  // top_slot(x) rows
        if (acc_rows(m_acc_rows.data(), R, C, m_rows.head(), shift_b)) hazard(-1);
        return;
      }
    }
    for (int64_t r = 0; r < R; ++r) {
      const V* a = m_rows.window(r) + m_s.skew_in + D * r;
      const int32_t* at = m_row_tags.window(0) + m_s.skew_in + D * r;
      const size_t y = top_slot(m_x - D * r) * static_cast<size_t>(C);
      const V* w = &m_top[y];
      const int32_t* wt = &m_top_tag[y];
      Acc* acc = &m_acc[r * C];
      const int32_t* acct = &m_acc_tag[r * C];
      for (int64_t c = 0; c < C; ++c) {
        const int32_t ta = at[c * D];
        if (ta != wt[c] || (ta >= 0 && ta != acct[c])) hazard(r);
        acc[c] = m_arith.mac(acc[c], a[c * D], w[c]);
      }
    }
  }

  [[noreturn]] void hazard(int64_t r) const {
    throw InternalError(fmt::format("rtl: os operands of different folds met in {} in cycle {}",
                                    r < 0 ? std::string("some row") : fmt::format("row {}", r), m_x));
  }

  const TileRequest& m_req;
  FoldSchedule m_s;
  Arith m_arith;
  const In* m_a;
  const In* m_w;
  Out* m_out;
  int64_t m_m = 0, m_n = 0, m_k = 0, m_hist = 1;
  DelayBank<V> m_rows;
  DelayBank<int32_t> m_row_tags;
  std::vector<V> m_top;
  std::vector<int32_t> m_top_tag;
  std::vector<Acc> m_acc;
  std::vector<AccRow<Acc, V>> m_acc_rows;  // the rows for the vectorised kernel (D = 1)
  std::vector<int32_t> m_acc_tag;
  std::vector<int64_t> m_fold_landing;
  std::vector<SignalInfo> m_signals;
  int64_t m_now = 0;  // m_x mod m_hist: top_slot(m_x) without a division
  int64_t m_x = 0, m_done = 0, m_stream_fold = 0, m_mark_lo = 0;
};

class OutputStationary final : public IRtlDataflow {
 public:
  TileResult run(const TileRequest& req, const int32_t* a, const int32_t* w, int64_t* out,
                 IArrayObserver* observer) const override {
    const auto m = static_cast<int64_t>(req.op.m), n = static_cast<int64_t>(req.op.n),
               k = static_cast<int64_t>(req.op.k);
    // An accumulator starts at its initial output and adds k products.
    const double init = req.op.accumulate ? max_abs(out, m * n) : 0.0;
    const double bound = init + static_cast<double>(k) * max_abs(a, m * k) * max_abs(w, k * n);
    return with_int_policy(req.acc, bound, fits_int16(a, m * k) && fits_int16(w, k * n), [&](auto arith) {
      OsEngine<decltype(arith), int32_t> engine(req, arith, a, w, out);
      return engine.run(observer);
    });
  }

  TileResult run(const TileRequest& req, const float* a, const float* w, float* out,
                 IArrayObserver* observer) const override {
    OsEngine<Fp32, float> engine(req, Fp32{req.acc}, a, w, out);
    return engine.run(observer);
  }
};

}  // namespace

void register_dataflow_os(DataflowRegistry& registry) {
  registry.add({GemmDim::kM, GemmDim::kN, GemmDim::kK}, [] { return std::make_unique<OutputStationary>(); });
}

}  // namespace systole::rtl::detail
