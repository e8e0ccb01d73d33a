// Runs a hand-built Program on a whole NpuTop (SystemC), for the module tests of tests/unit/hw.
#pragma once

#include <cstdlib>
#include <exception>
#include <memory>

#include "systole/hw/core/npu_top.h"
#include "unit/hw/program_builder.h"

namespace systole::hwtest {

// Elaborates an NpuTop and runs it to completion, keeping the modules for inspection.
// One per test process (SystemC elaborates once).
inline std::unique_ptr<hw::NpuTop> run_top(const ArchSpec& arch, const Program& program) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  auto top = std::make_unique<hw::NpuTop>("npu", hw::NpuTopParams{arch, program});
  sc_core::sc_start();
  if (std::exception_ptr f = top->failure()) std::rethrow_exception(f);
  return top;
}

}  // namespace systole::hwtest
