// Output-stationary: PE (i, j) of a fold accumulates out[m = i][n = j] in place; input rows
// a[m = i][k = t] stream in from the left and weight columns w[k = t][n = j] from the top; the
// results leave through the output registers after the fold's last k.
#include "systole/array/dataflow.h"

namespace systole {

void register_dataflow_os(DataflowRegistry& registry) {
  registry.add(Dataflow::kOutputStationary,
               {/*rows=*/GemmDim::kM, /*cols=*/GemmDim::kN, /*stream=*/GemmDim::kK});
}

}  // namespace systole
