#include "systole/sweep/expression.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "expression_tree.h"
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

namespace {

using Node = Expression::Node;

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

// x op y for one of the six comparisons.
template <typename T>
bool ordered(Op op, const T& x, const T& y) {
  switch (op) {
    case Op::kLt:
      return x < y;
    case Op::kLe:
      return x <= y;
    case Op::kGt:
      return x > y;
    case Op::kGe:
      return x >= y;
    case Op::kEq:
      return x == y;
    default:
      return x != y;
  }
}

bool compare(const Node& n, const ParamValue& a, const ParamValue& b) {
  const Op op = n.op;
  if (is_number(a) && is_number(b)) {
    if (std::holds_alternative<int64_t>(a) && std::holds_alternative<int64_t>(b))
      return ordered(op, std::get<int64_t>(a), std::get<int64_t>(b));
    return ordered(op, as_double(a), as_double(b));
  }
  if (a.index() == b.index() && (std::holds_alternative<std::string>(a) || op == Op::kEq || op == Op::kNe)) {
    if (std::holds_alternative<bool>(a)) return (std::get<bool>(a) == std::get<bool>(b)) == (op == Op::kEq);
    return ordered(op, std::get<std::string>(a), std::get<std::string>(b));
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

ParamValue Expression::evaluate(const Lookup& lookup) const {
  return eval(*m_root, lookup);
}

}  // namespace systole::sweep
