// Energy reference table (arch/energy/<node>.yaml): energy per action for one technology node, each
// value read with its unit and its published source. Pure data plus lookups; no SystemC.
// docs/energy.md describes the file format, the sources and the formulas used here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/config/types.h"

namespace systole::energy {

// Elementwise operations of the vector unit that the table prices.
enum class VectorOp { kAdd, kMul };
const char* to_string(VectorOp op);  // "add", "mul"
bool parse_vector_op(const std::string& s, VectorOp* out);
std::vector<std::string> vector_op_names();

// The source of one table value: "<paper>, <table or figure>[; derivation]". Never empty.
struct Sourced {
  double value = 0.0;
  std::string source;
  int line = 0;  // 1-based line of the entry in the table file
};

// Energy of one multiply-accumulate: a multiply of `input` x `weight` plus the add into an
// accumulator of type `accumulate`, pJ per MAC.
struct MacEntry {
  DataType input = DataType::kInt8;
  DataType weight = DataType::kInt8;
  DataType accumulate = DataType::kInt32;
  Sourced pj;
};

struct VectorOpEntry {
  VectorOp op = VectorOp::kAdd;
  DataType type = DataType::kInt32;
  Sourced pj;  // pJ per element operation
};

// One SRAM macro size: energy of one access of SramTable::word_bits bits, pJ.
struct SramPoint {
  double capacity_kib = 0.0;
  Sourced read_pj;
  Sourced write_pj;
};

// SRAM access energy over macro capacity for accesses of `word_bits` bits. Points are sorted by
// capacity, strictly increasing, at least one.
struct SramTable {
  int64_t word_bits = 64;
  std::vector<SramPoint> points;
};

// Average DRAM energy per bit moved across the interface (RD or WR) for one standard, with row
// activation/precharge amortised as in the source's own definition of that figure; pJ/bit.
struct DramEntry {
  std::string standard;  // "DDR4", "HBM2", ... as in arch/dram/*.yaml `standard`
  Sourced pj_per_bit;
};

// Moving data across the network-on-chip of a multi-core NPU. Optional in a table: a run with one
// core moves nothing over a NoC; one with several needs both (EnergyTable::noc_prices).
struct NocEntry {
  Sourced link_pj_per_bit_mm;  // one bit over one mm of router-to-router link (wire and repeaters)
  Sourced router_pj_per_bit;   // one bit through one router: buffer write and read, switch, allocation
};

struct EnergyTable {
  std::string path;  // file the table was read from (used in lookup errors)
  std::string node;  // technology node, e.g. "45nm"
  // Clock distribution energy as a fraction of all on-chip dynamic energy, clock included:
  // E_clock = share / (1 - share) * E_dynamic_other. 0 <= share < 1.
  Sourced clock_tree_share;
  Sourced register_shift_pj_per_byte;  // moving one byte one PE further in the array, pJ/B
  std::vector<MacEntry> macs;
  std::vector<VectorOpEntry> vector_ops;
  SramTable sram;
  std::vector<DramEntry> dram;
  bool has_noc = false;  // the file has a noc section
  NocEntry noc;

  // pJ per MAC for this (input, weight) pair. ConfigError naming the table file when the table has
  // no entry for the pair (the message lists the pairs it has).
  double mac_pj(DataType input, DataType weight) const;
  // pJ per element operation. ConfigError when the table has no entry.
  double vector_op_pj(VectorOp op, DataType type) const;
  // pJ for one access of `word_bytes` bytes to an SRAM macro of `capacity_bytes` bytes:
  //   E = E_word_bits(C) * (8 * word_bytes / word_bits)
  // where E_word_bits(C) is interpolated linearly in log(E) over log(C) between the two
  // neighbouring table points. Clamped at the ends: below the smallest capacity, the smallest
  // point's energy (a smaller macro is not priced cheaper than the smallest one measured); above
  // the largest, the largest point's energy (a larger scratchpad is built from banks of the
  // largest macro, and one access touches one bank). InternalError if capacity or word <= 0.
  double sram_access_pj(int64_t capacity_bytes, int64_t word_bytes, bool write) const;
  // pJ per bit moved for DRAM `standard`. ConfigError when the table has no entry.
  double dram_pj_per_bit(const std::string& standard) const;
  // The noc entry. ConfigError naming the table file when it has none.
  const NocEntry& noc_prices() const;
};

// Reads and validates a table file. Every problem (missing, unknown or duplicate entry, value that
// is not a finite number >= 0, wrong unit, empty source, unknown data type or operation,
// unsorted SRAM capacities) is collected with file:line:key and thrown as one ConfigError; a
// missing or unparsable file is one ConfigError too.
EnergyTable load_energy_table(const std::string& path);

// The file named by energy.table: a path as given, else <arch_dir>/energy/<name>.yaml, else the
// shipped arch/energy/<name>.yaml (config/data_files.h). ConfigError on energy.table naming the
// places searched and the tables found.
std::string energy_table_path(const std::string& name, const std::string& arch_dir);

}  // namespace systole::energy
