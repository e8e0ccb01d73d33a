// Shared by the libFuzzer harnesses (docs/fuzzing.md). The contract every harness checks: a
// parser either accepts its input or throws systole::UserError (ConfigError, WorkloadError);
// anything else escaping (InternalError, std::bad_alloc, std::out_of_range, nlohmann::json and
// YAML::Exception, any other type) is a finding, reported here with its type and message and
// turned into an abort() so that libFuzzer saves the input. An accepted input must also satisfy
// the harness's round trip or invariants; a violation is reported by fuzz::fail().
#pragma once

#include <cxxabi.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <typeinfo>

#include "systole/common/error.h"

#ifndef SYSTOLE_SOURCE_DIR
#error "SYSTOLE_SOURCE_DIR must name the source tree (tests/fuzz/CMakeLists.txt defines it)"
#endif

namespace systole::fuzz {

// A contract violation on an accepted input: print what and abort (libFuzzer keeps the input).
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "\n==systole-fuzz== CONTRACT VIOLATION: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::string type_name(const std::type_info& t) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(t.name(), nullptr, nullptr, &status),
                                              std::free);
  return status == 0 && name ? name.get() : t.name();
}

// Runs `body`; returns true when it returned, false when it threw a UserError (a rejected input).
// Any other exception is a finding: reported with its dynamic type, then abort().
inline bool accepts(const char* what, const std::function<void()>& body) {
  try {
    body();
    return true;
  } catch (const UserError&) {
    return false;
  } catch (const std::exception& e) {
    fail(std::string(what) + ": threw " + type_name(typeid(e)) + " (not a UserError): " + e.what());
  } catch (...) {
    const std::type_info* t = abi::__cxa_current_exception_type();
    fail(std::string(what) + ": threw a non-std exception of type " + (t ? type_name(*t) : "?"));
  }
}

// Runs the checks on an accepted input: nothing may throw, not even a UserError (the input was
// already accepted, so a later rejection of it, or of what it produced, is a finding).
inline void holds(const char* what, const std::function<void()>& body) {
  try {
    body();
  } catch (const UserError& e) {
    fail(std::string(what) + ": threw UserError on an accepted input: " + e.what());
  } catch (const std::exception& e) {
    fail(std::string(what) + ": threw " + type_name(typeid(e)) + ": " + e.what());
  } catch (...) {
    const std::type_info* t = abi::__cxa_current_exception_type();
    fail(std::string(what) + ": threw a non-std exception of type " + (t ? type_name(*t) : "?"));
  }
}

inline std::string source_file(const std::string& rel) {
  std::ifstream in(std::string(SYSTOLE_SOURCE_DIR) + "/" + rel, std::ios::binary);
  if (!in) fail("cannot read " + rel + " from the source tree");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A scratch directory in /dev/shm private to this process, removed at exit; parsers that take only
// a path read the fuzz input from a file written here.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    m_dir = std::string(base) + "/systole-fuzz-" + std::to_string(::getpid());
    std::filesystem::create_directories(m_dir);
    m_owner = ::getpid();
  }
  ~ScratchDir() {
    if (::getpid() != m_owner) return;  // a forked child must not remove the parent's directory
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // Writes `bytes` to <dir>/<name> (replacing it) and returns the path.
  std::string write(const std::string& name, const uint8_t* data, size_t size) const {
    const std::string path = m_dir + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) fail("cannot write the scratch file " + path);
    return path;
  }
  std::string write(const std::string& name, const std::string& text) const {
    return write(name, reinterpret_cast<const uint8_t*>(text.data()), text.size());
  }
  std::string path(const std::string& name) const { return m_dir + "/" + name; }

 private:
  std::string m_dir;
  pid_t m_owner = 0;
};

// One per harness process (a function-local static: destroyed at normal exit).
inline const ScratchDir& scratch() {
  static const ScratchDir dir;
  return dir;
}

// A YAML double-quoted scalar holding exactly `s`: backslash escapes for '"', '\\' and control
// bytes; bytes >= 0x80 are copied as they are.
inline std::string yaml_quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace systole::fuzz

// Checks a property of an accepted input; the message is built only when it fails.
#define FUZZ_CHECK(cond, message)                \
  do {                                           \
    if (!(cond)) ::systole::fuzz::fail(message); \
  } while (0)
