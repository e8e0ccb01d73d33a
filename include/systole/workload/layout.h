// Which layers are views in a given network (workload/operator.h LayoutView): a layer is what its
// operator says, except a strided view (transpose) that some layer reads without strides
// (IOperator::reads_strided false: anything but a matmul or another transpose). A reshape of it
// would need the transposed elements in the order its shape lists them, which no strides express,
// and a vector layer walks its input contiguously; so the transpose is materialised instead: the
// compiler copies it into a contiguous tensor of its own (kNone here), as an NPU's DMA must, and
// its readers read that. No SystemC here.
#pragma once

#include "systole/workload/network.h"
#include "systole/workload/operator.h"

namespace systole {

// `l`'s layout in `net` (above). O(layers x inputs): it looks at every reader of a transpose.
LayoutView layout_of(const Network& net, const Layer& l);

}  // namespace systole
