#include "systole/common/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole {
namespace {

std::string size_text(uint64_t bytes) {
  if (bytes >= (1ull << 20)) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (1ull << 10)) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

// Closes the descriptor on every path out of read_input_file.
struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string read_input_file(const std::string& path, const std::string& what, uint64_t max_bytes) {
  std::string text, problem;
  if (!try_read_input_file(path, what, max_bytes, &text, &problem)) {
    throw UserError(fmt::format("{}: {}", path.empty() ? "''" : path, problem));
  }
  return text;
}

bool try_read_input_file(const std::string& path, const std::string& what, uint64_t max_bytes,
                         std::string* text, std::string* problem) {
  const auto fail = [&](const std::string& verb, const std::string& why) {
    *problem = fmt::format("cannot {} the {}: {}", verb, what, why);
    return false;
  };
  if (path.empty()) return fail("open", "the path is empty");
  FileDescriptor f;
  // O_NONBLOCK: opening a FIFO with no writer must not block; it is refused below anyway.
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (f.fd < 0) {
    const int err = errno;
    return fail("open", std::strerror(err));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return fail("read", std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail("read", "it is a directory, not a file");
  if (!S_ISREG(st.st_mode)) return fail("read", "it is not a regular file (a device, FIFO or socket)");
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return fail("read", fmt::format("it is {}, more than the {} limit for a {}", size_text(st.st_size),
                                    size_text(max_bytes), what));
  }
  // Back to blocking reads for a regular file.
  ::fcntl(f.fd, F_SETFL, ::fcntl(f.fd, F_GETFL) & ~O_NONBLOCK);
  text->clear();
  text->reserve(static_cast<size_t>(st.st_size));
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(f.fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("read", std::strerror(errno));
    }
    if (n == 0) break;
    text->append(buffer, static_cast<size_t>(n));
    // The file may grow while it is read: the limit holds for what is read, not only for stat.
    if (text->size() > max_bytes) {
      return fail("read", fmt::format("it is more than the {} limit for a {}", size_text(max_bytes), what));
    }
  }
  return true;
}

}  // namespace systole
