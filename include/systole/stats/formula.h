// Arithmetic over named values, for derived stats (stats/stat_tree.h) and, later, derived
// parameters: numbers, names (a path such as core0.array.macs), + - * /, unary minus and
// parentheses, with the usual precedence, evaluated left to right in double precision.
// x / 0 is 0 (a ratio over an empty run, e.g. utilisation with no cycles, reads 0).
#pragma once

#include <functional>
#include <string>

namespace systole::stats {

// Throws std::invalid_argument naming the offset and what was expected for a malformed formula;
// `lookup` is asked for every name (and may throw for an unknown one).
double evaluate_formula(const std::string& formula, const std::function<double(const std::string&)>& lookup);

}  // namespace systole::stats
