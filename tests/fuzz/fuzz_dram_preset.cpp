// Fuzz target: a DRAM device preset (load_dram_preset, what `dram.preset` names). The loader takes
// only a path, so the input is written to a scratch file in /dev/shm first. Contract: only
// UserError escapes; an accepted preset gives a usable device (atom_bytes, burst_clocks and
// peak_gbps defined and positive, the loader's own cross-checks hold), and the device written back
// as a preset file loads to the same device.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "fuzz_support.h"
#include "systole/config/dram_spec.h"

namespace {

using systole::DramDeviceSpec;

std::string preset_text(const DramDeviceSpec& d) {
  const auto& o = d.org;
  const auto& t = d.timing;
  std::string s = "standard: " + systole::fuzz::yaml_quoted(d.standard) + "\n";
  s += "source: " + systole::fuzz::yaml_quoted(d.source) + "\n";
  s += fmt::format(
      "organization:\n  channels: {}\n  ranks: {}\n  bank_groups: {}\n  banks_per_group: {}\n  rows: {}\n"
      "  columns: {}\n  bus_width_bits: {}\n  beats_per_clock: {}\n",
      o.channels, o.ranks, o.bank_groups, o.banks_per_group, o.rows, o.columns, o.bus_width_bits,
      o.beats_per_clock);
  s += fmt::format(
      "timing:\n  tck_ps: {}\n  bl: {}\n  cl: {}\n  cwl: {}\n  rcd: {}\n  rp: {}\n  ras: {}\n  rc: {}\n"
      "  rtp: {}\n  wr: {}\n  ccd_s: {}\n  ccd_l: {}\n  rrd_s: {}\n  rrd_l: {}\n  faw: {}\n  wtr_s: {}\n"
      "  wtr_l: {}\n  rtw: {}\n  rfc: {}\n  refi: {}\n",
      t.tck_ps, t.bl, t.cl, t.cwl, t.rcd, t.rp, t.ras, t.rc, t.rtp, t.wr, t.ccd_s, t.ccd_l, t.rrd_s, t.rrd_l,
      t.faw, t.wtr_s, t.wtr_l, t.rtw, t.rfc, t.refi);
  return s;
}

// Every field but the path (the file name differs); the stem gives the name, which is the same.
std::string fields(const DramDeviceSpec& d) {
  return fmt::format("{}|{}|{}|", d.name, d.standard, d.source) + preset_text(d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace systole;
  const std::string path = fuzz::scratch().write("preset.yaml", data, size);
  DramDeviceSpec d;
  if (!fuzz::accepts("load_dram_preset", [&] { d = load_dram_preset(path); })) return 0;
  fuzz::holds("invariants and round trip", [&] {
    FUZZ_CHECK(d.atom_bytes() >= 1, fmt::format("accepted preset has atom_bytes {}", d.atom_bytes()));
    FUZZ_CHECK(d.burst_clocks() >= 1, fmt::format("accepted preset has burst_clocks {}", d.burst_clocks()));
    const double gbps = d.peak_gbps();
    FUZZ_CHECK(std::isfinite(gbps) && gbps > 0, fmt::format("accepted preset has peak_gbps {}", gbps));
    FUZZ_CHECK(d.timing.rc >= d.timing.ras + d.timing.rp, "accepted preset has rc < ras + rp");
    const std::string text = preset_text(d);
    const std::string p2 = fuzz::scratch().write("preset.yaml", text);
    DramDeviceSpec again;
    try {
      again = load_dram_preset(p2);
    } catch (const UserError& e) {
      fuzz::fail(std::string("an accepted preset written back is rejected: ") + e.what() + "\n" + text);
    }
    FUZZ_CHECK(fields(d) == fields(again), "an accepted preset written back loads differently:\n" +
                                               fields(d) + "\n---\n" + fields(again));
  });
  return 0;
}
