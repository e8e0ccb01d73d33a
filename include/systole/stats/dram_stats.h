// What a DRAM model counted during a run (no SystemC): the requests the DMA made of it and, for
// dram.kind cycle, the device commands and row-buffer hits behind them. simulate() hands it out
// through SimOptions::dram_stats.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace systole {

// kind cycle: one channel's device-level counts; the fields mean what DramStats' fields of the
// same names mean, for this channel alone (read_bytes / write_bytes count atoms' bytes).
struct DramChannelStats {
  int64_t atoms = 0, row_hits = 0;
  int64_t read_bytes = 0, write_bytes = 0;
  int64_t act = 0, pre = 0, rd = 0, wr = 0, ref = 0;
  double active_standby_ns = 0.0, precharged_standby_ns = 0.0;
};

struct DramStats {
  std::string kind;  // the dram.kind that produced it: "ideal", "simple", "cycle"
  // Requests as the initiator made them (a DMA burst is one request).
  int64_t reads = 0;
  int64_t writes = 0;
  int64_t read_bytes = 0;
  int64_t write_bytes = 0;
  // Sum over read requests of (completion - arrival), ns; see avg_read_latency_ns().
  double read_latency_sum_ns = 0.0;
  // kind cycle only (0 otherwise). A request is split into device atoms (DramDeviceSpec::
  // atom_bytes); commands and row hits are counted per atom (a row hit: served without an ACT
  // of its own).
  int64_t atoms = 0;
  int64_t row_hits = 0;
  int64_t act = 0;
  int64_t pre = 0;
  int64_t rd = 0;
  int64_t wr = 0;
  int64_t ref = 0;
  // kind cycle only: background (standby) time summed over every rank of every channel, ns, from
  // the start of the run to its end (IDramChannel::set_run_end). Active standby: at least one
  // bank of the rank open, or a refresh in progress (dram::MemorySystem::rank_active_cycles);
  // precharged standby: the rest. active + precharged = ranks x channels x run time (in whole
  // DRAM clocks). Power-down and self-refresh are not modelled, so there is no third state.
  double active_standby_ns = 0.0;
  double precharged_standby_ns = 0.0;
  // kind cycle only: the same device-level counts per channel, in channel order (their sums are
  // the fields above); empty for the other kinds.
  std::vector<DramChannelStats> channels;

  int64_t requests() const { return reads + writes; }
  // Mean read latency, ns: read_latency_sum_ns / reads (0 without reads).
  double avg_read_latency_ns() const {
    return reads > 0 ? read_latency_sum_ns / static_cast<double>(reads) : 0.0;
  }
  // Fraction of atoms served from an open row (kind cycle; 0 otherwise).
  double row_hit_rate() const {
    return atoms > 0 ? static_cast<double>(row_hits) / static_cast<double>(atoms) : 0.0;
  }
};

}  // namespace systole
