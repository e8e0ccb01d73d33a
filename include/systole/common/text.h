// Text as it comes from users: UTF-8 validity, and the bounded, escaped excerpt of a value that
// diagnostics echo (so a binary blob or a NUL byte never garbles or floods an error message).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "systole/common/error.h"

namespace systole {

// Byte offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or std::string_view::npos when all of `s` is.
size_t first_invalid_utf8(std::string_view s);
inline bool is_valid_utf8(std::string_view s) {
  return first_invalid_utf8(s) == std::string_view::npos;
}

// Byte offset of the first C0 control character other than TAB, LF and CR, of DEL, of a C1 control
// (U+0080-U+009F) or of a bidirectional override or isolate (U+202A-E, U+2066-9); npos if none.
size_t first_control_char(std::string_view s);

// `s` made safe to print: control bytes and bytes of invalid UTF-8 become \xNN, a backslash stays a
// backslash; at most `max_bytes` bytes of `s` are shown, followed by "... (N bytes)" when cut.
std::string printable_excerpt(std::string_view s, size_t max_bytes = 120);

// `s` as a double-quoted YAML scalar: `"` and `\` escaped. For text check_input_text accepted (or
// generated names): no control characters to escape.
std::string yaml_quoted(std::string_view s);

// 1-based line and column (in bytes) of byte `offset` of `text`.
struct TextPosition {
  int line = 1;
  int column = 1;
};
TextPosition position_of(std::string_view text, size_t offset);

// Checks that an input file's text is UTF-8 without control characters (TAB, LF, CR allowed).
// Returns false and fills `problem` (source, line, "column C: byte 0xNN is ...") when it is not.
bool check_input_text(std::string_view text, const std::string& source, Diagnostic* problem);

}  // namespace systole
