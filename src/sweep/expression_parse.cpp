// Parsing sweep expressions (sweep/expression.h): a recursive descent over the text, one token of
// look-ahead, into the tree of expression_tree.h.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "expression_tree.h"
#include "systole/common/error.h"

namespace systole::sweep {

const char* op_text(Op op) {
  switch (op) {
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kFloorDiv:
      return "//";
    case Op::kMod:
      return "%";
    case Op::kPow:
      return "**";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kEq:
      return "==";
    case Op::kNe:
      return "!=";
    case Op::kNeg:
      return "-";
    case Op::kNot:
      return "not";
    case Op::kAnd:
      return "and";
    case Op::kOr:
      return "or";
    default:
      return "?";
  }
}

const std::vector<std::string>& function_names() {
  static const std::vector<std::string> names = {"abs", "ceil", "floor", "log2", "max",
                                                 "min", "pow",  "round", "sqrt"};
  return names;
}

namespace {

using Node = Expression::Node;

class Parser {
 public:
  explicit Parser(const std::string& text) : m_text(text) {}

  Node parse_all(std::vector<std::string>* names) {
    m_names = names;
    skip_space();
    if (m_pos >= m_text.size()) fail(m_pos, "empty expression");
    Node n = parse_or(0);
    skip_space();
    if (m_pos < m_text.size())
      fail(m_pos, fmt::format("unexpected '{}' after a complete expression", rest()));
    return n;
  }

 private:
  [[noreturn]] void fail(size_t pos, const std::string& message) const {
    throw ExpressionError(pos + 1, message);
  }

  std::string rest() const {
    const size_t n = std::min<size_t>(16, m_text.size() - m_pos);
    return m_text.substr(m_pos, n);
  }

  void skip_space() {
    while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t')) ++m_pos;
  }

  // Consumes `tok` (after spaces) if the text continues with it; a word must not continue with a
  // name character.
  bool accept(const char* tok, bool word = false) {
    skip_space();
    const size_t n = std::char_traits<char>::length(tok);
    if (m_text.compare(m_pos, n, tok) != 0) return false;
    if (word && m_pos + n < m_text.size() && is_name_char(m_text[m_pos + n])) return false;
    m_pos += n;
    return true;
  }

  static bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
  static bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  void enter(int depth) const {
    if (depth > Expression::kMaxDepth) fail(m_pos, "nested too deeply (at most about 30 parentheses)");
  }

  Node binary(Op op, size_t column, Node a, Node b) {
    Node n;
    n.op = op;
    n.column = column;
    n.args.push_back(std::move(a));
    n.args.push_back(std::move(b));
    return n;
  }

  Node parse_or(int depth) {
    enter(depth);
    Node n = parse_and(depth + 1);
    for (;;) {
      skip_space();
      const size_t at = m_pos + 1;
      if (!accept("or", true)) return n;
      n = binary(Op::kOr, at, std::move(n), parse_and(depth + 1));
    }
  }

  Node parse_and(int depth) {
    enter(depth);
    Node n = parse_not(depth + 1);
    for (;;) {
      skip_space();
      const size_t at = m_pos + 1;
      if (!accept("and", true)) return n;
      n = binary(Op::kAnd, at, std::move(n), parse_not(depth + 1));
    }
  }

  Node parse_not(int depth) {
    enter(depth);
    skip_space();
    const size_t at = m_pos + 1;
    if (accept("not", true)) {
      Node n;
      n.op = Op::kNot;
      n.column = at;
      n.args.push_back(parse_not(depth + 1));
      return n;
    }
    return parse_compare(depth + 1);
  }

  Node parse_compare(int depth) {
    enter(depth);
    Node n = parse_sum(depth + 1);
    skip_space();
    const size_t at = m_pos + 1;
    static const std::pair<const char*, Op> kOps[] = {{"<=", Op::kLe}, {">=", Op::kGe}, {"==", Op::kEq},
                                                      {"!=", Op::kNe}, {"<", Op::kLt},  {">", Op::kGt}};
    for (const auto& [tok, op] : kOps) {
      if (accept(tok)) {
        n = binary(op, at, std::move(n), parse_sum(depth + 1));
        skip_space();
        for (const auto& [tok2, op2] : kOps) {
          (void)op2;
          if (m_text.compare(m_pos, std::char_traits<char>::length(tok2), tok2) == 0)
            fail(m_pos, "comparisons do not chain: write 'a < b and b < c'");
        }
        return n;
      }
    }
    return n;
  }

  Node parse_sum(int depth) {
    enter(depth);
    Node n = parse_product(depth + 1);
    for (;;) {
      skip_space();
      const size_t at = m_pos + 1;
      if (accept("+")) {
        n = binary(Op::kAdd, at, std::move(n), parse_product(depth + 1));
      } else if (accept("-")) {
        n = binary(Op::kSub, at, std::move(n), parse_product(depth + 1));
      } else {
        return n;
      }
    }
  }

  Node parse_product(int depth) {
    enter(depth);
    Node n = parse_unary(depth + 1);
    for (;;) {
      skip_space();
      const size_t at = m_pos + 1;
      if (m_text.compare(m_pos, 2, "**") == 0) return n;  // a power binds tighter; parse_power took it
      if (accept("//")) {
        n = binary(Op::kFloorDiv, at, std::move(n), parse_unary(depth + 1));
      } else if (accept("*")) {
        n = binary(Op::kMul, at, std::move(n), parse_unary(depth + 1));
      } else if (accept("/")) {
        n = binary(Op::kDiv, at, std::move(n), parse_unary(depth + 1));
      } else if (accept("%")) {
        n = binary(Op::kMod, at, std::move(n), parse_unary(depth + 1));
      } else {
        return n;
      }
    }
  }

