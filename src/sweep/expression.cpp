#include "systole/sweep/expression.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::sweep {

ExpressionError::ExpressionError(size_t column, const std::string& message)
    : std::runtime_error(fmt::format("at column {}: {}", column, message)),
      m_column(column),
      m_message(message) {}

const char* type_name(const ParamValue& v) {
  switch (v.index()) {
    case 0:
      return "int";
    case 1:
      return "float";
    case 2:
      return "bool";
    default:
      return "string";
  }
}

std::string value_text(const ParamValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    std::string s = fmt::format("{}", *d);  // the shortest text that reads back as the same double
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
  }
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return std::get<std::string>(v);
}

// ------------------------------------------------------------------------------------------------
// The tree.

enum class Op {
  kLiteral,
  kName,
  kCall,
  kNeg,
  kNot,
  kAnd,
  kOr,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kFloorDiv,
  kMod,
  kPow,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe
};

struct Expression::Node {
  Op op = Op::kLiteral;
  size_t column = 1;
  ParamValue value;  // kLiteral
  std::string name;  // kName, kCall
  std::vector<Node> args;
};

namespace {

using Node = Expression::Node;

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

// ------------------------------------------------------------------------------------------------
// Parsing: a recursive descent over the text, one token of look-ahead.

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

// ------------------------------------------------------------------------------------------------
// Evaluation.

[[noreturn]] void fail(const Node& n, const std::string& message) {
  throw ExpressionError(n.column, message);
}

bool is_number(const ParamValue& v) {
  return std::holds_alternative<int64_t>(v) || std::holds_alternative<double>(v);
}

double as_double(const ParamValue& v) {
  return std::holds_alternative<int64_t>(v) ? static_cast<double>(std::get<int64_t>(v)) : std::get<double>(v);
}

ParamValue finite(const Node& n, double d) {
  if (!std::isfinite(d)) fail(n, fmt::format("'{}' gives a value that is not finite", op_text(n.op)));
  return d;
}

int64_t to_int(const Node& n, double d) {
  if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18))
    fail(n, fmt::format("{} does not fit a 64-bit integer", d));
  return static_cast<int64_t>(d);
}

ParamValue int_arith(const Node& n, Op op, int64_t a, int64_t b) {
  int64_t r = 0;
  bool overflow = false;
  switch (op) {
    case Op::kAdd:
      overflow = __builtin_add_overflow(a, b, &r);
      break;
    case Op::kSub:
      overflow = __builtin_sub_overflow(a, b, &r);
      break;
    case Op::kMul:
      overflow = __builtin_mul_overflow(a, b, &r);
      break;
    case Op::kFloorDiv:
    case Op::kMod:
      if (b == 0) fail(n, fmt::format("'{}' by zero", op_text(op)));
      if (a == INT64_MIN && b == -1) {
        if (op == Op::kMod) return int64_t{0};
        overflow = true;
        break;
      }
      if (op == Op::kFloorDiv) {
        r = a / b;
        if (a % b != 0 && ((a < 0) != (b < 0))) --r;
      } else {
        r = a % b;
        if (r != 0 && ((r < 0) != (b < 0))) r += b;
      }
      break;
    case Op::kPow: {
      if (b < 0) return finite(n, std::pow(static_cast<double>(a), static_cast<double>(b)));
      r = 1;
      int64_t base = a;
      for (int64_t e = b; e > 0 && !overflow; e >>= 1) {
        if (e & 1) overflow = __builtin_mul_overflow(r, base, &r);
        if (e > 1 && !overflow) overflow = __builtin_mul_overflow(base, base, &base);
      }
      break;
    }
    default:
      throw InternalError("int_arith: not an arithmetic operator");
  }
  if (overflow) fail(n, fmt::format("{} {} {} overflows a 64-bit integer", a, op_text(op), b));
  return r;
}

ParamValue arith(const Node& n, const ParamValue& a, const ParamValue& b) {
  if (!is_number(a) || !is_number(b)) {
    fail(n, fmt::format("'{}' needs two numbers, not {} and {}", op_text(n.op), type_name(a), type_name(b)));
  }
  if (n.op != Op::kDiv && std::holds_alternative<int64_t>(a) && std::holds_alternative<int64_t>(b))
    return int_arith(n, n.op, std::get<int64_t>(a), std::get<int64_t>(b));
  const double x = as_double(a), y = as_double(b);
  switch (n.op) {
    case Op::kAdd:
      return finite(n, x + y);
    case Op::kSub:
      return finite(n, x - y);
    case Op::kMul:
      return finite(n, x * y);
    case Op::kDiv:
      if (y == 0.0) fail(n, "'/' by zero");
      return finite(n, x / y);
    case Op::kFloorDiv:
      if (y == 0.0) fail(n, "'//' by zero");
      return finite(n, std::floor(x / y));
    case Op::kMod:
      if (y == 0.0) fail(n, "'%' by zero");
      return finite(n, x - std::floor(x / y) * y);
    case Op::kPow:
      return finite(n, std::pow(x, y));
    default:
      throw InternalError("arith: not an arithmetic operator");
  }
}

