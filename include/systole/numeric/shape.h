// A tensor's shape: its extents, outermost first (NCHW for images).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace systole {

using Shape = std::vector<int64_t>;
std::string shape_str(const Shape& s);  // "[1, 64, 56, 56]"
int64_t num_elements(const Shape& s);   // the product of the extents (1 for [])

}  // namespace systole
