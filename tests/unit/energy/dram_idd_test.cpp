// Per-command DRAM energies from IDD currents (energy/dram_idd.h), checked against a hand
// computation from the datasheet figures written out here (not read back from the presets), with
// the preset timings in ns: tCK x nCK.
#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/config/dram_spec.h"
#include "systole/energy/dram_idd.h"

namespace systole::energy {
namespace {

DramDeviceSpec shipped(const std::string& name) {
  return load_dram_preset(dram_preset_path(name, ""));
}

TEST(DramIdd, Ddr4_3200MatchesTheHandComputation) {
  // Micron 8Gb x8 DDR4-3200 (-062E): VDD 1.2 V: IDD0 57, IDD2N 37, IDD3N 56, IDD4R 168, IDD4W 155,
  // IDD5B 66 mA; VPP 2.5 V: IPP0 = IPP2N = IPP3N = IPP4R = IPP4W = 3, IPP5B 5 mA; 8 devices a rank.
  // tCK 0.625 ns: tRC 74 = 46.25 ns, tRAS 52 = 32.5 ns, tRC - tRAS = 13.75 ns, burst 4 nCK =
  // 2.5 ns, tRFC 560 = 350 ns.
  const double act_vdd = 1.2 * (57 * 46.25 - (56 * 32.5 + 37 * 13.75));  // 369 pJ
  const double act_vpp = 2.5 * (3 * 46.25 - (3 * 32.5 + 3 * 13.75));     // 0
  const DramIddEnergy e = derive_dram_idd(shipped("ddr4-3200"));
  EXPECT_EQ(e.devices_per_rank, 8);
  EXPECT_NEAR(e.act_pre_pj, 8 * (act_vdd + act_vpp), 1e-9);
  EXPECT_NEAR(e.act_pre_pj, 2952.0, 1e-9);
  EXPECT_NEAR(e.rd_pj, 8 * 1.2 * (168 - 56) * 2.5, 1e-9);                          // 2688
  EXPECT_NEAR(e.wr_pj, 8 * 1.2 * (155 - 56) * 2.5, 1e-9);                          // 2376
  EXPECT_NEAR(e.ref_pj, 8 * (1.2 * (66 - 56) * 350 + 2.5 * (5 - 3) * 350), 1e-9);  // 47600
  EXPECT_NEAR(e.active_standby_mw, 8 * (1.2 * 56 + 2.5 * 3), 1e-9);                // 597.6
  EXPECT_NEAR(e.precharged_standby_mw, 8 * (1.2 * 37 + 2.5 * 3), 1e-9);            // 415.2
}

TEST(DramIdd, Lpddr4_4266MatchesTheHandComputation) {
  // Micron 6Gb LPDDR4-3200 x16 channel: VDD1 1.8 V: IDD01 3.5, IDD2N1 2.0, IDD3N1 2.25, IDD4R1 =
  // IDD4W1 = 2.25, IDD51 10 mA; VDD2 1.1 V: IDD02 45, IDD2N2 27, IDD3N2 30, IDD4R2 275, IDD4W2 210,
  // IDD52 90 mA; 2 channels a rank. tCK 0.46875 ns: tRC 129 = 60.46875 ns, tRAS 90 = 42.1875 ns,
  // tRC - tRAS = 18.28125 ns, burst 8 nCK = 3.75 ns, tRFC 598 = 280.3125 ns.
  const double act = 1.8 * (3.5 * 60.46875 - (2.25 * 42.1875 + 2.0 * 18.28125)) +
                     1.1 * (45 * 60.46875 - (30 * 42.1875 + 27 * 18.28125));
  const DramIddEnergy e = derive_dram_idd(shipped("lpddr4-4266"));
  EXPECT_EQ(e.devices_per_rank, 2);
  EXPECT_NEAR(e.act_pre_pj, 2 * act, 1e-9);
  EXPECT_NEAR(e.act_pre_pj, 2404.6875, 1e-9);
  EXPECT_NEAR(e.rd_pj, 2 * 1.1 * (275 - 30) * 3.75, 1e-9);                            // 2021.25 (VDD1 adds 0)
  EXPECT_NEAR(e.wr_pj, 2 * 1.1 * (210 - 30) * 3.75, 1e-9);                            // 1485
  EXPECT_NEAR(e.ref_pj, 2 * (1.8 * (10 - 2.25) + 1.1 * (90 - 30)) * 280.3125, 1e-9);  // 44821.97
  EXPECT_NEAR(e.active_standby_mw, 2 * (1.8 * 2.25 + 1.1 * 30), 1e-9);                // 74.1
  EXPECT_NEAR(e.precharged_standby_mw, 2 * (1.8 * 2.0 + 1.1 * 27), 1e-9);             // 66.6
}

TEST(DramIdd, ScalesWithDevicesPerRankAndRejectsAPresetWithoutCurrents) {
  DramDeviceSpec d = shipped("ddr4-3200");
  const DramIddEnergy x8 = derive_dram_idd(d);
  d.power.device_width_bits = 16;  // four x16 devices instead of eight x8 (same currents)
  const DramIddEnergy x16 = derive_dram_idd(d);
  EXPECT_EQ(x16.devices_per_rank, 4);
  EXPECT_NEAR(x16.rd_pj * 2, x8.rd_pj, 1e-9);
  EXPECT_NEAR(x16.precharged_standby_mw * 2, x8.precharged_standby_mw, 1e-9);
  EXPECT_THROW(derive_dram_idd(shipped("hbm2")), InternalError);
}

}  // namespace
}  // namespace systole::energy
