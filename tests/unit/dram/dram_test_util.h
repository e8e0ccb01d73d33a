// Helpers shared by the DRAM unit tests.
#pragma once

#include "support/dram_support.h"
#include "systole/config/dram_spec.h"
#include "systole/dram/memory_system.h"

namespace systole::dram::test {

using testsupport::CommandLog;
using testsupport::preset;
using testsupport::shipped_presets;

// A small DDR4-like device with round numbers, for hand-made command streams.
inline DramDeviceSpec toy_device() {
  DramDeviceSpec d;
  d.name = "toy";
  d.org.channels = 1;
  d.org.ranks = 1;
  d.org.bank_groups = 2;
  d.org.banks_per_group = 4;
  d.org.rows = 1024;
  d.org.columns = 128;
  d.org.bus_width_bits = 64;
  d.org.beats_per_clock = 2;
  DramTiming& t = d.timing;
  t.tck_ps = 1000;
  t.bl = 8;  // burst 4 nCK
  t.cl = 10;
  t.cwl = 8;
  t.rcd = 10;
  t.rp = 10;
  t.ras = 24;
  t.rc = 36;  // > ras + rp so that tRC can be violated alone
  t.rtp = 6;
  t.wr = 12;
  t.ccd_s = 4;
  t.ccd_l = 6;
  t.rrd_s = 4;
  t.rrd_l = 6;
  t.faw = 20;
  t.wtr_s = 3;
  t.wtr_l = 7;
  t.rtw = 2;
  t.rfc = 100;
  t.refi = 2000;
  return d;
}

}  // namespace systole::dram::test
