// SIGINT and SIGTERM while a command writes outputs (docs/output-safety.md). The handler only
// records the signal in a sig_atomic_t; the command notices it at its next check (between phases,
// and at every retired instruction through InterruptObserver, whose exception the simulation
// rethrows after sc_start), unwinds, and its RAII guards remove every temporary, so the previous
// result stays as it was. main() prints one line and exits 128 + the signal (130, 143).
// A second signal while the first is being handled removes the registered temporaries with
// async-signal-safe calls only and exits at once. SIGKILL cannot be caught: the temporaries it
// leaves are hidden, carry the dead process's pid, and the next command writing beside them
// removes them (output_target.h).
//
// The handler's state is the one process-wide mutable state of the CLI: a signal handler can
// reach nothing else.
#pragma once

#include <exception>
#include <string>

#include "systole/stats/run_observer.h"

namespace systole::cli {

// Thrown at a check after SIGINT or SIGTERM; main() turns it into exit code 128 + signal.
class Interrupted : public std::exception {
 public:
  explicit Interrupted(int signal);
  int signal() const { return m_signal; }
  int exit_code() const { return 128 + m_signal; }
  const char* what() const noexcept override { return m_message.c_str(); }

 private:
  int m_signal;
  std::string m_message;
};

// Installs the SIGINT and SIGTERM handlers for its lifetime (restores the previous ones after).
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

// The signal received since the scope was installed (0: none).
int pending_signal();
// Throws Interrupted when a signal is pending.
void throw_if_interrupted();

// Registers `path` (a temporary file or folder of this process) for removal by the second-signal
// path; unregister_temporary when it has been installed or removed. At most 8 at a time (more are
// ignored there: the next run removes them as stale).
void register_temporary(const std::string& path);
void unregister_temporary(const std::string& path);

// Checks for a pending signal at every retired instruction: the run stops at the next retire.
class InterruptObserver : public hw::IRunObserver {
 public:
  void on_retire(const Instruction&, const hw::InstructionRecord&) override { throw_if_interrupted(); }
  void on_dram_burst(int, int64_t, int64_t, bool) override {}
  bool wants_dram_bursts() const override { return false; }
};

}  // namespace systole::cli
