// Fuzz target: an ONNX model file (onnx_import::import_onnx_bytes, what `systole import` and
// `--workload model.onnx` read), with --skip-unsupported off and on. Contract: only UserError
// escapes; an accepted model's workload YAML either loads (and satisfies workload_check.h's
// invariants) or is refused with a WorkloadError, and importing the same bytes twice gives the
// same text. The second import reads the model's weights (an fp16 weight format): each belongs to
// a layer of the workload and holds exactly its weight elements.
#include <cstddef>
#include <cstdint>
#include <string>

#include "systole/onnx/importer.h"
#include "workload_check.h"

namespace {

void import_once(const std::string& bytes, bool skip) {
  using namespace systole;
  onnx_import::ImportOptions o;
  o.skip_unsupported = skip;
  if (skip) o.weight_type = DataType::kFp16;
  o.dims["batch"] = 1;  // the seeds' symbolic dim; a model without it is refused by name
  onnx_import::ImportResult r;
  if (!fuzz::accepts("import_onnx_bytes",
                     [&] { r = onnx_import::import_onnx_bytes(bytes, "fuzz.onnx", o); })) {
    o.dims.clear();  // the same model without --set-dim
    if (!fuzz::accepts("import_onnx_bytes",
                       [&] { r = onnx_import::import_onnx_bytes(bytes, "fuzz.onnx", o); }))
      return;
  }
  fuzz::holds("deterministic", [&] {
    const auto again = onnx_import::import_onnx_bytes(bytes, "fuzz.onnx", o);
    FUZZ_CHECK(again.yaml == r.yaml, "importing the same model twice differs");
  });
  Network net;
  if (!fuzz::accepts("load_yaml_network(imported)", [&] { net = load_yaml_network(r.yaml, "fuzz.onnx"); }))
    return;
  fuzz::holds("invariants", [&] { fuzz::check_network(net, "imported ONNX"); });
  fuzz::holds("weights", [&] {
    for (const auto& [name, w] : r.weights) {
      const Layer* l = net.find_layer(name);
      FUZZ_CHECK(l != nullptr, "weights for '" + name + "', which is no layer");
      FUZZ_CHECK(w.dtype == DataType::kFp16 && w.elements() == l->weight_elements,
                 "the weights of '" + name + "' do not fit the layer");
    }
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  import_once(bytes, false);
  import_once(bytes, true);
  return 0;
}
