#include "cli/output_target.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "cli/interrupt.h"
#include "systole/common/error.h"
#include "systole/common/output_file.h"
#include "systole/report/sha256.h"
#include "systole/trace/trace_sink.h"

namespace fs = std::filesystem;

namespace systole::cli {
namespace {

constexpr const char* kTmpMark = ".systole-tmp-";
constexpr const char* kOldMark = ".systole-old-";
// Longest part of the target's name kept in a temporary's name: NAME_MAX is 255 and the rest
// (dots, the mark, a pid, a hash) needs under 60.
constexpr size_t kMaxNamePart = 180;

// The first `n` bytes of `path` ("" when it cannot be opened).
std::string head(const fs::path& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

bool regular_file(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() == fs::file_type::regular;
}

// ".<name>.systole-tmp-<pid>" (the name shortened with a hash when long).
std::string hidden_name(const std::string& name, const char* mark) {
  std::string part = name;
  if (part.size() > kMaxNamePart) part = part.substr(0, kMaxNamePart) + "~" + sha256_hex(name).substr(0, 12);
  return "." + part + mark + std::to_string(::getpid());
}

std::string os_reason(const std::error_code& ec) {
  return ec.message();
}

// Only entries accepted by `ok` (by name and type); hidden temporaries of ours are ignored.
bool folder_holds_only(const fs::path& dir, const std::function<bool(const fs::directory_entry&)>& ok) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  if (ec) return false;
  for (; it != end; it.increment(ec)) {
    if (ec) return false;
    const std::string name = it->path().filename().string();
    if (name.find(kTmpMark) != std::string::npos || name.find(kOldMark) != std::string::npos) continue;
    if (!ok(*it)) return false;
  }
  return !ec;
}

// Whether `file` is a JSON document systole wrote: "tool" {"name": "systole"} first, whatever the
// indentation (report.json, serve.json).
bool written_by_systole(const fs::path& file) {
  if (!regular_file(file)) return false;
  std::string text;
  for (char c : head(file, 256))
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') text += c;
  return text.rfind(R"({"tool":{"name":"systole")", 0) == 0;
}

}  // namespace

OutputKind run_folder_kind() {
  return {true, "a Systole run (a report.json written by systole, and only files a run writes)",
          [](const fs::path& dir) {
            // report.json is dumped with "tool" first (report.h).
            if (!written_by_systole(dir / "report.json")) return false;
            // A user's own file beside a run (notes, a thesis) is never replaced without --force;
            // folders (plots/, dumped tensors) are a run's.
            // A run's own files, and every file a trace format may write (trace/trace_sink.h).
            static const char* const kRunFiles[] = {"report.json", "layers.csv", "summary.txt", "power.csv"};
            return folder_holds_only(dir, [](const fs::directory_entry& e) {
              std::error_code ec;
              const fs::file_type type = e.symlink_status(ec).type();
              if (type == fs::file_type::directory) return true;
              if (type != fs::file_type::regular) return false;
              const std::string name = e.path().filename().string();
              for (const char* f : kRunFiles)
                if (name == f) return true;
              for (const std::string& f : trace::trace_sinks().all_files())
                if (name == f) return true;
              return false;
            });
          }};
}

OutputKind serve_folder_kind() {
  return {true, "a Systole serving run (a serve.json written by systole, and only files it writes)",
          [](const fs::path& dir) {
            if (!written_by_systole(dir / "serve.json")) return false;
            static const char* const kServeFiles[] = {"serve.json", "requests.csv", "iterations.csv",
                                                      "summary.txt"};
            return folder_holds_only(dir, [](const fs::directory_entry& e) {
              std::error_code ec;
              const fs::file_type type = e.symlink_status(ec).type();
              if (type == fs::file_type::directory) return e.path().filename() == "steps";
              if (type != fs::file_type::regular) return false;
              const std::string name = e.path().filename().string();
              for (const char* f : kServeFiles)
                if (name == f) return true;
              return false;
            });
          }};
}

OutputKind tensor_folder_kind() {
  return {true, "tensors of an earlier --dump-tensors (only .npy files)", [](const fs::path& dir) {
            return folder_holds_only(dir, [](const fs::directory_entry& e) {
              std::error_code ec;
              return e.symlink_status(ec).type() == fs::file_type::regular && e.path().extension() == ".npy";
            });
          }};
}

OutputKind plot_folder_kind(std::vector<std::string> names) {
  return {true, "pictures of an earlier `systole plot`", [names = std::move(names)](const fs::path& dir) {
            return folder_holds_only(dir, [&names](const fs::directory_entry& e) {
              std::error_code ec;
              if (e.symlink_status(ec).type() != fs::file_type::regular) return false;
              const std::string name = e.path().filename().string();
              for (const auto& n : names)
                if (n == name) return true;
              return false;
            });
          }};
}

OutputKind image_file_kind() {
  return {
      false, "a PNG or SVG picture", [](const fs::path& file) {
        const std::string h = head(file, 1024);
        return h.rfind("\x89PNG\r\n\x1a\n", 0) == 0 ||
               ((h.rfind("<?xml", 0) == 0 || h.rfind("<svg", 0) == 0) && h.find("<svg") != std::string::npos);
      }};
}

OutputKind text_file_kind(std::string first_line, std::string what) {
  return {false, std::move(what), [first_line = std::move(first_line)](const fs::path& file) {
            return head(file, first_line.size() + 1) == first_line + "\n";
          }};
}

fs::path normalised(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(path), ec);
  if (ec) p = fs::path(path);
  p = p.lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

bool path_within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

OutputTarget::OutputTarget(std::string flag, const std::string& path, OutputKind kind, bool force)
    : m_flag(std::move(flag)), m_display(path), m_kind(std::move(kind)) {
  auto refuse = [&](const std::string& why) {
    return UserError(fmt::format("{} = '{}': {}", m_flag, m_display, why));
  };
  const std::string noun = m_kind.folder ? "folder" : "file";
  if (path.empty()) throw refuse(fmt::format("an empty path; name the output {}", noun));
  m_target = normalised(path);
  if (m_target == m_target.root_path() || !m_target.has_filename()) {
    throw refuse(fmt::format("the root folder cannot be an output {}", noun));
  }
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  const fs::path real_target = fs::weakly_canonical(m_target, ec);
  if (!ec && path_within(fs::weakly_canonical(cwd, ec), real_target)) {
    throw refuse(fmt::format(
        "holds the current folder; Systole replaces its output {} whole: name one elsewhere", noun));
  }

  // The nearest existing ancestor must be a folder we can create entries in.
  fs::path ancestor = m_target.parent_path();
  while (true) {
    const fs::file_status st = fs::status(ancestor, ec);
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
      throw refuse(fmt::format("cannot inspect '{}': {}", ancestor.string(), os_reason(ec)));
    }
    if (fs::exists(st)) {
      if (!fs::is_directory(st)) throw refuse(fmt::format("'{}' is not a folder", ancestor.string()));
      if (::access(ancestor.c_str(), W_OK | X_OK) != 0) {
        throw refuse(fmt::format("cannot write in '{}': {}", ancestor.string(), std::strerror(errno)));
      }
      break;
    }
    if (!ancestor.has_relative_path()) break;
    ancestor = ancestor.parent_path();
  }