  Node parse_unary(int depth) {
    enter(depth);
    skip_space();
    const size_t at = m_pos + 1;
    if (accept("-")) {
      Node n;
      n.op = Op::kNeg;
      n.column = at;
      n.args.push_back(parse_unary(depth + 1));
      return n;
    }
    return parse_power(depth + 1);
  }

  Node parse_power(int depth) {
    enter(depth);
    Node n = parse_atom(depth + 1);
    skip_space();
    const size_t at = m_pos + 1;
    if (accept("**")) n = binary(Op::kPow, at, std::move(n), parse_unary(depth + 1));
    return n;
  }

  Node parse_atom(int depth) {
    enter(depth);
    skip_space();
    Node n;
    n.column = m_pos + 1;
    if (m_pos >= m_text.size()) fail(m_pos, "unexpected end: a value, a name or '(' is missing");
    const char c = m_text[m_pos];
    if (c == '(') {
      ++m_pos;
      n = parse_or(depth + 1);
      if (!accept(")")) fail(m_pos, "missing ')'");
      return n;
    }
    if (c == '"' || c == '\'') {
      const size_t end = m_text.find(c, m_pos + 1);
      if (end == std::string::npos) fail(m_pos, "unterminated string");
      n.value = m_text.substr(m_pos + 1, end - m_pos - 1);
      m_pos = end + 1;
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return parse_number();
    if (!is_name_start(c)) fail(m_pos, fmt::format("unexpected '{}'", rest()));
    const size_t start = m_pos;
    while (m_pos < m_text.size() &&
           (is_name_char(m_text[m_pos]) ||
            (m_text[m_pos] == '.' && m_pos + 1 < m_text.size() && is_name_char(m_text[m_pos + 1]))))
      ++m_pos;
    const std::string word = m_text.substr(start, m_pos - start);
    if (word == "true" || word == "false") {
      n.value = word == "true";
      return n;
    }
    if (word == "and" || word == "or" || word == "not")
      fail(start, fmt::format("'{}' needs a value before it", word));
    skip_space();
    if (m_pos < m_text.size() && m_text[m_pos] == '(') {
      const auto& fns = function_names();
      if (std::find(fns.begin(), fns.end(), word) == fns.end()) {
        fail(start, fmt::format("unknown function '{}'; the functions are {}", word, fmt::join(fns, ", ")));
      }
      ++m_pos;
      n.op = Op::kCall;
      n.name = word;
      if (!accept(")")) {
        do {
          n.args.push_back(parse_or(depth + 1));
        } while (accept(","));
        if (!accept(")")) fail(m_pos, fmt::format("missing ')' after the arguments of {}", word));
      }
      return n;
    }
    n.op = Op::kName;
    n.name = word;
    if (std::find(m_names->begin(), m_names->end(), word) == m_names->end()) m_names->push_back(word);
    return n;
  }

  Node parse_number() {
    Node n;
    n.column = m_pos + 1;
    const size_t start = m_pos;
    bool decimal = false;
    while (m_pos < m_text.size() && std::isdigit(static_cast<unsigned char>(m_text[m_pos]))) ++m_pos;
    if (m_pos < m_text.size() && m_text[m_pos] == '.') {
      decimal = true;
      ++m_pos;
      while (m_pos < m_text.size() && std::isdigit(static_cast<unsigned char>(m_text[m_pos]))) ++m_pos;
    }
    if (m_pos < m_text.size() && (m_text[m_pos] == 'e' || m_text[m_pos] == 'E')) {
      decimal = true;
      ++m_pos;
      if (m_pos < m_text.size() && (m_text[m_pos] == '+' || m_text[m_pos] == '-')) ++m_pos;
      const size_t digits = m_pos;
      while (m_pos < m_text.size() && std::isdigit(static_cast<unsigned char>(m_text[m_pos]))) ++m_pos;
      if (m_pos == digits) fail(start, "an exponent needs digits");
    }
    if (m_pos < m_text.size() && is_name_char(m_text[m_pos]))
      fail(start, fmt::format("malformed number '{}'", m_text.substr(start, m_pos - start + 1)));
    const std::string tok = m_text.substr(start, m_pos - start);
    if (tok == ".") fail(start, "a lone '.' is not a number");
    if (decimal) {
      double d = 0.0;
      const auto r = std::from_chars(tok.data(), tok.data() + tok.size(), d);
      if (r.ec != std::errc() || r.ptr != tok.data() + tok.size() || !std::isfinite(d))
        fail(start, fmt::format("'{}' is not a finite number", tok));
      n.value = d;
    } else {
      int64_t i = 0;
      const auto r = std::from_chars(tok.data(), tok.data() + tok.size(), i);
      if (r.ec != std::errc() || r.ptr != tok.data() + tok.size())
        fail(start, fmt::format("'{}' does not fit a 64-bit integer", tok));
      n.value = i;
    }
    return n;
  }

  const std::string& m_text;
  size_t m_pos = 0;
  std::vector<std::string>* m_names = nullptr;
};

}  // namespace

Node parse_tree(const std::string& text, std::vector<std::string>* names) {
  Parser p(text);
  return p.parse_all(names);
}

Expression Expression::parse(const std::string& text) {
  if (text.size() > kMaxLength)
    throw ExpressionError(1, fmt::format("longer than {} characters", kMaxLength));
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f) throw ExpressionError(i + 1, "only printable ASCII is allowed");
  }
  Expression e;
  e.m_text = text;
  e.m_root = std::make_shared<const Node>(parse_tree(e.m_text, &e.m_names));
  return e;
}

}  // namespace systole::sweep
