#include "cli/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::cli {

std::string read_input_file(const std::filesystem::path& path, const std::string& what,
                            std::uintmax_t limit) {
  const std::string p = path.string();
  auto fail = [&](const std::string& reason) {
    return UserError(fmt::format("{} '{}': {}", what, p, reason));
  };
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw fail(std::strerror(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw fail(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw fail("is a directory, expected a file");
  if (!S_ISREG(st.st_mode)) throw fail("not a regular file (a device, FIFO or socket); expected a file");
  const auto size = static_cast<std::uintmax_t>(st.st_size);
  if (size > limit) {
    throw fail(
        fmt::format("{} bytes, more than the {} MiB Systole reads from one input file", size, limit >> 20));
  }
  std::string text;
  text.resize(static_cast<size_t>(size));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fail(fmt::format("cannot read: {}", std::strerror(errno)));
    if (n == 0) break;  // shrank while being read: use what is there
    done += static_cast<size_t>(n);
  }
  text.resize(done);
  // Grew while being read: more than was measured is never read, so the limit holds.
  return text;
}

}  // namespace systole::cli