  const fs::file_status st = fs::symlink_status(m_target, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    throw refuse(fmt::format("cannot inspect it: {}", os_reason(ec)));
  }
  const std::string how =
      m_kind.folder
          ? "Systole replaces its output folder whole: choose a new or empty folder, or pass --force "
            "to replace it"
          : "choose another file name, or pass --force to replace it";
  switch (st.type()) {
    case fs::file_type::not_found:
      return;
    case fs::file_type::directory:
      if (!m_kind.folder) throw refuse("is a folder; expected a file name");
      if (fs::is_empty(m_target, ec) || force || m_kind.recognise(m_target)) return;
      throw refuse(fmt::format("a folder that does not hold {}; {}", m_kind.what, how));
    case fs::file_type::regular:
      if (m_kind.folder && !force) throw refuse(fmt::format("is a file, expected a folder; {}", how));
      if (force || m_kind.recognise(m_target)) return;
      throw refuse(fmt::format("an existing file that is not {}; {}", m_kind.what, how));
    case fs::file_type::symlink:
      if (force) return;
      throw refuse(fmt::format("is a symbolic link; {}", how));
    default:
      throw refuse(fmt::format("exists and is not a regular {} (a device, FIFO or socket)", noun));
  }
}

OutputTarget::~OutputTarget() {
  if (m_committed || m_staging.empty()) return;
  std::error_code ec;
  fs::remove_all(m_staging, ec);
  unregister_temporary(m_staging.string());
}

