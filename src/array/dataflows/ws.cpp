// Weight-stationary (the TPU's): PE (i, j) of a fold holds w[k = i][n = j], preloaded through the
// rows; input rows a[m = t][k] stream in from the left (row i carries k = i); partial sums over
// the fold's k flow down column j and leave as out[t][j] into the accumulator.
#include "systole/array/dataflow.h"

namespace systole {

void register_dataflow_ws(DataflowRegistry& registry) {
  registry.add(Dataflow::kWeightStationary,
               {/*rows=*/GemmDim::kK, /*cols=*/GemmDim::kN, /*stream=*/GemmDim::kM});
}

}  // namespace systole
