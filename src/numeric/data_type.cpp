#include "systole/numeric/data_type.h"

#include <array>
#include <utility>

namespace systole {
namespace {

constexpr std::array<std::pair<DataType, const char*>, 6> kDataTypes{{
    {DataType::kInt8, "int8"},
    {DataType::kInt16, "int16"},
    {DataType::kInt32, "int32"},
    {DataType::kFp16, "fp16"},
    {DataType::kBf16, "bf16"},
    {DataType::kFp32, "fp32"},
}};

}  // namespace

const char* to_string(DataType t) {
  for (const auto& [v, name] : kDataTypes) {
    if (v == t) return name;
  }
  return "?";
}

bool parse_data_type(const std::string& s, DataType* out) {
  for (const auto& [v, name] : kDataTypes) {
    if (s == name) {
      *out = v;
      return true;
    }
  }
  return false;
}

std::vector<std::string> data_type_names() {
  std::vector<std::string> out;
  for (const auto& entry : kDataTypes) out.emplace_back(entry.second);
  return out;
}

int64_t bytes_of(DataType t) {
  switch (t) {
    case DataType::kInt8:
      return 1;
    case DataType::kInt16:
    case DataType::kFp16:
    case DataType::kBf16:
      return 2;
    case DataType::kInt32:
    case DataType::kFp32:
      return 4;
  }
  return 0;
}

}  // namespace systole
