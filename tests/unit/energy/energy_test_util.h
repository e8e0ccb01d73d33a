// Helpers for the energy tests: a small table written to a temp file, and reading shipped tables.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace systole::energy::test {

inline std::string shipped(const std::string& node) {
  return std::string(SYSTOLE_SOURCE_DIR) + "/arch/energy/" + node + ".yaml";
}

// Writes `text` to <tmp>/systole_energy_test_<pid>/<name>.yaml (per process: ctest runs tests in
// parallel processes) and returns the path.
inline std::string write_table(const std::string& name, const std::string& text) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("systole_energy_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / (name + ".yaml");
  std::ofstream(path) << text;
  return path.string();
}

// A complete, valid table with round numbers; tests edit one line of it at a time.
inline std::string small_table() {
  return "schema_version: 1\n"
         "node: test\n"
         "clock_tree_share: {value: 0.2, unit: fraction, source: s}\n"
         "register_shift: {value: 0.5, unit: pJ/byte, source: s}\n"
         "mac:\n"
         "  - {input: int8, weight: int8, accumulate: int32, value: 0.3, unit: pJ, source: s}\n"
         "  - {input: fp16, weight: fp16, accumulate: fp32, value: 2.0, unit: pJ, source: s}\n"
         "vector_op:\n"
         "  - {op: add, type: int32, value: 0.1, unit: pJ, source: s}\n"
         "  - {op: mul, type: fp32, value: 3.7, unit: pJ, source: s}\n"
         "sram:\n"
         "  word_bits: 64\n"
         "  points:\n"
         "    - capacity_kib: 8\n"
         "      read: {value: 10, unit: pJ, source: s}\n"
         "      write: {value: 12, unit: pJ, source: s}\n"
         "    - capacity_kib: 32\n"
         "      read: {value: 20, unit: pJ, source: s}\n"
         "      write: {value: 24, unit: pJ, source: s}\n"
         "dram:\n"
         "  - {standard: DDR4, value: 20, unit: pJ/bit, source: s}\n";
}

// small_table() with the first occurrence of `from` replaced by `to`.
inline std::string edited(const std::string& from, const std::string& to) {
  std::string t = small_table();
  const auto at = t.find(from);
  if (at == std::string::npos) return "";  // the test's ASSERT on the load result will fail
  return t.replace(at, from.size(), to);
}

}  // namespace systole::energy::test
