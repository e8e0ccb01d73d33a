// The parsed form of a sweep expression (sweep/expression.h), shared by its parser
// (expression_parse.cpp) and its evaluator (expression.cpp). Internal to sweep/.
#pragma once

#include <string>
#include <vector>

#include "systole/sweep/expression.h"

namespace systole::sweep {

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

const char* op_text(Op op);                        // "+", "//", "and", ...
const std::vector<std::string>& function_names();  // sorted

// The tree of `text` (already checked for length and characters); the names it reads, in order
// of first use, are appended to `names`. Throws ExpressionError.
Expression::Node parse_tree(const std::string& text, std::vector<std::string>* names);

}  // namespace systole::sweep
