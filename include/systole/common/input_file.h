// Reading a user's input file safely: bounded size, only regular files, every OS error a
// UserError naming the path and the OS reason (docs/reliability.md).
#pragma once

#include <cstdint>
#include <string>

#include "systole/common/error.h"

namespace systole {

// Size limits of the inputs Systole reads, in bytes. Each is far above any real input of its
// kind (resnet50.yaml is 9 KiB; a 100,000-layer workload is ~6 MiB; the largest report.json
// written by a real run is a few MiB) and low enough that reading one never takes seconds or
// memory beyond a few times its size.
inline constexpr uint64_t kMaxConfigBytes = 4ull << 20;     // arch YAML/.cfg, DRAM presets, energy tables
inline constexpr uint64_t kMaxWorkloadBytes = 64ull << 20;  // workload YAML and SCALE-Sim CSV
inline constexpr uint64_t kMaxReportBytes = 256ull << 20;   // report.json read back by `systole energy`
inline constexpr uint64_t kMaxNpyBytes = 1ull << 30;        // .npy tensors (weights, inputs)

// The whole content of the file at `path`. `what` names the kind of input in messages ("config
// file", "workload file", ...). Throws UserError (exit 2) naming the path when it is missing, a
// directory or another non-regular file (a device, a FIFO), unreadable (with the OS reason), or
// larger than `max_bytes`. Never reads more than `max_bytes` + 1 bytes.
std::string read_input_file(const std::string& path, const std::string& what, uint64_t max_bytes);

// The same, without throwing: false with `problem` set to the reason ("cannot open the config file:
// no such file") when the file cannot be read.
bool try_read_input_file(const std::string& path, const std::string& what, uint64_t max_bytes,
                         std::string* text, std::string* problem);

// read_input_file whose failure is thrown as `Error` (ConfigError, WorkloadError) holding one
// Diagnostic naming the path, for loaders that report their file's problems as diagnostics.
template <typename Error>
std::string read_input_file_as(const std::string& path, const std::string& what, uint64_t max_bytes) {
  std::string text, problem;
  if (!try_read_input_file(path, what, max_bytes, &text, &problem)) {
    throw Error(Diagnostic{path, 0, "", "", problem});
  }
  return text;
}

}  // namespace systole
