// Loading a Network: Systole YAML (.yaml/.yml) or a SCALE-Sim v2 topology CSV (.csv; conv
// format or the GEMM "Layer, M, N, K" format). Shapes are inferred and checked before return.
// Every problem is thrown as a WorkloadError naming the file, line, layer/key, value and rule.
// The YAML format is documented in docs/workload-format.md.
#pragma once

#include <string>

#include "systole/workload/network.h"

namespace systole {

// Picks the format from the extension (.yaml/.yml or .csv). A missing or unreadable file is a
// WorkloadError ("cannot open").
Network load_network(const std::string& path);
Network load_network_from_string(const std::string& text, const std::string& source_name, bool csv = false);

// The two formats, from text; `source_name` is the file named in diagnostics.
Network load_yaml_network(const std::string& text, const std::string& source_name);
// SCALE-Sim layers are independent: each layer gets its own network input ("<layer>_ifmap",
// [1, C, H, W] for conv rows, [M, K] for GEMM rows), and conv rows have zero padding.
Network load_csv_network(const std::string& text, const std::string& source_name);

// Fills Layer::input_shapes, output_shape, dtype, macs, vector_ops, weight_elements; checks that
// every input exists earlier and that shapes agree. Resolves "same" padding into pad_* fields.
// Collects every problem (a layer whose input failed is skipped), then throws WorkloadError.
void infer_shapes(Network& net);

}  // namespace systole