const fs::path& OutputTarget::stage() {
  if (!m_staging.empty()) return m_staging;
  const fs::path parent = m_target.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) {
    throw UserError(fmt::format("{} = '{}': cannot create the folder '{}': {}", m_flag, m_display,
                                parent.string(), os_reason(ec)));
  }
  remove_stale_temporaries(parent);
  const fs::path staging = parent / hidden_name(m_target.filename().string(), kTmpMark);
  fs::remove_all(staging, ec);  // left by an earlier process with our pid
  register_temporary(staging.string());
  m_staging = staging;
  if (m_kind.folder) {
    fs::create_directory(staging, ec);
    if (ec) {
      throw UserError(fmt::format("{} = '{}': cannot create a folder in '{}': {}", m_flag, m_display,
                                  parent.string(), os_reason(ec)));
    }
  }
  return m_staging;
}

void OutputTarget::commit() {
  if (m_staging.empty()) throw InternalError("OutputTarget::commit before stage");
  auto failed = [&](const std::string& what, const std::error_code& ec) {
    return UserError(fmt::format("{} = '{}': {}: {}", m_flag, m_display, what, os_reason(ec)));
  };
  std::error_code ec;
  const fs::path parent = m_target.parent_path();
  const bool exists = fs::symlink_status(m_target, ec).type() != fs::file_type::not_found;
  if (!m_kind.folder) {
    // A file is replaced by one atomic rename.
    fs::rename(m_staging, m_target, ec);
    if (ec) throw failed("cannot rename the new file into place", ec);
    m_committed = true;
    unregister_temporary(m_staging.string());
    return;
  }
  fs::path old;
  if (exists) {
    old = parent / hidden_name(m_target.filename().string(), kOldMark);
    fs::remove_all(old, ec);
    fs::rename(m_target, old, ec);
    if (ec) throw failed("cannot move the earlier output aside", ec);
  }
  fs::rename(m_staging, m_target, ec);
  if (ec) {
    std::error_code back;
    if (exists) fs::rename(old, m_target, back);  // the earlier output, whole, back in place
    throw failed("cannot rename the new output into place", ec);
  }
  m_committed = true;
  unregister_temporary(m_staging.string());
  if (exists) fs::remove_all(old, ec);  // a failure leaves a hidden folder the next run removes
}

void write_text_file(const fs::path& path, const std::string& text, const std::string& flag,
                     const std::string& display) {
  if (const int err = write_whole_file(path.string(), text); err != 0) {
    throw UserError(
        fmt::format("{} = '{}': cannot write '{}': {}", flag, display, path.string(), std::strerror(err)));
  }
}

void remove_stale_temporaries(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  if (ec) return;
  for (; it != end; it.increment(ec)) {
    if (ec) return;
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] != '.') continue;
    size_t mark = name.rfind(kTmpMark);
    if (mark == std::string::npos) mark = name.rfind(kOldMark);
    if (mark == std::string::npos) continue;
    const std::string digits = name.substr(mark + std::strlen(kTmpMark));
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to probe): keep
    std::error_code ignored;
    // An earlier output moved aside by a process that died before the new one was in place: put
    // it back when its place is still empty (a shortened name cannot be traced back: removed).
    const std::string part = name.substr(1, mark - 1);
    const bool shortened = part.size() == kMaxNamePart + 13 && part[kMaxNamePart] == '~';
    if (name.compare(mark, std::strlen(kOldMark), kOldMark) == 0 && !shortened &&
        fs::symlink_status(dir / part, ignored).type() == fs::file_type::not_found) {
      fs::rename(it->path(), dir / part, ignored);
      if (!ignored) continue;
    }
    fs::remove_all(it->path(), ignored);
  }
}

}  // namespace systole::cli
