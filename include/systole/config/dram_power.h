// Datasheet supply currents of a DRAM device, the optional `power:` section of a preset
// (arch/dram/<name>.yaml). They price DRAM commands from IDD currents the way DRAMPower and
// Micron's power notes do (energy/dram_idd.h); a preset without them is priced per bit from the
// energy table (docs/energy.md).
//
// File format (every number a map {value, unit, source}):
//   power:
//     source: "datasheet, part number, speed grade, table"
//     device_width_bits: {value: 8, unit: bit, source: "..."}   # DQ width of one device
//     rails:                       # one entry per supply the core draws from (DDR4: vdd, vpp;
//       vdd:                       # LPDDR4: vdd1, vdd2); I/O supplies (VDDQ) are left out
//         voltage: {value: 1.2, unit: V, source: "..."}
//         idd0:  {value: 57, unit: mA, source: "..."}   # one bank ACT-PRE at tRC
//         idd2n: ...   # precharge standby       idd3n: ...  # active standby
//         idd4r: ...   # burst read              idd4w: ...  # burst write
//         idd5b: ...   # all-bank refresh burst current at tRFC (DDR4 IDD5B, LPDDR4 IDD5)
// A rail needs all seven keys. Currents are per device as the datasheet states them; a rank is
// organization.bus_width_bits / device_width_bits devices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace systole {

// One supply rail of one device: nominal voltage (V) and the IDD currents (mA) drawn from it.
struct DramRail {
  std::string name;  // as in the file, e.g. "vdd", "vpp", "vdd1", "vdd2"
  double voltage_v = 0.0;
  double idd0_ma = 0.0;   // one bank ACTIVATE-PRECHARGE, tRC apart
  double idd2n_ma = 0.0;  // precharge standby (all banks closed, CKE high)
  double idd3n_ma = 0.0;  // active standby (a bank open, CKE high)
  double idd4r_ma = 0.0;  // burst read, seamless
  double idd4w_ma = 0.0;  // burst write, seamless
  double idd5b_ma = 0.0;  // all-bank refresh, REF every tRFC
};

struct DramPowerSpec {
  std::string source;             // empty: the preset has no power section
  int64_t device_width_bits = 0;  // DQ bits of one device (x8: 8; one LPDDR4 channel: 16)
  std::vector<DramRail> rails;    // in file order

  bool present() const { return !rails.empty(); }
};

}  // namespace systole
