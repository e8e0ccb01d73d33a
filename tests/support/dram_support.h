// Test support shared by the DRAM unit and fidelity tests: the shipped presets and a command log.
#pragma once

#include <string>
#include <vector>

#include "systole/config/dram_spec.h"
#include "systole/dram/address_mapping.h"
#include "systole/dram/memory_system.h"

namespace systole::dram::testsupport {

// The presets in arch/dram/, by the names `dram.preset` and `memtest --dram` take.
inline const std::vector<std::string>& shipped_presets() {
  static const std::vector<std::string> k{"ddr4-3200", "hbm2", "lpddr4-4266", "lpddr5-6400"};
  return k;
}

inline DramDeviceSpec preset(const std::string& name) {
  return load_dram_preset(dram_preset_path(name, ""));
}

// The address of (bank group, bank, row, column, channel) under `map` (rank 0).
inline uint64_t address_of(const AddressMapping& map, int64_t bank_group, int64_t bank, int64_t row,
                           int64_t column = 0, int64_t channel = 0) {
  Coordinates c;
  c.channel = channel;
  c.bank_group = bank_group;
  c.bank = bank;
  c.row = row;
  c.column = column;
  return map.encode(c);
}

inline void submit(MemorySystem& mem, uint64_t id, uint64_t address, int64_t arrival, bool write = false) {
  Request r;
  r.id = id;
  r.address = address;
  r.arrival = arrival;
  r.is_write = write;
  mem.submit(r);
}

// Records every command it sees.
class CommandLog : public ICommandObserver {
 public:
  void on_command(const CommandEvent& e) override { events.push_back(e); }
  std::vector<CommandEvent> of(Command c) const {
    std::vector<CommandEvent> out;
    for (const auto& e : events) {
      if (e.command == c) out.push_back(e);
    }
    return out;
  }
  std::vector<CommandEvent> events;
};

}  // namespace systole::dram::testsupport
