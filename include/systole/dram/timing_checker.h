// An independent witness of the DRAM timing rules: observes the command stream of a
// MemorySystem and records every command that violates a constraint of the device (tRCD, tRP,
// tRAS, tRC, tRTP, tWR, tCCD_S/L, tRRD_S/L, tFAW, tWTR_S/L, read-to-write turnaround, tRFC,
// refresh every tREFI on average, ACT to an open bank, RD/WR to a closed bank or another row,
// data-bus overlap). Written from the JEDEC definitions, not from the controller's code, so a
// controller bug shows up here. Every DRAM test attaches one and expects no violations.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "systole/config/dram_spec.h"
#include "systole/dram/memory_system.h"

namespace systole::dram {

class TimingChecker : public ICommandObserver {
 public:
  // expect_refresh: also check that every rank is refreshed on average every tREFI (at most 8
  // REF postponed); false for a controller run with refresh off.
  explicit TimingChecker(const DramDeviceSpec& device, bool expect_refresh = true);
  ~TimingChecker() override;
  TimingChecker(TimingChecker&&) noexcept;
  TimingChecker& operator=(TimingChecker&&) noexcept;
  void on_command(const CommandEvent& e) override;

  // Human-readable, e.g. "cycle 120 ch0 ra0 bg1 ba2: RD 10 nCK after ACT, tRCD = 22";
  // at most the first 100 are kept, violation_count() counts all.
  const std::vector<std::string>& violations() const;
  int64_t violation_count() const;
  int64_t commands_seen() const;

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace systole::dram
