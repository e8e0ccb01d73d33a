// File names for --dump-tensors: a layer's name is input text and must never choose a path.
// Header-only so that the hardening tests can check the encoding directly.
#pragma once

#include <string>

#include <fmt/format.h>

#include "systole/report/sha256.h"

namespace systole::cli {

// "<encoded name>.npy": bytes in [A-Za-z0-9._-] are kept, every other byte (including '/', '%',
// and bytes of invalid UTF-8) becomes %XX (upper-case hex), and a leading '.' becomes %2E, so the
// result is never "." or "..", never hidden and never holds a separator; "" becomes "%". The
// encoding is injective: two layers never share a file. A name whose encoding would exceed 255
// bytes (NAME_MAX) is cut to 200 bytes (never inside a %XX) plus "~" and the first 16 hex digits
// of the SHA-256 of the whole name; '~' is encoded everywhere else, so a shortened name cannot
// equal a full one.
inline std::string tensor_file_name(const std::string& layer_name) {
  constexpr size_t kNameMax = 255;  // bytes in one file name (Linux NAME_MAX)
  constexpr size_t kKeptPrefix = 200;
  constexpr const char* kSuffix = ".npy";
  auto kept = [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  };
  std::string encoded;
  for (size_t i = 0; i < layer_name.size(); ++i) {
    const auto c = static_cast<unsigned char>(layer_name[i]);
    if (kept(c) && !(i == 0 && c == '.')) {
      encoded += static_cast<char>(c);
    } else {
      encoded += fmt::format("%{:02X}", c);
    }
  }
  if (encoded.empty()) encoded = "%";
  if (encoded.size() + 4 <= kNameMax) return encoded + kSuffix;
  size_t cut = kKeptPrefix;
  // Never split a %XX: back up to its '%' when the cut falls on its hex digits.
  for (size_t back = 1; back <= 2; ++back) {
    if (encoded[cut - back] == '%') {
      cut -= back;
      break;
    }
  }
  return encoded.substr(0, cut) + "~" + sha256_hex(layer_name).substr(0, 16) + kSuffix;
}

}  // namespace systole::cli
