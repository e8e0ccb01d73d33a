// Command-line parsing shared by every subcommand: stray positional arguments are refused, and
// numbers are taken as text and parsed strictly here, so that every bad value (a sign on an
// unsigned count, "1e12" for an integer, nan, inf, a value out of range, an empty path) is a
// UserError naming the flag, the value and the accepted range, instead of boost's wrapping or
// rounding conversions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace systole::cli {

// Parses `args` against `desc` (and, when given, the positional arguments the command takes).
// Returns nullopt when --help was asked for (the usage line and `desc` are then printed).
// UserError for a positional argument the command does not take.
std::optional<boost::program_options::variables_map> parse_command_line(
    const std::string& command, const std::string& usage, const std::vector<std::string>& args,
    const boost::program_options::options_description& desc,
    const boost::program_options::options_description* positional_options = nullptr,
    const boost::program_options::positional_options_description* positional = nullptr);

// A decimal integer in [lo, hi] ("1e6", "0x10", "1.0", "+3", " 5" are refused). `why` (may be
// empty) says where the bounds come from and is added to the message.
int64_t integer_flag(const std::string& flag, const std::string& text, int64_t lo, int64_t hi,
                     const std::string& why = "");
// A decimal integer in [0, 2^64 - 1] (a seed): no sign.
uint64_t unsigned_flag(const std::string& flag, const std::string& text);
// A finite decimal number in [lo, hi] (nan, inf and trailing text refused).
double real_flag(const std::string& flag, const std::string& text, double lo, double hi,
                 const std::string& why = "");
// UserError when a path flag was given as "".
void nonempty_path(const std::string& flag, const std::string& value, const std::string& what);

}  // namespace systole::cli
