// .npy reader and writer (format 1.0 / 2.0). Layout: magic "\x93NUMPY", major, minor, header
// length (uint16 LE in 1.0, uint32 LE in 2.0), an ASCII Python dict literal
// {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded with spaces and a final '\n' so
// that the data starts at a multiple of 64 bytes, then the raw little-endian C-order data.
#include "systole/numeric/npy.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/input_file.h"

namespace systole {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kAlign = 64;
constexpr size_t kGrowthAxisMaxDigits = 21;  // NumPy leaves room to grow shape[0] in place

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw UserError(fmt::format("{}: not a readable .npy file: {}", path, what));
}

// The NumPy descr of a dtype as written by NumPy itself (int8 is byte-order free: '|i1').
const char* descr_of(DataType t) {
  switch (t) {
    case DataType::kInt8:
      return "|i1";
    case DataType::kInt16:
      return "<i2";
    case DataType::kInt32:
      return "<i4";
    case DataType::kFp16:
      return "<f2";
    case DataType::kBf16:
      return "<u2";
    case DataType::kFp32:
      return "<f4";
  }
  return "?";
}

// A value of the header dict: a string, a bool, or a tuple of integers.
struct HeaderValue {
  enum Kind { kString, kBool, kTuple } kind = kString;
  std::string str;
  bool boolean = false;
  std::vector<int64_t> ints;
};

// Recursive-descent parser for the subset of Python literals NumPy writes in .npy headers.
class HeaderParser {
 public:
  HeaderParser(const std::string& path, const std::string& text) : m_path(path), m_text(text) {}

  std::map<std::string, HeaderValue> parse_dict() {
    std::map<std::string, HeaderValue> out;
    expect('{');
    while (true) {
      skip_ws();
      if (peek() == '}') break;
      const std::string key = parse_string();
      expect(':');
      HeaderValue v = parse_value();
      if (!out.emplace(key, std::move(v)).second) error(fmt::format("key '{}' appears twice", key));
      skip_ws();
      if (peek() == ',') {
        ++m_pos;
        continue;
      }
      if (peek() != '}') error("expected ',' or '}' in the header dict");
    }
    ++m_pos;
    skip_ws();
    if (m_pos != m_text.size()) error("unexpected text after the header dict");
    return out;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    fail(m_path, fmt::format("header {} (at offset {} of \"{}\")", what, m_pos, printable()));
  }
  std::string printable() const {
    std::string s;
    for (char c : m_text) s += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    return s;
  }
  void skip_ws() {
    while (m_pos < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_pos]))) ++m_pos;
  }
  char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
  void expect(char c) {
    skip_ws();
    if (peek() != c) error(fmt::format("expected '{}'", c));
    ++m_pos;
  }
  std::string parse_string() {
    skip_ws();
    const char q = peek();
    if (q != '\'' && q != '"') error("expected a quoted string");
    const size_t end = m_text.find(q, m_pos + 1);
    if (end == std::string::npos) error("has an unterminated string");
    std::string s = m_text.substr(m_pos + 1, end - m_pos - 1);
    m_pos = end + 1;
    return s;
  }
  int64_t parse_int() {
    skip_ws();
    const size_t start = m_pos;
    int64_t v = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      if (v > (INT64_MAX - 9) / 10) error("has a dimension too large");
      v = v * 10 + (m_text[m_pos++] - '0');
    }
    if (m_pos == start) error("expected a non-negative integer in the shape");
    if (peek() == 'L') ++m_pos;  // Python 2 long suffix
    return v;
  }
  HeaderValue parse_value() {
    skip_ws();
    HeaderValue v;
    const char c = peek();
    if (c == '\'' || c == '"') {
      v.kind = HeaderValue::kString;
      v.str = parse_string();
    } else if (m_text.compare(m_pos, 4, "True") == 0 || m_text.compare(m_pos, 5, "False") == 0) {
      v.kind = HeaderValue::kBool;
      v.boolean = m_text[m_pos] == 'T';
      m_pos += v.boolean ? 4 : 5;
    } else if (c == '(') {
      v.kind = HeaderValue::kTuple;
      ++m_pos;
      while (true) {
        skip_ws();
        if (peek() == ')') break;
        v.ints.push_back(parse_int());
        skip_ws();
        if (peek() == ',') {
          ++m_pos;
        } else if (peek() != ')') {
          error("expected ',' or ')' in the shape tuple");
        }
      }
      ++m_pos;
    } else if (c == '[') {
      error("has a structured (record) descr; only plain numeric dtypes are supported");
    } else {
      error("has a value that is not a string, bool or tuple");
    }
    return v;
  }

  const std::string& m_path;
  const std::string& m_text;
  size_t m_pos = 0;
};

std::string expected_list() {
  return "'|i1' (int8), '<i2' (int16), '<i4' (int32), '<f2' (fp16), '<f4' (fp32), '<u2' (bf16 bits)";
}

// The dtype a descr denotes; '<u2' only when the caller expects bf16.
DataType dtype_of(const std::string& path, const std::string& descr, const DataType* expected) {
  static const std::map<std::string, DataType> kDescrs = {
      {"|i1", DataType::kInt8},  {"<i1", DataType::kInt8},  {"i1", DataType::kInt8},
      {"<i2", DataType::kInt16}, {"<i4", DataType::kInt32}, {"<f2", DataType::kFp16},
      {"<f4", DataType::kFp32},
  };
  DataType t;
  auto it = kDescrs.find(descr);
  if (it != kDescrs.end()) {
    t = it->second;
  } else if (descr == "<u2" && expected && *expected == DataType::kBf16) {
    t = DataType::kBf16;
  } else if (descr == "<u2") {
    fail(path, "dtype '<u2' is read only as bfloat16 bit patterns, where a bf16 tensor is expected");
  } else {
    fail(path, fmt::format("unsupported dtype '{}'; expected one of {}", descr, expected_list()));
  }
  if (expected && *expected != t) {
    fail(path, fmt::format("dtype '{}' is {}, but {} was expected (descr '{}')", descr, to_string(t),
                           to_string(*expected), descr_of(*expected)));
  }
  return t;
}

