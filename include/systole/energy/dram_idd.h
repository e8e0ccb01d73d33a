// DRAM command energies from datasheet IDD currents (DRAMPower's method, after Micron's power
// notes TN-41-01 / TN-40-07). Per rank, each term summed over the device's supply rails
// (config/dram_power.h) and multiplied by the devices in a rank; currents in mA, times in ns,
// voltages in V, so mA x ns x V = pJ and mA x V = mW:
//
//   E_ACT+PRE = V * (IDD0 * tRC - (IDD3N * tRAS + IDD2N * (tRC - tRAS)))   one ACT and its PRE
//   E_RD      = V * (IDD4R - IDD3N) * tBURST                               one RD burst
//   E_WR      = V * (IDD4W - IDD3N) * tBURST                               one WR burst
//   E_REF     = V * (IDD5B - IDD3N) * tRFC                                 one all-bank REF
//   P_active     = V * IDD3N    while at least one bank of the rank is open, or it refreshes
//   P_precharged = V * IDD2N    while every bank of the rank is precharged
//
// tRC, tRAS, tRFC are the preset's nCK x tCK, tBURST = bl / beats_per_clock nCK. The IDD currents
// are the device core's only: I/O drivers, termination (ODT) and the controller's PHY draw from
// VDDQ and the host, and are not in them (see docs/energy.md). Power-down and self-refresh are not
// modelled: a rank is always in active or precharged standby.
#pragma once

#include <string>

#include "systole/config/dram_spec.h"

namespace systole::energy {

// Per rank of the device.
struct DramIddEnergy {
  double act_pre_pj = 0.0;  // one ACT with its precharge (PRE, PREA share or auto-precharge)
  double rd_pj = 0.0;       // one RD (one burst)
  double wr_pj = 0.0;       // one WR (one burst)
  double ref_pj = 0.0;      // one all-bank REF
  double active_standby_mw = 0.0;
  double precharged_standby_mw = 0.0;
  int64_t devices_per_rank = 0;
};

// Derives the energies of `device` (which must have power.present(); InternalError otherwise).
DramIddEnergy derive_dram_idd(const DramDeviceSpec& device);

}  // namespace systole::energy
