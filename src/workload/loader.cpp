// Format dispatch for workload files: the extension picks the reader.
#include "systole/workload/loader.h"

#include <cctype>
#include <filesystem>

#include "systole/common/error.h"
#include "systole/common/input_file.h"
#include "systole/common/text.h"

namespace systole {
namespace {

std::string lower_extension(const std::string& path) {
  size_t slash = path.find_last_of('/');
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

}  // namespace

Network load_network(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw WorkloadError(Diagnostic{path, 0, "", "", "cannot read the workload file: it is a directory"});
  }
  const std::string ext = lower_extension(path);
  if (ext != ".yaml" && ext != ".yml" && ext != ".csv") {
    throw WorkloadError(
        Diagnostic{path, 0, "", ext,
                   "unknown workload format: expected a .yaml/.yml workload, a SCALE-Sim "
                   ".csv topology or (through the run library, docs/onnx.md) an .onnx model"});
  }
  return load_network_from_string(read_input_file_as<WorkloadError>(path, "workload file", kMaxWorkloadBytes),
                                  path, ext == ".csv");
}

Network load_network_from_string(const std::string& text, const std::string& source_name, bool csv) {
  if (csv) {
    // The YAML reader checks its text itself (config/yaml_document.h); a CSV's names reach
    // report.json and layers.csv, so its text must be UTF-8 without control characters too.
    if (Diagnostic bad; !check_input_text(text, source_name, &bad)) throw WorkloadError(bad);
  }
  return csv ? load_csv_network(text, source_name) : load_yaml_network(text, source_name);
}

}  // namespace systole
