// Shared pieces of the DRAM fidelity tests: every test runs on every shipped preset, with a
// TimingChecker attached, and derives its expected numbers from the preset's DramDeviceSpec.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/dram_support.h"
#include "systole/config/dram_spec.h"
#include "systole/dram/address_mapping.h"
#include "systole/dram/memory_system.h"
#include "systole/dram/timing_checker.h"

namespace systole::dram::fidelity {

inline std::vector<std::string> presets() {
  return testsupport::shipped_presets();
}

inline std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (auto& c : s) {
    if (c == '-') c = '_';
  }
  return s;
}

using testsupport::CommandLog;

// A MemorySystem with a checker and a command log attached, and helpers to place requests.
struct Rig {
  Rig(const std::string& preset, ControllerOptions o)
      : device(testsupport::preset(preset)),
        options(o),
        mem(device, o),
        map(device, o.mapping),
        checker(device, o.refresh) {
    mem.add_observer(&checker);
    mem.add_observer(&log);
  }
  uint64_t addr(int64_t bank_group, int64_t bank, int64_t row, int64_t column = 0,
                int64_t channel = 0) const {
    return testsupport::address_of(map, bank_group, bank, row, column, channel);
  }
  void submit(uint64_t id, uint64_t address, int64_t arrival, bool write = false) {
    testsupport::submit(mem, id, address, arrival, write);
  }
  Completion next() {
    Completion c;
    EXPECT_TRUE(mem.next_completion(&c));
    return c;
  }
  // Closed loop: `window` requests in flight, address_of(i) for request i, each new one arriving
  // when an earlier one completes.
  // write_of(i) says whether request i writes.
  template <typename F, typename G>
  void closed_loop(int64_t n, int64_t window, F address_of, G write_of) {
    int64_t issued = 0;
    for (; issued < std::min(n, window); ++issued) {
      submit(static_cast<uint64_t>(issued), address_of(issued), 0, write_of(issued));
    }
    Completion c;
    while (mem.next_completion(&c)) {
      if (issued < n) {
        submit(static_cast<uint64_t>(issued), address_of(issued), c.done, write_of(issued));
        ++issued;
      }
    }
  }
  template <typename F>
  void closed_loop(int64_t n, int64_t window, F address_of) {
    closed_loop(n, window, address_of, [](int64_t) { return false; });
  }
  std::string first_violation() const { return checker.violations().empty() ? "" : checker.violations()[0]; }

  DramDeviceSpec device;
  ControllerOptions options;
  MemorySystem mem;
  AddressMapping map;
  TimingChecker checker;
  CommandLog log;
};

}  // namespace systole::dram::fidelity
