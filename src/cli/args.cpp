#include "cli/args.h"

#include <charconv>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace po = boost::program_options;

namespace systole::cli {
namespace {

std::string with_why(const std::string& why) {
  return why.empty() ? "" : " (" + why + ")";
}

}  // namespace

std::optional<po::variables_map> parse_command_line(const std::string& command, const std::string& usage,
                                                    const std::vector<std::string>& args,
                                                    const po::options_description& desc,
                                                    const po::options_description* positional_options,
                                                    const po::positional_options_description* positional) {
  // Positional arguments of a command that takes none land in a hidden option and are refused.
  std::vector<std::string> stray;
  po::options_description all;
  all.add(desc);
  if (positional_options != nullptr) all.add(*positional_options);
  po::positional_options_description none;
  if (positional == nullptr) {
    po::options_description hidden;
    hidden.add_options()("systole-stray-argument", po::value(&stray)->composing(), "");
    all.add(hidden);
    none.add("systole-stray-argument", -1);
  }
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional ? *positional : none).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: " << usage << "\n\n" << desc;
    return std::nullopt;
  }
  po::notify(vm);
  if (!stray.empty()) {
    throw UserError(
        fmt::format("unexpected argument '{}': `systole {}` takes no positional arguments; every input "
                    "is given by an option (see `systole {} --help`)",
                    stray.front(), command, command));
  }
  return vm;
}

int64_t integer_flag(const std::string& flag, const std::string& text, int64_t lo, int64_t hi,
                     const std::string& why) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < lo || v > hi) {
    throw UserError(
        fmt::format("{} = '{}': must be a whole number from {} to {}{}", flag, text, lo, hi, with_why(why)));
  }
  return v;
}

uint64_t unsigned_flag(const std::string& flag, const std::string& text) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || text[0] == '-' || ec != std::errc() || ptr != end) {
    throw UserError(fmt::format("{} = '{}': must be a whole number from 0 to {}", flag, text, UINT64_MAX));
  }
  return v;
}

double real_flag(const std::string& flag, const std::string& text, double lo, double hi,
                 const std::string& why) {
  double v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v) || v < lo || v > hi) {
    throw UserError(
        fmt::format("{} = '{}': must be a number from {} to {}{}", flag, text, lo, hi, with_why(why)));
  }
  return v;
}

void nonempty_path(const std::string& flag, const std::string& value, const std::string& what) {
  if (value.empty()) throw UserError(fmt::format("{} = '': an empty path; expected {}", flag, what));
}

}  // namespace systole::cli
