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
    m_row_tags.reset(R, m_s.skew_in + D * (R - 1 + C - 1) + 1, -1);
    m_hist = m_s.skew_in + D * (C - 1) + D * (R - 1) + 2;
    m_top.assign(static_cast<size_t>(m_hist * C), V{});
    m_top_tag.assign(static_cast<size_t>(m_hist * C), -1);
    m_acc.assign(static_cast<size_t>(R * C), Acc{});
    m_acc_rows.resize(static_cast<size_t>(R));
    m_acc_tag.assign(static_cast<size_t>(R * C), -1);
    m_fold_landing.assign(static_cast<size_t>(m_s.folds), -1);
    m_signals = {{"operand_a", kValueKind, 32},
                 {"operand_b", kValueKind, 32},
                 {"operand_valid", SignalKind::kBit, 1},
                 {"psum", kValueKind, 64},
                 {"psum_valid", SignalKind::kBit, 1}};
  }

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
    }
    if (obs) obs->end(m_x);
    TileResult res;
    res.cycles = counted_cycles(m_s, m_req.op, m_fold_landing);
    res.folds = m_s.folds;
    res.simulated_cycles = m_x;
    res.pe_cycles = m_x * R * C;
    return res;
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
    if (name == "operand_valid") return conv(m_row_tags.window(r)[age] >= 0 ? 1 : 0);
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
    m_rows.advance();
    m_row_tags.advance();
    for (int64_t r = 0; r < R; ++r) {
      const bool real = f >= 0 && i0 + r < m_m;
      m_rows.push(r, real ? static_cast<V>(m_a[(i0 + r) * m_k + t]) : V{});
      m_row_tags.push(r, f < 0 ? -1 : static_cast<int32_t>(f));
    }
    for (int64_t c = 0; c < C; ++c) {
      const size_t at = top_slot(m_x + m_s.skew_in + D * c) * static_cast<size_t>(C) + static_cast<size_t>(c);
      const bool real = f >= 0 && j0 + c < m_n;
      m_top[at] = real ? static_cast<V>(m_w[t * m_n + j0 + c]) : V{};
      m_top_tag[at] = f < 0 ? -1 : static_cast<int32_t>(f);
    }
  }

  // first: the fold's first operand pair resets PE accumulators before this cycle's MAC.
  // !first: the fold's last pair was added this cycle; the result leaves through the output edge.
  void markers(bool first) {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth;
    const int64_t span = m_s.skew_in + D * (R - 1 + C - 1) + m_s.t;
    while (m_mark_lo < m_s.folds && m_x > m_s.start[m_mark_lo] + span) ++m_mark_lo;
    for (int64_t f = m_mark_lo; f < m_s.folds && m_s.start[f] + m_s.skew_in <= m_x; ++f) {
      const int64_t i0 = m_s.fold_row(f) * R, j0 = m_s.fold_col(f) * C;
      for (int64_t r = 0; r < R; ++r) {
        const int64_t d = m_x - m_s.start[f] - m_s.skew_in - D * r - (first ? 0 : m_s.t - 1);
        if (d < 0 || (D > 1 && d % D != 0)) continue;
        const int64_t c = D == 1 ? d : d / D, pe = r * C + c;
        if (c >= C) continue;
        const bool real = i0 + r < m_m && j0 + c < m_n;
        const int64_t e = (i0 + r) * m_n + j0 + c;
        if (first) {
          if (m_acc_tag[pe] >= 0) {
            throw InternalError(
                fmt::format("rtl: fold {} reached PE ({}, {}) in cycle {} before fold {} left", f, r, c, m_x,
                            m_acc_tag[pe]));
          }
          m_acc[pe] = real && m_req.op.accumulate ? m_arith.from_out(m_out[e]) : Acc{};
          m_acc_tag[pe] = static_cast<int32_t>(f);
          continue;
        }
        if (m_acc_tag[pe] != f) {
          throw InternalError(
              fmt::format("rtl: PE ({}, {}) finished fold {} holding fold {}", r, c, f, m_acc_tag[pe]));
        }
        // Output register, de-skewed to the last PE of the fold's wavefront.
        const int64_t leave = m_x + m_s.skew_out * (1 + D * ((R - 1 - r) + (C - 1 - c)));
        m_fold_landing[f] = std::max(m_fold_landing[f], leave);
        if (real) m_out[e] = m_arith.to_out(m_acc[pe]);
        m_acc_tag[pe] = -1;
        ++m_done;
      }
    }
  }

  void compute_rows() {
    const int64_t R = m_s.rows, C = m_s.cols, D = m_s.depth;
    if constexpr (Arith::kPlain) {
      if (D == 1) {
        for (int64_t r = 0; r < R; ++r) {
          const int64_t age = m_s.skew_in + r;
          const size_t y = top_slot(m_x - r) * static_cast<size_t>(C);
          m_acc_rows[r] = {&m_acc[r * C], m_rows.window(r) + age, &m_top[y], m_row_tags.window(r) + age,
                           &m_top_tag[y], &m_acc_tag[r * C]};
        }
        if (acc_rows(m_acc_rows.data(), R, C)) hazard(-1);
        return;
      }
    }
    for (int64_t r = 0; r < R; ++r) {
      const V* a = m_rows.window(r) + m_s.skew_in + D * r;
      const int32_t* at = m_row_tags.window(r) + m_s.skew_in + D * r;
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
  std::vector<AccRow<Acc, V>> m_acc_rows;  // this cycle's rows for the vectorised kernel
  std::vector<int32_t> m_acc_tag;
  std::vector<int64_t> m_fold_landing;
  std::vector<SignalInfo> m_signals;
  int64_t m_x = 0, m_done = 0, m_stream_fold = 0, m_mark_lo = 0;
};

class OutputStationary final : public IRtlDataflow {
 public:
  Dataflow dataflow() const override { return Dataflow::kOutputStationary; }

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
  registry.add("os", [] { return std::make_unique<OutputStationary>(); });
}

}  // namespace systole::rtl::detail
