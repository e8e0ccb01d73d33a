// Errors inside SystemC processes. An exception must not escape a process (the kernel would turn it
// into an sc_report and lose its type), and the expected error paths (deadlock, scratchpad overrun)
// do not throw at all inside a process: AddressSanitizer mis-tracks exceptions thrown on SystemC's
// coroutine stacks. They record an exception_ptr and stop the simulation instead; the caller of
// sc_start rethrows it (NpuTop::failure). run_guarded is the safety net for anything else.
#pragma once

#include <exception>
#include <string>
#include <utility>

#include <systemc>

#include "systole/common/error.h"

namespace systole::hw {

// Records the first failure and stops the simulation; does not throw.
inline void fail(std::exception_ptr& slot, std::exception_ptr error) {
  if (!slot) slot = std::move(error);
  sc_core::sc_stop();
}

inline void fail_internal(std::exception_ptr& slot, const std::string& message) {
  fail(slot, std::make_exception_ptr(InternalError(message)));
}

template <typename F>
void run_guarded(std::exception_ptr& failure, F&& body) {
  try {
    std::forward<F>(body)();
  } catch (...) {
    fail(failure, std::current_exception());
  }
}

}  // namespace systole::hw
