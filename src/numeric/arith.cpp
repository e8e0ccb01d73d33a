#include "systole/numeric/arith.h"

namespace systole {

const char* to_string(Overflow o) {
  return o == Overflow::kSaturate ? "saturate" : "wrap";
}

bool parse_overflow(const std::string& s, Overflow* out) {
  if (s == "saturate") {
    *out = Overflow::kSaturate;
    return true;
  }
  if (s == "wrap") {
    *out = Overflow::kWrap;
    return true;
  }
  return false;
}

}  // namespace systole
