// Structural checks of an instruction stream shared by the compiler tests: dependencies point
// backwards, operands are loaded before use, double-buffer hazards are ordered, every layer's SYNC
// waits for exactly its STOREs.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "systole/compiler/compiler.h"

namespace systole {
namespace testnet {

// Does instruction `from` (transitively) depend on `to`?
inline bool reaches(const Program& p, uint32_t from, uint32_t to) {
  std::vector<uint32_t> stack{from};
  std::set<uint32_t> seen;
  while (!stack.empty()) {
    const uint32_t i = stack.back();
    stack.pop_back();
    if (i == to) return true;
    if (i < to || !seen.insert(i).second) continue;
    for (uint32_t d : p.instructions[i].deps) stack.push_back(d);
  }
  return false;
}

inline bool has_dep(const Instruction& in, uint32_t d) {
  for (uint32_t x : in.deps) {
    if (x == d) return true;
  }
  return false;
}

inline void check_stream(const ArchSpec& arch, const Program& p) {
  const auto& sp = arch.core.scratchpads;
  // The working halves share their scratchpad with the on-chip tensor store, if any (at its top).
  auto working = [&](OperandRole r) {
    const int64_t store = sp.name_of(r) == sp.name_of(kTensorStore) ? p.residency.reserved_bytes : 0;
    return static_cast<uint64_t>((sp.of(r).capacity_bytes() - store) / 2);
  };
  const uint64_t half[3] = {working(OperandRole::kIfmap), working(OperandRole::kWeight),
                            working(OperandRole::kOfmap)};
  const int64_t acc = bytes_of(arch.core.array.accumulator_type);
  std::map<std::pair<int, uint64_t>, uint32_t> last_load;    // (buffer, half) -> latest LOAD
  std::map<std::pair<int, uint64_t>, uint32_t> last_reader;  // (buffer, half) -> latest MATMUL
  std::map<uint64_t, uint32_t> last_store;                   // ofmap half -> latest STORE
  std::map<uint32_t, std::set<uint32_t>> stores;             // layer -> STOREs
  for (size_t i = 0; i < p.instructions.size(); ++i) {
    const Instruction& in = p.instructions[i];
    ASSERT_EQ(in.id, i);
    for (uint32_t d : in.deps) ASSERT_LT(d, in.id) << "instruction " << i << " depends forward";
    if (in.op == Opcode::kLoad || in.op == Opcode::kStore) {
      const DmaDescriptor& d = in.dma();
      const int b = static_cast<int>(d.buffer);
      const uint64_t h = d.spm_addr / half[b];
      ASSERT_LT(h, 2u);
      ASSERT_LE(d.spm_addr + d.bytes(), (h + 1) * half[b]) << "instruction " << i << " crosses its half";
      if (in.op == Opcode::kLoad) {
        auto r = last_reader.find({b, h});
        if (r != last_reader.end()) {
          EXPECT_TRUE(reaches(p, in.id, r->second)) << "LOAD " << i << " WAR";
        }
        last_load[{b, h}] = in.id;
      } else {
        // A STORE drains what its single producer (MATMUL, or VECTOR on a tile) left in its half.
        ASSERT_EQ(in.deps.size(), 1u) << "STORE " << i;
        const Instruction* src = &p.instructions[in.deps[0]];
        ASSERT_TRUE(src->op == Opcode::kMatmul || src->op == Opcode::kVector) << "STORE " << i;
        if (src->op == Opcode::kVector && src->deps.size() == 1 &&
            p.instructions[src->deps[0]].op == Opcode::kMatmul) {
          src = &p.instructions[src->deps[0]];  // fused activation on a MATMUL's tile
        }
        if (src->op == Opcode::kMatmul) {
          EXPECT_EQ(src->matmul().ofmap_spm_addr / half[2], h) << "STORE " << i;
        }
        last_store[h] = in.id;
        stores[in.layer].insert(in.id);
      }
    } else if (in.op == Opcode::kMatmul) {
      const MatmulOp& m = in.matmul();
      const uint64_t hi = m.ifmap_spm_addr / half[0], hw = m.weight_spm_addr / half[1];
      const uint64_t ho = m.ofmap_spm_addr / half[2];
      ASSERT_TRUE(last_load.count({0, hi}) && last_load.count({1, hw}))
          << "MATMUL " << i << " before its loads";
      EXPECT_TRUE(has_dep(in, last_load[{0, hi}])) << "MATMUL " << i << " ifmap RAW";
      EXPECT_TRUE(has_dep(in, last_load[{1, hw}])) << "MATMUL " << i << " weight RAW";
      const uint32_t li = last_load[{0, hi}], lw = last_load[{1, hw}];
      EXPECT_EQ(p.instructions[li].layer, in.layer);
      EXPECT_EQ(p.instructions[lw].layer, in.layer);
      EXPECT_LE(static_cast<int64_t>(m.m * m.n) * acc, static_cast<int64_t>(half[2]));
      if (!m.accumulate && last_store.count(ho)) {
        EXPECT_TRUE(reaches(p, in.id, last_store[ho])) << "MATMUL " << i << " ofmap WAR";
      }
      last_reader[{0, hi}] = in.id;
      last_reader[{1, hw}] = in.id;
    } else if (in.op == Opcode::kSync) {
      const std::set<uint32_t> deps(in.deps.begin(), in.deps.end());
      EXPECT_EQ(deps, stores[in.layer]) << "SYNC " << i << " must wait for exactly its layer's STOREs";
    }
  }
}

}  // namespace testnet
}  // namespace systole
