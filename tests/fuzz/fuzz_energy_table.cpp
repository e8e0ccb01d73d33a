// Fuzz target: an energy reference table (load_energy_table, what `energy.table` and `systole
// energy --table` name). The loader takes only a path, so the input is written to a scratch file
// in /dev/shm first. Contract: only UserError escapes; every lookup of an accepted table answers
// what the table says (mac_pj, vector_op_pj, dram_pj_per_bit) and SRAM interpolation gives a finite
// energy >= 0 at any capacity; the table written back in the same format loads to the same table.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "fuzz_support.h"
#include "systole/energy/energy_table.h"

namespace {

using namespace systole;
using namespace systole::energy;

std::string sourced(const Sourced& s, const std::string& unit) {
  return fmt::format("value: {}, unit: {}, source: {}", s.value, fuzz::yaml_quoted(unit),
                     fuzz::yaml_quoted(s.source));
}

std::string table_text(const EnergyTable& t) {
  std::string s = "schema_version: 1\nnode: " + fuzz::yaml_quoted(t.node) + "\n";
  s += "clock_tree_share: {" + sourced(t.clock_tree_share, "fraction") + "}\n";
  s += "register_shift: {" + sourced(t.register_shift_pj_per_byte, "pJ/byte") + "}\n";
  s += "mac:\n";
  for (const auto& m : t.macs) {
    s += fmt::format("  - {{input: {}, weight: {}, accumulate: {}, {}}}\n", to_string(m.input),
                     to_string(m.weight), to_string(m.accumulate), sourced(m.pj, "pJ"));
  }
  s += "vector_op:\n";
  for (const auto& v : t.vector_ops)
    s += fmt::format("  - {{op: {}, type: {}, {}}}\n", to_string(v.op), to_string(v.type),
                     sourced(v.pj, "pJ"));
  s += fmt::format("sram:\n  word_bits: {}\n  points:\n", t.sram.word_bits);
  for (const auto& p : t.sram.points) {
    s += fmt::format("    - capacity_kib: {}\n      read: {{{}}}\n      write: {{{}}}\n", p.capacity_kib,
                     sourced(p.read_pj, "pJ"), sourced(p.write_pj, "pJ"));
  }
  s += "dram:\n";
  for (const auto& d : t.dram)
    s += fmt::format("  - {{standard: {}, {}}}\n", fuzz::yaml_quoted(d.standard),
                     sourced(d.pj_per_bit, "pJ/bit"));
  return s;
}

void check_lookups(const EnergyTable& t) {
  for (const auto& m : t.macs) {
    const double v = t.mac_pj(m.input, m.weight);
    FUZZ_CHECK(v == m.pj.value, fmt::format("mac_pj({}, {}) = {}, the table says {}", to_string(m.input),
                                            to_string(m.weight), v, m.pj.value));
  }
  for (const auto& o : t.vector_ops) {
    const double v = t.vector_op_pj(o.op, o.type);
    FUZZ_CHECK(v == o.pj.value, fmt::format("vector_op_pj({}, {}) = {}, the table says {}", to_string(o.op),
                                            to_string(o.type), v, o.pj.value));
  }
  for (const auto& d : t.dram) {
    const double v = t.dram_pj_per_bit(d.standard);
    FUZZ_CHECK(v == d.pj_per_bit.value,
               fmt::format("dram_pj_per_bit({}) = {}, the table says {}", d.standard, v, d.pj_per_bit.value));
  }
  // One word of the table's own width per access, at capacities from 1 B to 2^62 B and at every
  // point's own capacity (rounded to bytes).
  const int64_t word = t.sram.word_bits / 8;
  std::vector<int64_t> caps = {
      1, 1024, 8192, 65536, int64_t{1} << 20, int64_t{1} << 30, int64_t{1} << 40, int64_t{1} << 62};
  for (const auto& p : t.sram.points) {
    const double b = p.capacity_kib * 1024.0;
    if (b >= 1.0 && b < 4.0e18) caps.push_back(static_cast<int64_t>(b));
  }
  for (int64_t c : caps) {
    for (bool write : {false, true}) {
      const double e = t.sram_access_pj(c, word, write);
      FUZZ_CHECK(std::isfinite(e) && e >= 0,
                 fmt::format("sram_access_pj({} B, {} B, {}) = {} (not finite >= 0)", c, word,
                             write ? "write" : "read", e));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::scratch().write("table.yaml", data, size);
  EnergyTable t;
  if (!fuzz::accepts("load_energy_table", [&] { t = load_energy_table(path); })) return 0;
  fuzz::holds("lookups and round trip", [&] {
    check_lookups(t);
    const std::string text = table_text(t);
    const std::string p2 = fuzz::scratch().write("table.yaml", text);
    EnergyTable again;
    try {
      again = load_energy_table(p2);
    } catch (const UserError& e) {
      fuzz::fail(std::string("an accepted table written back is rejected: ") + e.what() + "\n" + text);
    }
    const std::string t2 = table_text(again);
    FUZZ_CHECK(text == t2, "an accepted table written back loads differently:\n" + text + "\n---\n" + t2);
  });
  return 0;
}
