// Files shipped beside the architecture presets (arch/dram/*.yaml, arch/energy/*.yaml) and named
// by a config key: one lookup rule for all of them.
#pragma once

#include <string>
#include <vector>

namespace systole {

// <source tree>/arch/<subdir> (the data dir is compiled in).
std::string arch_data_dir(const std::string& subdir);

// Stems of the .yaml files in `dir`, sorted; empty when `dir` does not exist.
std::vector<std::string> yaml_stems(const std::string& dir);

// The file for `name`, the value of config key `key`: a path (containing '/' or ending in .yaml)
// is returned as is; a name is looked up in `<arch_dir>/<subdir>/<name>.yaml` when arch_dir is not
// empty and that file exists, else in `<source tree>/arch/<subdir>/<name>.yaml`. Throws ConfigError
// on `key` (no file or line: the caller knows where the key was written) naming the places
// searched and the files available there, described as `what` ("DRAM preset", "energy table").
std::string find_arch_data_file(const std::string& subdir, const std::string& key, const std::string& what,
                                const std::string& name, const std::string& arch_dir);

}  // namespace systole
