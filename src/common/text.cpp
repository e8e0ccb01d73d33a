#include "systole/common/text.h"

#include <fmt/format.h>

namespace systole {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when it is not one.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte (RFC 3629 table)
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

bool is_control(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
}

}  // namespace

size_t first_invalid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

size_t first_control_char(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
    if (is_control(b(0))) return i;
    // C1 controls U+0080-U+009F (C2 80-C2 9F), and the bidirectional overrides and isolates
    // U+202A-U+202E (E2 80 AA-AE) and U+2066-U+2069 (E2 81 A6-A9) that make a name display as
    // something else in a terminal or an editor.
    if (b(0) == 0xC2 && b(1) >= 0x80 && b(1) <= 0x9F) return i;
    if (b(0) == 0xE2 && b(1) == 0x80 && b(2) >= 0xAA && b(2) <= 0xAE) return i;
    if (b(0) == 0xE2 && b(1) == 0x81 && b(2) >= 0xA6 && b(2) <= 0xA9) return i;
  }
  return std::string_view::npos;
}

std::string printable_excerpt(std::string_view s, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < s.size() && i < max_bytes) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = utf8_sequence_length(s, i);
    if (c == '\n' || c == '\t' || c == '\r') {
      out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r";
      ++i;
    } else if (n == 0 || is_control(c)) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    } else if (i + n > max_bytes) {
      break;  // never cut a character in half
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  if (i < s.size()) out += fmt::format("... ({} bytes)", s.size());
  return out;
}

TextPosition position_of(std::string_view text, size_t offset) {
  TextPosition p;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

bool check_input_text(std::string_view text, const std::string& source, Diagnostic* problem) {
  size_t bad = first_invalid_utf8(text);
  const bool utf8 = bad == std::string_view::npos;
  if (utf8) bad = first_control_char(text);
  if (bad == std::string_view::npos) return true;
  const TextPosition p = position_of(text, bad);
  *problem = Diagnostic{
      source, p.line, "", "",
      fmt::format("column {}: byte 0x{:02x} is {}: the file must be UTF-8 text", p.column,
                  static_cast<unsigned char>(text[bad]), utf8 ? "a control character" : "not valid UTF-8")};
  return false;
}

std::string yaml_quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace systole
