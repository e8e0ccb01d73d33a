// Weight-stationary: PE (i, j) of a fold holds w[k = i][n = j]; input rows a[m = t][k] stream in
// from the left (row i carries k = i); partial sums over the fold's k flow down column j and
// leave as out[t][j]. Sr = k, Sc = n, T = m.
#include "column_dataflow.h"
#include "dataflow_list.h"

namespace systole::rtl::detail {

// Not in an anonymous namespace: ColumnDataflow, a template with external linkage, holds it.

template <typename V>
struct WsMapping {
  int64_t m, n, k;
  const V* a;
  const V* w;
  V stationary(int64_t i, int64_t j) const { return w[i * n + j]; }
  V stream(int64_t t, int64_t i) const { return a[t * k + i]; }
  int64_t out_index(int64_t t, int64_t j) const { return t * n + j; }
};

void register_dataflow_ws(DataflowRegistry& registry) {
  registry.add({GemmDim::kK, GemmDim::kN, GemmDim::kM},
               [] { return std::make_unique<ColumnDataflow<WsMapping>>(); });
}

}  // namespace systole::rtl::detail
