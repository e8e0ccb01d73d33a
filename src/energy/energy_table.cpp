// Lookups of the energy reference table: exact-match entries and the log-log SRAM interpolation.
#include "systole/energy/energy_table.h"

#include <cmath>

#include "systole/common/error.h"

namespace systole::energy {
namespace {

[[noreturn]] void missing(const EnergyTable& t, const std::string& key, const std::string& value,
                          const std::string& have) {
  throw ConfigError(
      Diagnostic{t.path, 0, key, value, "the energy table has no entry for it (it has: " + have + ")"});
}

std::string list_sep(const std::string& acc) {
  return acc.empty() ? "" : ", ";
}

}  // namespace

const char* to_string(VectorOp op) {
  switch (op) {
    case VectorOp::kAdd:
      return "add";
    case VectorOp::kMul:
      return "mul";
  }
  return "?";
}

bool parse_vector_op(const std::string& s, VectorOp* out) {
  for (VectorOp op : {VectorOp::kAdd, VectorOp::kMul}) {
    if (s == to_string(op)) {
      *out = op;
      return true;
    }
  }
  return false;
}

std::vector<std::string> vector_op_names() {
  return {"add", "mul"};
}

double EnergyTable::mac_pj(DataType input, DataType weight) const {
  std::string have;
  for (const MacEntry& e : macs) {
    if (e.input == input && e.weight == weight) return e.pj.value;
    have += list_sep(have) + to_string(e.input) + " x " + to_string(e.weight);
  }
  missing(*this, "mac", std::string(to_string(input)) + " x " + to_string(weight), have);
}

double EnergyTable::vector_op_pj(VectorOp op, DataType type) const {
  std::string have;
  for (const VectorOpEntry& e : vector_ops) {
    if (e.op == op && e.type == type) return e.pj.value;
    have += list_sep(have) + to_string(e.op) + " " + to_string(e.type);
  }
  missing(*this, "vector_op", std::string(to_string(op)) + " " + to_string(type), have);
}

double EnergyTable::sram_access_pj(int64_t capacity_bytes, int64_t word_bytes, bool write) const {
  if (capacity_bytes <= 0 || word_bytes <= 0) {
    throw InternalError("sram_access_pj: capacity " + std::to_string(capacity_bytes) + " B and word " +
                        std::to_string(word_bytes) + " B must both be positive");
  }
  if (sram.points.empty()) throw InternalError("sram_access_pj: table " + path + " has no SRAM points");
  auto energy = [write](const SramPoint& p) { return write ? p.write_pj.value : p.read_pj.value; };
  const double kib = static_cast<double>(capacity_bytes) / 1024.0;
  const double scale = 8.0 * static_cast<double>(word_bytes) / static_cast<double>(sram.word_bits);
  const auto& pts = sram.points;
  if (kib <= pts.front().capacity_kib) return energy(pts.front()) * scale;
  if (kib >= pts.back().capacity_kib) return energy(pts.back()) * scale;
  for (size_t i = 1; i < pts.size(); ++i) {
    if (kib <= pts[i].capacity_kib) {
      const SramPoint& lo = pts[i - 1];
      const SramPoint& hi = pts[i];
      // log E = log E_lo + f * (log E_hi - log E_lo), f = log(C / C_lo) / log(C_hi / C_lo).
      const double f = std::log(kib / lo.capacity_kib) / std::log(hi.capacity_kib / lo.capacity_kib);
      const double e_lo = energy(lo);
      const double e_hi = energy(hi);
      if (e_lo <= 0.0 || e_hi <= 0.0) return (e_lo + f * (e_hi - e_lo)) * scale;  // log undefined at 0
      return std::exp(std::log(e_lo) + f * (std::log(e_hi) - std::log(e_lo))) * scale;
    }
  }
  throw InternalError("sram_access_pj: capacity points of " + path + " are not sorted");
}

double EnergyTable::dram_pj_per_bit(const std::string& standard) const {
  std::string have;
  for (const DramEntry& e : dram) {
    if (e.standard == standard) return e.pj_per_bit.value;
    have += list_sep(have) + e.standard;
  }
  missing(*this, "dram", standard, have);
}

const NocEntry& EnergyTable::noc_prices() const {
  if (!has_noc) {
    throw ConfigError(Diagnostic{path, 0, "noc", "",
                                 "the energy table has no noc section {link, router}, which a run with "
                                 "several cores needs to price its network-on-chip"});
  }
  return noc;
}

}  // namespace systole::energy
