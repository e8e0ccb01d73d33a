#include "cli/interrupt.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

namespace systole::cli {
namespace {

constexpr int kMaxTemporaries = 8;
constexpr size_t kMaxPath = 4096;

// Written by the handler, read by the checks: the only state a signal handler may touch.
volatile std::sig_atomic_t g_signal = 0;
// Temporaries for the second-signal path: a slot is used when g_used[i] is 1 (set after the path
// is complete, cleared before it is changed).
char g_paths[kMaxTemporaries][kMaxPath];
volatile std::sig_atomic_t g_used[kMaxTemporaries] = {};

struct sigaction g_previous_int;
struct sigaction g_previous_term;

// Removes everything inside the directory `fd` (closed here), `depth` levels deep at most, with
// async-signal-safe calls only (openat, getdents64, unlinkat, close).
void remove_contents(int fd, int depth) {
  alignas(8) static char buffers[4][2048];
  if (depth >= 4) {
    ::close(fd);
    return;
  }
  char* buf = buffers[depth];
  while (true) {
    const long n = ::syscall(SYS_getdents64, fd, buf, sizeof(buffers[0]));
    if (n <= 0) break;
    bool removed = false;
    for (long off = 0; off < n;) {
      struct Entry {
        uint64_t ino;
        int64_t off;
        unsigned short reclen;
        unsigned char type;
        char name[1];
      };
      const auto* e = reinterpret_cast<const Entry*>(buf + off);
      off += e->reclen;
      if (std::strcmp(e->name, ".") == 0 || std::strcmp(e->name, "..") == 0) continue;
      if (::unlinkat(fd, e->name, 0) == 0) {
        removed = true;
        continue;
      }
      const int sub = ::openat(fd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) {
        remove_contents(sub, depth + 1);
        if (::unlinkat(fd, e->name, AT_REMOVEDIR) == 0) removed = true;
      }
    }
    if (removed) ::lseek(fd, 0, SEEK_SET);  // re-read from the start: what is left
  }
  ::close(fd);
}

void remove_registered() {
  for (int i = 0; i < kMaxTemporaries; ++i) {
    if (!g_used[i]) continue;
    const char* path = g_paths[i];
    if (::unlink(path) == 0) continue;
    const int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      remove_contents(fd, 0);
      ::rmdir(path);
    }
  }
}

void write_stderr(const char* text) {
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

extern "C" void on_signal(int sig) {
  if (g_signal != 0) {
    // The second signal: the first is still being handled (or the run did not reach a check).
    remove_registered();
    write_stderr(sig == SIGINT ? "\nsystole: interrupted again (SIGINT): temporaries removed, exiting now\n"
                               : "\nsystole: terminated again (SIGTERM): temporaries removed, exiting now\n");
    ::_exit(128 + sig);
  }
  g_signal = sig;
}

std::string signal_message(int sig) {
  const char* name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
  return std::string(sig == SIGTERM ? "terminated" : "interrupted") + " by " + name +
         ": stopped, temporary outputs removed, earlier results left as they were";
}

}  // namespace

Interrupted::Interrupted(int signal) : m_signal(signal), m_message(signal_message(signal)) {}

InterruptScope::InterruptScope() {
  g_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  // No SA_RESTART: a blocking waitpid for a plotting script returns EINTR so the child can be
  // stopped too.
  sa.sa_flags = 0;
  ::sigaction(SIGINT, &sa, &g_previous_int);
  ::sigaction(SIGTERM, &sa, &g_previous_term);
}

InterruptScope::~InterruptScope() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
}

int pending_signal() {
  return g_signal;
}

void throw_if_interrupted() {
  if (const int sig = g_signal; sig != 0) throw Interrupted(sig);
}

void register_temporary(const std::string& path) {
  if (path.size() >= kMaxPath) return;
  for (int i = 0; i < kMaxTemporaries; ++i) {
    if (g_used[i]) continue;
    std::memcpy(g_paths[i], path.c_str(), path.size() + 1);
    g_used[i] = 1;
    return;
  }
}

void unregister_temporary(const std::string& path) {
  for (int i = 0; i < kMaxTemporaries; ++i) {
    if (g_used[i] && path == g_paths[i]) g_used[i] = 0;
  }
}

}  // namespace systole::cli
