// Input-stationary: PE (i, j) of a fold holds a[m = j][k = i], preloaded through the rows; weight
// columns w[k][n = t] stream in from the left (row i carries k = i); partial sums over the fold's
// k flow down column j and leave as out[j][t] into the accumulator.
#include "systole/array/dataflow.h"

namespace systole {

void register_dataflow_is(DataflowRegistry& registry) {
  registry.add(Dataflow::kInputStationary,
               {/*rows=*/GemmDim::kK, /*cols=*/GemmDim::kM, /*stream=*/GemmDim::kN});
}

}  // namespace systole
