// systole import: an ONNX model as a Systole workload YAML (onnx/importer.h, docs/onnx.md), to
// read, edit or keep beside the model. `--workload model.onnx` runs the same import in memory.
#include <boost/program_options.hpp>
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/output_target.h"
#include "systole/common/error.h"
#include "systole/onnx/importer.h"

namespace po = boost::program_options;

namespace systole::cli {

int import_command(const std::vector<std::string>& args) {
  std::string model, out, dtype = "int8";
  std::vector<std::string> set_dims;
  bool skip_unsupported = false, force = false, list_ops = false;
  po::options_description desc("import options");
  desc.add_options()("help,h", "show this help")(
      "out,o", po::value(&out), "write the workload YAML to this file (default: standard output)")(
      "set-dim", po::value(&set_dims)->composing(),
      "the value of a symbolic input dimension, --set-dim batch=1 (repeatable)")(
      "skip-unsupported", po::bool_switch(&skip_unsupported),
      "import unsupported nodes as zero-cost placeholders (with a warning) instead of refusing the model")(
      "dtype", po::value(&dtype),
      "element type of the activations: int8 (default), int16, int32, fp16, bf16, fp32 (a run uses its "
      "arch's)")("force", po::bool_switch(&force), "replace --out even when it is not an imported workload")(
      "list-ops", po::bool_switch(&list_ops), "print the supported ONNX operators and exit");
  po::options_description hidden;
  hidden.add_options()("model", po::value(&model), "the ONNX model");
  po::positional_options_description pos;
  pos.add("model", 1);
  const auto vm =
      parse_command_line("import",
                         "systole import MODEL.onnx [-o workload.yaml] [--set-dim NAME=VALUE ...] "
                         "[--skip-unsupported] [--dtype T] [--list-ops]\n\n"
                         "Writes the ONNX model as a Systole workload (docs/onnx.md); `systole run "
                         "--workload MODEL.onnx`\nruns the same import in memory.",
                         args, desc, &hidden, &pos);
  if (!vm) return 0;
  if (list_ops) {
    for (const std::string& op : onnx_import::supported_op_types()) std::cout << op << "\n";
    return 0;
  }
  nonempty_path("MODEL", model, "an ONNX model file");
  onnx_import::ImportOptions options;
  for (const std::string& d : set_dims) onnx_import::parse_set_dim(d, &options.dims);
  options.skip_unsupported = skip_unsupported;
  if (!parse_data_type(dtype, &options.dtype)) {
    throw UserError(fmt::format("--dtype '{}': must be one of int8, int16, int32, fp16, bf16, fp32", dtype));
  }
  InterruptScope interrupts;
  std::optional<OutputTarget> target;
  if (vm->count("out")) {
    nonempty_path("--out", out, "a file for the workload YAML");
    target.emplace("--out", out, text_file_kind(onnx_import::kImportedHeader, "an earlier imported workload"),
                   force);
  }
  const onnx_import::ImportResult r = onnx_import::import_onnx(model, options);
  for (const std::string& w : r.warnings) std::cerr << "warning: " << w << "\n";
  throw_if_interrupted();
  if (!target) {
    std::cout << r.yaml;
    return 0;
  }
  write_text_file(target->stage(), r.yaml, "--out", out);
  throw_if_interrupted();
  target->commit();
  return 0;
}

}  // namespace systole::cli
