#pragma once

#include <string>

namespace systole {

// Lower-case hex SHA-256 of a file's bytes. Throws UserError naming the file if it cannot be read.
std::string sha256_file(const std::string& path);
std::string sha256_hex(const std::string& bytes);

}  // namespace systole
