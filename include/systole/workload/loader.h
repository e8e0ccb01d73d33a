// Loading a Network: Systole YAML (.yaml/.yml) or a SCALE-Sim v2 topology CSV (.csv; conv
// format or the GEMM "Layer, M, N, K" format). Shapes are inferred and checked before return.
// Every problem is thrown as a WorkloadError naming the file, line, layer/key, value and rule.
#pragma once

#include <string>

#include "systole/workload/network.h"

namespace systole {

Network load_network(const std::string& path);
Network load_network_from_string(const std::string& text, const std::string& source_name, bool csv = false);

// Fills Layer::input_shapes, output_shape, dtype, macs, vector_ops, weight_elements; checks that
// every input exists earlier and that shapes agree. Throws WorkloadError.
void infer_shapes(Network& net);

}  // namespace systole
