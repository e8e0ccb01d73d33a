// Writing a whole file to a user's path, with the OS's reason when it fails.
#pragma once

#include <string>
#include <string_view>

namespace systole {

// Creates (or truncates) `path` and writes all of `text` to it, retrying interrupted writes.
// Returns 0, or the errno of the failing open/write/close (a full disk, a read-only folder, a
// file-size limit); a partly written file is left for the caller to remove.
int write_whole_file(const std::string& path, std::string_view text);

}  // namespace systole
