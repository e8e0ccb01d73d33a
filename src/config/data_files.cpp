#include "systole/config/data_files.h"

#include <algorithm>
#include <filesystem>

#include "systole/common/error.h"
#include "systole/config/yaml_text.h"

#ifndef SYSTOLE_DATA_DIR
#error "SYSTOLE_DATA_DIR must name the source tree (set on systole_config in src/CMakeLists.txt)"
#endif

namespace systole {
std::string arch_data_dir(const std::string& subdir) {
  return std::string(SYSTOLE_DATA_DIR) + "/arch/" + subdir;
}

std::vector<std::string> yaml_stems(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".yaml") {
      out.push_back(entry.path().stem().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string find_arch_data_file(const std::string& subdir, const std::string& key, const std::string& what,
                                const std::string& name, const std::string& arch_dir) {
  const bool is_path = name.find('/') != std::string::npos ||
                       (name.size() > 5 && name.compare(name.size() - 5, 5, ".yaml") == 0);
  if (is_path) return name;
  const std::string shipped_dir = arch_data_dir(subdir);
  std::vector<std::string> searched;
  std::error_code ec;
  if (!arch_dir.empty()) {
    const std::string local = arch_dir + "/" + subdir + "/" + name + ".yaml";
    if (std::filesystem::is_regular_file(local, ec)) return local;
    searched.push_back(arch_dir + "/" + subdir);
  }
  const std::string shipped = shipped_dir + "/" + name + ".yaml";
  if (std::filesystem::is_regular_file(shipped, ec)) return shipped;
  // The arch file may live in the source tree's arch/: name that directory once.
  if (searched.empty() || !std::filesystem::equivalent(searched.front(), shipped_dir, ec)) {
    searched.push_back(shipped_dir);
  }
  std::vector<std::string> found;
  for (const auto& dir : searched) {
    for (auto& stem : yaml_stems(dir)) {
      if (std::find(found.begin(), found.end(), stem) == found.end()) found.push_back(stem);
    }
  }
  std::sort(found.begin(), found.end());
  throw ConfigError(Diagnostic{"", 0, key, name,
                               "no such " + what + " (searched " + join_comma(searched) + "; available: " +
                                   (found.empty() ? std::string("none") : join_comma(found)) + ")"});
}

}  // namespace systole