bool compare(const Node& n, const ParamValue& a, const ParamValue& b) {
  const Op op = n.op;
  if (is_number(a) && is_number(b)) {
    if (std::holds_alternative<int64_t>(a) && std::holds_alternative<int64_t>(b)) {
      const int64_t x = std::get<int64_t>(a), y = std::get<int64_t>(b);
      return op == Op::kLt   ? x < y
             : op == Op::kLe ? x <= y
             : op == Op::kGt ? x > y
             : op == Op::kGe ? x >= y
             : op == Op::kEq ? x == y
                             : x != y;
    }
    const double x = as_double(a), y = as_double(b);
    return op == Op::kLt   ? x < y
           : op == Op::kLe ? x <= y
           : op == Op::kGt ? x > y
           : op == Op::kGe ? x >= y
           : op == Op::kEq ? x == y
                           : x != y;
  }
  if (a.index() == b.index() && (std::holds_alternative<std::string>(a) || op == Op::kEq || op == Op::kNe)) {
    if (std::holds_alternative<bool>(a)) return (std::get<bool>(a) == std::get<bool>(b)) == (op == Op::kEq);
    const std::string &x = std::get<std::string>(a), &y = std::get<std::string>(b);
    return op == Op::kLt   ? x < y
           : op == Op::kLe ? x <= y
           : op == Op::kGt ? x > y
           : op == Op::kGe ? x >= y
           : op == Op::kEq ? x == y
                           : x != y;
  }
  fail(n, fmt::format("'{}' cannot compare {} with {}", op_text(op), type_name(a), type_name(b)));
}

bool truth(const Node& n, const ParamValue& v, const char* what) {
  if (!std::holds_alternative<bool>(v))
    fail(n, fmt::format("'{}' needs true or false, not {} {}", what, type_name(v), value_text(v)));
  return std::get<bool>(v);
}

ParamValue eval(const Node& n, const Expression::Lookup& lookup);

ParamValue call(const Node& n, const Expression::Lookup& lookup) {
  std::vector<ParamValue> args;
  for (const Node& a : n.args) args.push_back(eval(a, lookup));
  const std::string& f = n.name;
  const bool variadic = f == "min" || f == "max";
  const size_t want = f == "pow" ? 2 : 1;
  if (variadic ? args.empty() : args.size() != want) {
    fail(n, fmt::format("{}() takes {}, got {}", f,
                        variadic    ? "one or more arguments"
                        : want == 1 ? "1 argument"
                                    : "2 arguments",
                        args.size()));
  }
  for (const ParamValue& v : args) {
    if (!is_number(v)) fail(n, fmt::format("{}() needs numbers, not {} {}", f, type_name(v), value_text(v)));
  }
  if (variadic) {
    ParamValue best = args[0];
    for (size_t i = 1; i < args.size(); ++i) {
      const bool less = as_double(args[i]) < as_double(best);
      if (f == "min" ? less : as_double(args[i]) > as_double(best)) best = args[i];
    }
    return best;
  }
  const ParamValue& x = args[0];
  if (f == "pow") {
    Node as_pow = n;
    as_pow.op = Op::kPow;
    return arith(as_pow, args[0], args[1]);
  }
  if (f == "abs") {
    if (const auto* i = std::get_if<int64_t>(&x)) {
      if (*i == INT64_MIN) fail(n, "abs() overflows a 64-bit integer");
      return *i < 0 ? -*i : *i;
    }
    return std::fabs(std::get<double>(x));
  }
  if (std::holds_alternative<int64_t>(x) && (f == "floor" || f == "ceil" || f == "round")) return x;
  const double d = as_double(x);
  if (f == "floor") return to_int(n, std::floor(d));
  if (f == "ceil") return to_int(n, std::ceil(d));
  if (f == "round") return to_int(n, std::nearbyint(d));  // half to even in the default rounding mode
  if (f == "sqrt") {
    if (d < 0.0) fail(n, fmt::format("sqrt() of {}", value_text(x)));
    return std::sqrt(d);
  }
  if (d <= 0.0) fail(n, fmt::format("log2() of {}", value_text(x)));
  return std::log2(d);
}

ParamValue eval(const Node& n, const Expression::Lookup& lookup) {
  switch (n.op) {
    case Op::kLiteral:
      return n.value;
    case Op::kName: {
      std::optional<ParamValue> v = lookup(n.name);
      if (!v) fail(n, fmt::format("unknown name '{}'", n.name));
      return *v;
    }
    case Op::kCall:
      return call(n, lookup);
    case Op::kNeg: {
      const ParamValue v = eval(n.args[0], lookup);
      if (const auto* i = std::get_if<int64_t>(&v)) {
        if (*i == INT64_MIN) fail(n, "negation overflows a 64-bit integer");
        return -*i;
      }
      if (const auto* d = std::get_if<double>(&v)) return -*d;
      fail(n, fmt::format("'-' needs a number, not {} {}", type_name(v), value_text(v)));
    }
    case Op::kNot:
      return !truth(n, eval(n.args[0], lookup), "not");
    case Op::kAnd:
      return truth(n, eval(n.args[0], lookup), "and") && truth(n, eval(n.args[1], lookup), "and");
    case Op::kOr:
      return truth(n, eval(n.args[0], lookup), "or") || truth(n, eval(n.args[1], lookup), "or");
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
    case Op::kEq:
    case Op::kNe:
      return compare(n, eval(n.args[0], lookup), eval(n.args[1], lookup));
    default:
      return arith(n, eval(n.args[0], lookup), eval(n.args[1], lookup));
  }
}

}  // namespace

Expression Expression::parse(const std::string& text) {
  if (text.size() > kMaxLength)
    throw ExpressionError(1, fmt::format("longer than {} characters", kMaxLength));
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f) throw ExpressionError(i + 1, "only printable ASCII is allowed");
  }
  Expression e;
  e.m_text = text;
  Parser p(e.m_text);
  e.m_root = std::make_shared<const Node>(p.parse_all(&e.m_names));
  return e;
}

ParamValue Expression::evaluate(const Lookup& lookup) const {
  return eval(*m_root, lookup);
}

}  // namespace systole::sweep
