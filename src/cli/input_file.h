// Reading a file the user named on the command line (a report.json, a power.csv): the common
// reader (systole/common/input_file.h) with the flag or role named first in its message.
#pragma once

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/input_file.h"

namespace systole::cli {

// The whole file, at most kMaxReportBytes (the largest report Systole writes is a few MiB).
// UserError "<what> '<path>': <reason>" when it does not exist, is not a regular file (a
// directory, /dev/zero, a FIFO), is larger or cannot be read.
inline std::string read_input_file(const std::filesystem::path& path, const std::string& what) {
  std::string text, problem;
  if (!try_read_input_file(path.string(), "file", kMaxReportBytes, &text, &problem)) {
    throw UserError(fmt::format("{} '{}': {}", what, path.string(), problem));
  }
  return text;
}

}  // namespace systole::cli
