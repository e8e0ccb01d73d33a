// Reading a file the user named (a report.json, a power.csv): only regular files, at most
// kMaxInputBytes, every OS error a UserError naming the path and the OS's reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace systole::cli {

// 256 MiB: report.json of the largest shipped workload in rtl fidelity with every trace is under
// 10 MiB; anything this big is not a Systole file, and reading it would only exhaust memory.
inline constexpr std::uintmax_t kMaxInputBytes = 256ull << 20;

// The whole file. UserError "<what> '<path>': <reason>" when it does not exist, is not a regular
// file (a directory, /dev/zero, a FIFO), is larger than `limit` bytes or cannot be read.
std::string read_input_file(const std::filesystem::path& path, const std::string& what,
                            std::uintmax_t limit = kMaxInputBytes);

}  // namespace systole::cli
