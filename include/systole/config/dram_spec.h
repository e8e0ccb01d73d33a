// A DRAM device as the cycle-level model (dram.kind: cycle) needs it: organisation and JEDEC
// timing, read from a preset file in arch/dram/<name>.yaml (docs/config-reference.md lists its
// keys; every value carries the source it was taken from). Pure data; no SystemC.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/config/dram_model_list.h"
#include "systole/config/dram_power.h"

namespace systole {

// Row-buffer policy: kOpen leaves a row open after a column access (a later hit to it skips
// ACT); kClosed precharges as soon as no queued request hits the open row (auto-precharge).
enum class DramPagePolicy { kOpen, kClosed };
const char* to_string(DramPagePolicy p);  // "open", "closed"
bool parse_dram_page_policy(const std::string& s, DramPagePolicy* out);
std::vector<std::string> dram_page_policy_names();

// Which queued request a channel controller serves next (dram/scheduler.h has the policies):
//   kFrfcfs:    first-ready FR-FCFS: a request hitting an open row goes before older misses;
//   kFcfs:      first-come first-served: the oldest request of each bank, hit or not;
//   kFrfcfsCap: FR-FCFS, but after `dram.row_hit_cap` hits to one open row an older miss of that
//               bank goes first (bounds how long a stream of hits can starve a miss).
// One enumerator per line of SYSTOLE_DRAM_SCHEDULERS (config/dram_model_list.h), in its order.
enum class DramScheduler {
#define SYSTOLE_DRAM_SCHEDULER_ENUMERATOR(name, enumerator) enumerator,
  SYSTOLE_DRAM_SCHEDULERS(SYSTOLE_DRAM_SCHEDULER_ENUMERATOR)
#undef SYSTOLE_DRAM_SCHEDULER_ENUMERATOR
};
const char* to_string(DramScheduler s);  // "frfcfs", "fcfs", "frfcfs_cap"
bool parse_dram_scheduler(const std::string& s, DramScheduler* out);
std::vector<std::string> dram_scheduler_names();

// How a physical address is split into DRAM coordinates, most significant field first, after the
// low log2(atom_bytes) bits (the burst offset) are dropped. Ro = row, Ba = bank group and bank
// (bank group in the lower bits), Ra = rank, Co = column (in atoms), Ch = channel.
//   kRoBaRaCoCh: consecutive atoms go to consecutive channels, then along a row (streaming hits
//                open rows in every channel);
//   kChRaBaRoCo: each channel owns one contiguous slice of the address space; within it a row's
//                columns are contiguous, then the next row of the same bank.
//   kRoCoBaRaCh: consecutive atoms interleave over channels, ranks and banks before columns.
enum class DramAddressMapping { kRoBaRaCoCh, kChRaBaRoCo, kRoCoBaRaCh };
const char* to_string(DramAddressMapping m);  // "RoBaRaCoCh", "ChRaBaRoCo", "RoCoBaRaCh"
bool parse_dram_address_mapping(const std::string& s, DramAddressMapping* out);
std::vector<std::string> dram_address_mapping_names();

struct DramOrganization {
  int64_t channels = 1;  // independent channels (HBM2: pseudo-channels)
  int64_t ranks = 1;     // per channel
  int64_t bank_groups = 1;
  int64_t banks_per_group = 8;
  int64_t rows = 65536;         // per bank
  int64_t columns = 1024;       // per row, in bus-width units (one beat of the data bus)
  int64_t bus_width_bits = 64;  // data bus width of one channel
  int64_t beats_per_clock = 2;  // data transfers per command clock (DDR: 2; LPDDR5 4:1 WCK: 8)
  int64_t banks() const { return bank_groups * banks_per_group; }  // per rank
};

// JEDEC timing parameters in command-clock cycles (nCK) except tck_ps. Where a standard has no
// bank groups (LPDDR4, HBM2 per pseudo-channel) the _S and _L values are equal.
struct DramTiming {
  double tck_ps = 625.0;  // command clock period, ps (DDR4-3200: 1600 MHz -> 625 ps)
  int64_t bl = 8;         // burst length in beats; a burst holds the bus bl / beats_per_clock nCK
  int64_t cl = 22;        // RD to first data (tAA / RL)
  int64_t cwl = 16;       // WR to first data (WL)
  int64_t rcd = 22;       // ACT to RD/WR
  int64_t rp = 22;        // PRE to ACT
  int64_t ras = 52;       // ACT to PRE
  int64_t rc = 74;        // ACT to ACT, same bank (tRAS + tRP)
  int64_t rtp = 12;       // RD to PRE
  int64_t wr = 24;        // end of write data to PRE (write recovery)
  int64_t ccd_s = 4;      // column command to column command, different bank group
  int64_t ccd_l = 8;      // same bank group
  int64_t rrd_s = 4;      // ACT to ACT, different bank group
  int64_t rrd_l = 8;      // same bank group
  int64_t faw = 34;       // at most four ACT in any tFAW window (per rank)
  int64_t wtr_s = 4;      // end of write data to RD, different bank group
  int64_t wtr_l = 12;     // same bank group
  int64_t rtw = 0;        // extra bus turnaround RD -> WR beyond CL + burst - CWL (nCK), >= 0
  int64_t rfc = 560;      // REF to next command to that rank (tRFC)
  int64_t refi = 12480;   // average refresh interval (tREFI)
};

struct DramDeviceSpec {
  std::string name;      // preset name, e.g. "ddr4-3200" (file stem)
  std::string standard;  // "DDR4", "LPDDR4", "LPDDR5", "HBM2"
  std::string source;    // where the values come from (standard, datasheet, table)
  std::string path;      // the file it was read from
  DramOrganization org;
  DramTiming timing;
  DramPowerSpec power;  // datasheet currents (optional `power:` section); empty: priced per bit

  // Devices in one rank (power.device_width_bits wide each); 0 without a power section.
  int64_t devices_per_rank() const {
    return power.device_width_bits > 0 ? org.bus_width_bits / power.device_width_bits : 0;
  }

  int64_t atom_bytes() const { return org.bus_width_bits / 8 * timing.bl; }  // one burst, B
  int64_t burst_clocks() const { return timing.bl / org.beats_per_clock; }   // nCK on the bus
  // Peak data bandwidth of all channels, GB/s (1e9 B/s):
  //   channels * bus_width_bits / 8 * beats_per_clock / tck (1 B/ps = 1000 GB/s).
  double peak_gbps() const {
    return static_cast<double>(org.channels * org.bus_width_bits / 8 * org.beats_per_clock) * 1000.0 /
           timing.tck_ps;
  }
};

// The preset file for `name` (a name like "ddr4-3200" or a path to a .yaml file): a path is
// returned as is; a name is looked up in `<dir of the arch file>/dram/<name>.yaml` when
// arch_dir is not empty and that file exists, else in `<data dir>/arch/dram/<name>.yaml` (the
// data dir is the source tree, compiled in). Throws ConfigError naming the preset and the
// places searched, listing the presets found there, when there is none.
std::string dram_preset_path(const std::string& name, const std::string& arch_dir);
std::vector<std::string> dram_preset_names();  // stems of <data dir>/arch/dram/*.yaml, sorted

// Reads and validates a preset file. Throws ConfigError (file:line: key = 'value': rule) for a
// missing, unknown or out-of-range key, and for inconsistent timing (e.g. tRC < tRAS + tRP,
// bl not a multiple of beats_per_clock, sizes not powers of two) or currents (dram_power.h).
DramDeviceSpec load_dram_preset(const std::string& path);

}  // namespace systole
