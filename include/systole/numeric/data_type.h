// The element types Systole computes with, their YAML spellings and sizes. The lowest layer that
// names a number format: numeric/ and everything above it use this one enum.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace systole {

enum class DataType { kInt8, kInt16, kInt32, kFp16, kBf16, kFp32 };

// "int8", "int16", "int32", "fp16", "bf16", "fp32"
const char* to_string(DataType t);
// false (and *out untouched) for any other spelling.
bool parse_data_type(const std::string& s, DataType* out);
std::vector<std::string> data_type_names();
int64_t bytes_of(DataType t);  // 1, 2, 4

}  // namespace systole