uint64_t read_le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int b = n - 1; b >= 0; --b) v = (v << 8) | p[b];
  return v;
}

}  // namespace

Tensor read_npy(const std::string& path, const DataType* expected) {
  const std::string data = read_input_file(path, ".npy file", kMaxNpyBytes);
  const auto* u = reinterpret_cast<const unsigned char*>(data.data());
  if (data.size() < kMagicLen + 2 || data.compare(0, kMagicLen, kMagic) != 0) {
    fail(path, "bad magic: expected the 6 bytes \"\\x93NUMPY\" at the start");
  }
  const int major = u[6], minor = u[7];
  if ((major != 1 && major != 2) || minor != 0) {
    fail(path, fmt::format("format version {}.{} is not supported; expected 1.0 or 2.0", major, minor));
  }
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicLen + 2 + len_bytes;
  if (data.size() < prefix) fail(path, "truncated before the header length");
  const size_t header_len = read_le(u + kMagicLen + 2, static_cast<int>(len_bytes));
  if (data.size() < prefix + header_len) {
    fail(path, fmt::format("truncated header: {} header bytes declared, {} present", header_len,
                           data.size() - prefix));
  }
  const std::string header = data.substr(prefix, header_len);
  HeaderParser parser(path, header);
  const auto dict = parser.parse_dict();
  auto get = [&](const char* key, HeaderValue::Kind kind, const char* what) -> const HeaderValue& {
    auto it = dict.find(key);
    if (it == dict.end()) fail(path, fmt::format("header has no '{}' key; expected {}", key, what));
    if (it->second.kind != kind) fail(path, fmt::format("header '{}' must be {}", key, what));
    return it->second;
  };
  const HeaderValue& descr = get("descr", HeaderValue::kString, "a dtype string such as '<f4'");
  const HeaderValue& fortran = get("fortran_order", HeaderValue::kBool, "True or False");
  const HeaderValue& shape = get("shape", HeaderValue::kTuple, "a tuple of integers");
  if (fortran.boolean) {
    fail(path, "fortran_order is True; expected a C-order array (save np.ascontiguousarray(a))");
  }
  Tensor t;
  t.dtype = dtype_of(path, descr.str, expected);
  t.shape = shape.ints;
  int64_t count = 1;
  for (int64_t d : t.shape) {
    if (d < 0) fail(path, "shape " + shape_str(t.shape) + " has a negative dimension");
    if (d != 0 && count > INT64_MAX / d / 4) fail(path, "shape " + shape_str(t.shape) + " is too large");
    count *= d;
  }
  const size_t nbytes = static_cast<size_t>(count * bytes_of(t.dtype));
  const size_t have = data.size() - prefix - header_len;
  if (have < nbytes) {
    fail(path, fmt::format("truncated data: shape {} of {} needs {} bytes, the file holds {}",
                           shape_str(t.shape), descr.str, nbytes, have));
  }
  if (have > nbytes) {
    fail(path, fmt::format("{} trailing bytes after the data of shape {} ({} bytes)", have - nbytes,
                           shape_str(t.shape), nbytes));
  }
  t.bytes.assign(u + prefix + header_len, u + prefix + header_len + nbytes);
  return t;
}

void write_npy(const std::string& path, const Tensor& t) {
  if (static_cast<int64_t>(t.bytes.size()) != t.elements() * bytes_of(t.dtype)) {
    throw InternalError(fmt::format("tensor {} of {} holds {} bytes", shape_str(t.shape), to_string(t.dtype),
                                    t.bytes.size()));
  }
  // The header exactly as NumPy 1.24 writes it: sorted keys, repr() values, room to grow shape[0].
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(t.shape[i]);
  shape += t.shape.size() == 1 ? ",)" : ")";
  std::string dict =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr_of(t.dtype), shape);
  if (!t.shape.empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(t.shape[0]).size(), ' ');
  // Version 1.0 when the padded header length fits its uint16 field, else 2.0 (as NumPy decides).
  const size_t hlen = dict.size() + 1;
  auto padding = [&](size_t len_bytes) { return kAlign - (kMagicLen + 2 + len_bytes + hlen) % kAlign; };
  const bool v1 = hlen + padding(2) <= 65535;
  const size_t len_bytes = v1 ? 2 : 4;
  const size_t pad = padding(len_bytes);
  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(v1 ? 1 : 2);
  out += '\0';
  const uint64_t total = hlen + pad;
  for (size_t b = 0; b < len_bytes; ++b) out += static_cast<char>((total >> (8 * b)) & 0xff);
  out += dict;
  out.append(pad, ' ');
  out += '\n';
  out.append(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());

  const std::string tmp = fmt::format("{}.tmp{}", path, static_cast<long>(::getpid()));
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw UserError(fmt::format("{}: cannot write the .npy file (cannot create '{}')", path, tmp));
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    f.close();
    if (!f) {
      std::remove(tmp.c_str());
      throw UserError(fmt::format("{}: cannot write the .npy file (write to '{}' failed)", path, tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw UserError(fmt::format("{}: cannot write the .npy file (rename from '{}' failed)", path, tmp));
  }
}

}  // namespace systole
