// Error types. The user's mistakes (bad config, bad workload, missing file) are UserError and
// make `main` exit with code 2; our own bugs are InternalError. Library code only throws.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace systole {

// One problem found in a user input. `line` is 1-based; 0 when the source has no line (e.g. a
// --set override, whose `file` is "--set").
struct Diagnostic {
  std::string file;
  int line = 0;
  std::string key;    // key path such as "core.array.rows", or a layer name for workloads
  std::string value;  // the offending value as written ("" when the key is missing)
  std::string rule;   // what was expected, e.g. "must be an integer >= 1"

  // "file:line: core.array.rows = '-3': must be an integer >= 1"
  std::string str() const;
};

// Base of every error the user can fix. what() holds all diagnostics, one per line.
class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message);
  UserError(const std::string& kind, std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return m_diagnostics; }

 private:
  std::vector<Diagnostic> m_diagnostics;
};

class ConfigError : public UserError {
 public:
  explicit ConfigError(std::vector<Diagnostic> diagnostics);
  explicit ConfigError(const Diagnostic& diagnostic);
};

class WorkloadError : public UserError {
 public:
  explicit WorkloadError(std::vector<Diagnostic> diagnostics);
  explicit WorkloadError(const Diagnostic& diagnostic);
};

// A violated invariant inside Systole: a bug, never the user's fault.
class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message);
};

// Collects diagnostics so that every problem in an input is reported at once.
class DiagnosticList {
 public:
  void add(Diagnostic d) { m_items.push_back(std::move(d)); }
  bool empty() const { return m_items.empty(); }
  const std::vector<Diagnostic>& items() const { return m_items; }
  std::vector<Diagnostic> take() { return std::move(m_items); }

 private:
  std::vector<Diagnostic> m_items;
};

}  // namespace systole
