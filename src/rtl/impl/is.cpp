// Input-stationary: PE (i, j) of a fold holds a[m = j][k = i]; weight columns w[k][n = t] stream
// in from the left (row i carries k = i); partial sums over the fold's k flow down column j and
// leave as out[j][t]. Sr = k, Sc = m, T = n.
#include "column_dataflow.h"
#include "dataflow_list.h"

namespace systole::rtl::detail {

// Not in an anonymous namespace: ColumnDataflow, a template with external linkage, holds it.

template <typename V>
struct IsMapping {
  int64_t m, n, k;
  const V* a;
  const V* w;
  V stationary(int64_t i, int64_t j) const { return a[j * k + i]; }
  V stream(int64_t t, int64_t i) const { return w[i * n + t]; }
  int64_t out_index(int64_t t, int64_t j) const { return j * n + t; }
};

void register_dataflow_is(DataflowRegistry& registry) {
  registry.add({GemmDim::kK, GemmDim::kM, GemmDim::kN},
               [] { return std::make_unique<ColumnDataflow<IsMapping>>(); });
}

}  // namespace systole::rtl::detail
