// The batch of a network (docs/workload-format.md "Batch"): the leading dimension every network input
// shares. A network takes another batch when every layer keeps the batch as its output's leading
// dimension with the other dimensions unchanged, so that each image's slice of every tensor is
// one contiguous block and no layer mixes images. `--batch` and layer pipelining rely on it.
#pragma once

#include <cstdint>

#include "systole/workload/network.h"

namespace systole {

// The leading dimension every input of net shares; WorkloadError naming the inputs when they
// disagree, when one has no dimension, or when there is no input.
int64_t network_batch(const Network& net);

// net with every input's leading dimension set to `batch` (>= 1) and its shapes inferred again;
// WorkloadError naming the first layer that does not take the batch (its shapes fail, or its
// output is not [batch, the same other dimensions]: a reshape that writes the batch into its
// shape, a transpose that moves it, a layer that mixes images). Inputs keep their .npy files: a
// functional run then refuses one whose shape is not the new one (naming the file and both shapes).
Network with_batch(const Network& net, int64_t batch);

}  // namespace systole
