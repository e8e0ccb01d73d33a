#include "systole/stats/formula.h"

#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

namespace systole::stats {
namespace {

// Recursive descent: expr = term {(+|-) term}; term = unary {(*|/) unary};
// unary = - unary | primary; primary = number | name | ( expr ).
class Parser {
 public:
  Parser(const std::string& text, const std::function<double(const std::string&)>& lookup)
      : m_s(text), m_lookup(lookup) {}

  double parse() {
    const double v = expr();
    skip_space();
    if (m_at != m_s.size()) fail("an operator or the end");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* expected) const {
    throw std::invalid_argument(fmt::format("formula '{}': at offset {}: expected {}", m_s, m_at, expected));
  }
  void skip_space() {
    while (m_at < m_s.size() && m_s[m_at] == ' ') ++m_at;
  }
  bool take(char c) {
    skip_space();
    if (m_at < m_s.size() && m_s[m_at] == c) {
      ++m_at;
      return true;
    }
    return false;
  }
  double expr() {
    double v = term();
    for (;;) {
      if (take('+')) {
        v += term();
      } else if (take('-')) {
        v -= term();
      } else {
        return v;
      }
    }
  }
  double term() {
    double v = unary();
    for (;;) {
      if (take('*')) {
        v *= unary();
      } else if (take('/')) {
        const double d = unary();
        v = d == 0.0 ? 0.0 : v / d;
      } else {
        return v;
      }
    }
  }
  double unary() {
    if (take('-')) return -unary();
    return primary();
  }
  double primary() {
    if (take('(')) {
      const double v = expr();
      if (!take(')')) fail("')'");
      return v;
    }
    skip_space();
    const size_t start = m_at;
    if (m_at < m_s.size() && (std::isdigit(static_cast<unsigned char>(m_s[m_at])) || m_s[m_at] == '.')) {
      while (m_at < m_s.size() && (std::isdigit(static_cast<unsigned char>(m_s[m_at])) || m_s[m_at] == '.' ||
                                   m_s[m_at] == 'e' || m_s[m_at] == 'E' ||
                                   ((m_s[m_at] == '+' || m_s[m_at] == '-') && m_at > start &&
                                    (m_s[m_at - 1] == 'e' || m_s[m_at - 1] == 'E'))))
        ++m_at;
      size_t used = 0;
      const std::string text = m_s.substr(start, m_at - start);
      double v = 0.0;
      try {
        v = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size()) {
        m_at = start;
        fail("a number");
      }
      return v;
    }
    while (m_at < m_s.size() &&
           (std::isalnum(static_cast<unsigned char>(m_s[m_at])) || m_s[m_at] == '_' || m_s[m_at] == '.'))
      ++m_at;
    if (m_at == start) fail("a number, a name or '('");
    return m_lookup(m_s.substr(start, m_at - start));
  }

  const std::string& m_s;
  const std::function<double(const std::string&)>& m_lookup;
  size_t m_at = 0;
};

}  // namespace

double evaluate_formula(const std::string& formula, const std::function<double(const std::string&)>& lookup) {
  return Parser(formula, lookup).parse();
}

}  // namespace systole::stats
