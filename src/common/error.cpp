#include "systole/common/error.h"

#include <fmt/format.h>

#include "systole/common/text.h"

namespace systole {

// Every part is echoed through printable_excerpt: a user's text can hold NUL bytes, control
// characters, invalid UTF-8 or megabytes of binary; the message stays one readable line per problem.
std::string Diagnostic::str() const {
  std::string where = file.empty() ? std::string("(no file)") : printable_excerpt(file, 1024);
  if (line > 0) where += fmt::format(":{}", line);
  std::string what = key.empty() ? std::string() : fmt::format(" {}", printable_excerpt(key, 200));
  if (!value.empty() || !key.empty()) what += fmt::format(" = '{}'", printable_excerpt(value, 120));
  const std::string why = printable_excerpt(rule, 4096);
  if (what.empty()) return fmt::format("{}: {}", where, why);
  return fmt::format("{}:{}: {}", where, what, why);
}

namespace {
// At most kMaxShown problems are printed (a generated file can hold 50,000 of the same mistake).
constexpr size_t kMaxShown = 50;

std::string join(const std::string& kind, const std::vector<Diagnostic>& ds) {
  std::string out = fmt::format("{} ({} problem{}):", kind, ds.size(), ds.size() == 1 ? "" : "s");
  for (size_t i = 0; i < ds.size() && i < kMaxShown; ++i) out += "\n  " + ds[i].str();
  if (ds.size() > kMaxShown) out += fmt::format("\n  ... and {} more", ds.size() - kMaxShown);
  return out;
}
}  // namespace

UserError::UserError(const std::string& message) : std::runtime_error(message) {}
UserError::UserError(const std::string& kind, std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join(kind, diagnostics)), m_diagnostics(std::move(diagnostics)) {}

ConfigError::ConfigError(std::vector<Diagnostic> diagnostics)
    : UserError("configuration error", std::move(diagnostics)) {}
ConfigError::ConfigError(const Diagnostic& diagnostic) : ConfigError(std::vector<Diagnostic>{diagnostic}) {}

WorkloadError::WorkloadError(std::vector<Diagnostic> diagnostics)
    : UserError("workload error", std::move(diagnostics)) {}
WorkloadError::WorkloadError(const Diagnostic& diagnostic)
    : WorkloadError(std::vector<Diagnostic>{diagnostic}) {}

InternalError::InternalError(const std::string& message)
    : std::logic_error("internal error (a Systole bug): " + message) {}

}  // namespace systole
