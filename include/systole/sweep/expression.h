// Expressions in a sweep spec (docs/sweeps.md): a derived parameter's value
// (`core.scratchpads.ifmap.read_bytes_per_cycle: "core.array.rows * 2"`) and a constraint that
// prunes points (`"core.array.rows * core.array.cols <= 4096"`).
//
// Grammar, lowest precedence first:
//   expr    := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | compare
//   compare := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
//   sum     := product (("+" | "-") product)*
//   product := unary (("*" | "/" | "//" | "%") unary)*
//   unary   := "-" unary | power
//   power   := atom ("**" unary)?
//   atom    := integer | decimal | "string" | 'string' | true | false | name
//            | function "(" expr ("," expr)* ")" | "(" expr ")"
// A name is a dotted config path (letters, digits, '_', '.'), e.g. core.array.rows. Functions:
// min, max (one or more arguments), abs, floor, ceil, round (half to even), sqrt, log2, pow.
//
// Values are integers (int64), floats (double), bools and strings (an enum's spelling). Integer
// +, -, *, //, % and ** (with an exponent >= 0) stay integers and are exact: an overflow is an
// error, never a wrap. / is always a float division; // floors and % takes the divisor's sign (as
// Python). An integer meets a float as a float. floor, ceil and round give integers. Comparisons
// need two numbers or two strings; ==, != also two bools. Division by zero, a log2 or sqrt of a
// negative number, and a float that is not finite are errors. Evaluation is deterministic.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "systole/config/schema.h"

namespace systole::sweep {

// A parse or evaluation error at `column` (1-based, in the expression's text).
class ExpressionError : public std::runtime_error {
 public:
  ExpressionError(size_t column, const std::string& message);
  size_t column() const { return m_column; }
  const std::string& message() const { return m_message; }

 private:
  size_t m_column;
  std::string m_message;
};

// "int", "float", "bool", "string"
const char* type_name(const ParamValue& v);
// A value as text (as --set takes it): integers in decimal, floats in the shortest form that reads
// back as the same double (with a '.' or an exponent), bools true / false, strings as is.
std::string value_text(const ParamValue& v);

class Expression {
 public:
  // Limits that keep a hostile spec bounded: the text's length and the nesting depth.
  static constexpr size_t kMaxLength = 4096;
  static constexpr int kMaxDepth = 256;  // grammar levels: about 30 nested parentheses

  // Throws ExpressionError.
  static Expression parse(const std::string& text);

  // The names the expression reads, in order of first use.
  const std::vector<std::string>& names() const { return m_names; }
  const std::string& text() const { return m_text; }

  // The value, looking names up with `lookup` (nullopt: unknown name, an ExpressionError).
  // Throws ExpressionError.
  using Lookup = std::function<std::optional<ParamValue>(const std::string& name)>;
  ParamValue evaluate(const Lookup& lookup) const;

  struct Node;  // the parsed tree (expression.cpp)

 private:
  std::string m_text;
  std::shared_ptr<const Node> m_root;
  std::vector<std::string> m_names;
};

}  // namespace systole::sweep
