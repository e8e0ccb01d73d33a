// count x energy-per-action pricing (formulas in pricing.h).
#include "systole/energy/pricing.h"

#include <cmath>

#include "systole/common/error.h"

namespace systole::energy {
namespace {

double as_count(double n, const char* what) {
  if (!(n >= 0) || !std::isfinite(n)) {
    throw InternalError(std::string("price: count of ") + what +
                        " is not a finite number >= 0: " + std::to_string(n));
  }
  return n;
}

}  // namespace

std::map<std::string, double> EnergyBreakdown::by_component() const {
  std::map<std::string, double> out;
  out["array"] = array_pj;
  for (const auto& [name, pj] : scratchpad_pj) out["scratchpad." + name] = pj;
  out["vector"] = vector_pj;
  out["noc"] = noc_pj;
  out["dram"] = dram_pj;
  out["clock_tree"] = clock_tree_pj;
  return out;
}

EnergyBreakdown price(const ActionCounts& counts, const EnergyTable& table) {
  EnergyBreakdown b;
  for (const MacCount& m : counts.macs) {
    const double n = as_count(m.count, "MACs");
    if (n > 0) b.array_pj += n * table.mac_pj(m.input, m.weight);
  }
  b.array_pj +=
      as_count(counts.register_shift_bytes, "register shift bytes") * table.register_shift_pj_per_byte.value;

  for (const ScratchpadCount& s : counts.scratchpads) {
    const double reads = as_count(s.reads, "scratchpad reads");
    const double writes = as_count(s.writes, "scratchpad writes");
    double pj = 0.0;
    if (reads > 0) pj += reads * table.sram_access_pj(s.capacity_bytes, s.word_bytes, false);
    if (writes > 0) pj += writes * table.sram_access_pj(s.capacity_bytes, s.word_bytes, true);
    b.scratchpad_pj[s.name] += pj;
  }
  for (const AccumulatorCount& a : counts.accumulators) {
    const double rmws = as_count(a.rmws, "accumulator read-modify-writes");
    b.scratchpad_pj[a.name] += rmws > 0 ? rmws * table.vector_op_pj(VectorOp::kAdd, a.type) : 0.0;
  }
  for (const VectorCount& v : counts.vector_ops) {
    const double n = as_count(v.count, "vector operations");
    if (n > 0) b.vector_pj += n * table.vector_op_pj(v.op, v.type);
  }
  for (const MacCount& m : counts.vector_macs) {
    const double n = as_count(m.count, "vector-unit MACs");
    if (n > 0) b.vector_pj += n * table.mac_pj(m.input, m.weight);
  }
  const double dram_bytes = as_count(counts.dram.read_bytes, "DRAM read bytes") +
                            as_count(counts.dram.write_bytes, "DRAM write bytes");
  if (dram_bytes > 0) b.dram_pj = 8.0 * dram_bytes * table.dram_pj_per_bit(counts.dram.standard);

  const NocCount& noc = counts.noc;
  const double hops = as_count(noc.flit_hops, "NoC flit-hops"),
               traversals = as_count(noc.router_traversals, "NoC router traversals");
  if (hops > 0 || traversals > 0) {
    const NocEntry& e = table.noc_prices();
    b.noc_pj = as_count(noc.flit_bits, "NoC flit bits") *
               (hops * as_count(noc.link_mm, "NoC link mm") * e.link_pj_per_bit_mm.value +
                traversals * e.router_pj_per_bit.value);
  }

  double on_chip = b.array_pj + b.vector_pj + b.noc_pj;
  for (const auto& entry : b.scratchpad_pj) on_chip += entry.second;
  const double share = table.clock_tree_share.value;
  b.clock_tree_pj = share / (1.0 - share) * on_chip;
  b.total_pj = on_chip + b.dram_pj + b.clock_tree_pj;
  return b;
}

}  // namespace systole::energy
