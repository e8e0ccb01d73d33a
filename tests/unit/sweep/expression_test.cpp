// Sweep expressions (sweep/expression.h): precedence, exact integers, Python's // and %, floats,
// comparisons and logic, functions, and every error with its column.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "systole/sweep/expression.h"

namespace systole::sweep {
namespace {

const std::map<std::string, ParamValue> kNames = {{"core.array.rows", int64_t{32}},
                                                  {"core.array.cols", int64_t{16}},
                                                  {"core.clock_mhz", 1000.0},
                                                  {"core.array.dataflow", std::string("ws")},
                                                  {"core.array.preload_overlap", true}};

ParamValue eval(const std::string& text) {
  return Expression::parse(text).evaluate([](const std::string& name) -> std::optional<ParamValue> {
    const auto it = kNames.find(name);
    if (it == kNames.end()) return std::nullopt;
    return it->second;
  });
}

// The error's column and a part of its message.
void expect_error(const std::string& text, size_t column, const std::string& part) {
  try {
    eval(text);
    ADD_FAILURE() << text << ": no error";
  } catch (const ExpressionError& e) {
    EXPECT_EQ(e.column(), column) << text << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << text << ": " << e.what();
  }
}

TEST(SweepExpression, PrecedenceAndAssociativity) {
  EXPECT_EQ(eval("1 + 2 * 3"), ParamValue(int64_t{7}));
  EXPECT_EQ(eval("(1 + 2) * 3"), ParamValue(int64_t{9}));
  EXPECT_EQ(eval("2 ** 3 ** 2"), ParamValue(int64_t{512}));  // right to left
  EXPECT_EQ(eval("-2 ** 2"), ParamValue(int64_t{-4}));       // ** binds tighter than unary minus
  EXPECT_EQ(eval("10 - 4 - 3"), ParamValue(int64_t{3}));
  EXPECT_EQ(eval("core.array.rows * core.array.cols // 8"), ParamValue(int64_t{64}));
  EXPECT_EQ(eval("1 < 2 and not 3 < 2 or false"), ParamValue(true));
}

TEST(SweepExpression, IntegersAreExactAndDivideAsPython) {
  EXPECT_EQ(eval("7 // 2"), ParamValue(int64_t{3}));
  EXPECT_EQ(eval("-7 // 2"), ParamValue(int64_t{-4}));
  EXPECT_EQ(eval("-7 % 3"), ParamValue(int64_t{2}));
  EXPECT_EQ(eval("7 % -3"), ParamValue(int64_t{-2}));
  EXPECT_EQ(eval("7 / 2"), ParamValue(3.5));  // always a float
  EXPECT_EQ(eval("2 ** 62"), ParamValue(int64_t{1} << 62));
  EXPECT_EQ(eval("2 ** -1"), ParamValue(0.5));
  EXPECT_EQ(eval("9007199254740993 + 0"), ParamValue(int64_t{9007199254740993}));  // beyond a double's 2^53
  expect_error("2 ** 63", 3, "overflows a 64-bit integer");
  expect_error("9223372036854775807 + 1", 21, "overflows");
  expect_error("99999999999999999999", 1, "does not fit a 64-bit integer");
  expect_error("1 // 0", 3, "by zero");
  expect_error("1 % 0", 3, "by zero");
  expect_error("1.5 / 0", 5, "by zero");
}

TEST(SweepExpression, FloatsFunctionsAndNames) {
  EXPECT_EQ(eval("core.clock_mhz / 4"), ParamValue(250.0));
  EXPECT_EQ(eval("1 + 0.5"), ParamValue(1.5));
  EXPECT_EQ(eval("max(core.array.rows, core.array.cols, 20)"), ParamValue(int64_t{32}));
  EXPECT_EQ(eval("min(3, 2.5)"), ParamValue(2.5));
  EXPECT_EQ(eval("ceil(core.array.rows / 3)"), ParamValue(int64_t{11}));
  EXPECT_EQ(eval("floor(-0.5)"), ParamValue(int64_t{-1}));
  EXPECT_EQ(eval("round(2.5)"), ParamValue(int64_t{2}));  // half to even
  EXPECT_EQ(eval("round(3.5)"), ParamValue(int64_t{4}));
  EXPECT_EQ(eval("log2(core.array.rows)"), ParamValue(5.0));
  EXPECT_EQ(eval("sqrt(16)"), ParamValue(4.0));
  EXPECT_EQ(eval("pow(2, 10)"), ParamValue(int64_t{1024}));
  EXPECT_EQ(eval("abs(-3)"), ParamValue(int64_t{3}));
  EXPECT_EQ(eval("core.array.dataflow == 'ws'"), ParamValue(true));
  EXPECT_EQ(eval("core.array.dataflow != \"os\""), ParamValue(true));
  EXPECT_EQ(eval("core.array.preload_overlap == true"), ParamValue(true));
  EXPECT_EQ(eval("1 == 1.0"), ParamValue(true));
  EXPECT_EQ(Expression::parse("a.b + c * a.b - max(c, d)").names(),
            (std::vector<std::string>{"a.b", "c", "d"}));
  EXPECT_EQ(value_text(ParamValue(0.1)), "0.1");
  EXPECT_EQ(value_text(ParamValue(2.0)), "2.0");
  EXPECT_EQ(value_text(ParamValue(int64_t{-3})), "-3");
}

TEST(SweepExpression, ErrorsNameTheirColumn) {
  expect_error("", 1, "empty expression");
  expect_error("1 +", 4, "unexpected end");
  expect_error("(1 + 2", 7, "missing ')'");
  expect_error("1 2", 3, "unexpected '2'");
  expect_error("1 < 2 < 3", 7, "do not chain");
  expect_error("core.array.rowz * 2", 1, "unknown name 'core.array.rowz'");
  expect_error("cube(2)", 1, "unknown function 'cube'; the functions are abs, ceil");
  expect_error("min()", 1, "min() takes one or more arguments, got 0");
  expect_error("pow(2)", 1, "pow() takes 2 arguments, got 1");
  expect_error("'ws' + 1", 6, "'+' needs two numbers, not string and int");
  expect_error("1 and true", 3, "'and' needs true or false, not int 1");
  expect_error("not 3", 1, "'not' needs true or false");
  expect_error("'ws' < 1", 6, "cannot compare string with int");
  expect_error("true < false", 6, "cannot compare bool with bool");
  expect_error("sqrt(-1)", 1, "sqrt() of -1");
  expect_error("log2(0)", 1, "log2() of 0");
  expect_error("10.0 ** 400", 6, "not finite");
  expect_error("1e999", 1, "not a finite number");
  expect_error("'open", 1, "unterminated string");
  expect_error("3abc", 1, "malformed number");
  expect_error("1 $ 2", 3, "unexpected '$ 2'");
  expect_error("and 1", 1, "'and' needs a value before it");
  expect_error("1 + \xc3\xa9", 5, "only printable ASCII");
  expect_error(std::string(Expression::kMaxLength + 1, '1'), 1, "longer than 4096");
  expect_error(std::string(200, '(') + "1" + std::string(200, ')'), 29, "nested too deeply");
}

}  // namespace
}  // namespace systole::sweep
