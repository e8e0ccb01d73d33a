// IDD-based DRAM command energies (formulas in energy/dram_idd.h).
#include "systole/energy/dram_idd.h"

#include "systole/common/error.h"

namespace systole::energy {

DramIddEnergy derive_dram_idd(const DramDeviceSpec& device) {
  if (!device.power.present() || device.devices_per_rank() < 1) {
    throw InternalError("derive_dram_idd: preset " + device.name + " has no power section");
  }
  const DramTiming& t = device.timing;
  const double tck_ns = t.tck_ps / 1000.0;
  const double rc = static_cast<double>(t.rc) * tck_ns;
  const double ras = static_cast<double>(t.ras) * tck_ns;
  const double burst = static_cast<double>(device.burst_clocks()) * tck_ns;
  const double rfc = static_cast<double>(t.rfc) * tck_ns;

  DramIddEnergy e;  // one device first
  for (const DramRail& r : device.power.rails) {
    const double v = r.voltage_v;
    e.act_pre_pj += v * (r.idd0_ma * rc - (r.idd3n_ma * ras + r.idd2n_ma * (rc - ras)));
    e.rd_pj += v * (r.idd4r_ma - r.idd3n_ma) * burst;
    e.wr_pj += v * (r.idd4w_ma - r.idd3n_ma) * burst;
    e.ref_pj += v * (r.idd5b_ma - r.idd3n_ma) * rfc;
    e.active_standby_mw += v * r.idd3n_ma;
    e.precharged_standby_mw += v * r.idd2n_ma;
  }
  e.devices_per_rank = device.devices_per_rank();
  const auto n = static_cast<double>(e.devices_per_rank);
  for (double* x :
       {&e.act_pre_pj, &e.rd_pj, &e.wr_pj, &e.ref_pj, &e.active_standby_mw, &e.precharged_standby_mw})
    *x *= n;
  return e;
}

}  // namespace systole::energy
