// Checks of a compiled Program shared by the compiler tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "systole/compiler/program.h"

namespace systole {
namespace testnet {

// Marks every byte a layer's STOREs write, over all cores; each must be written exactly once.
inline void expect_output_covered_once(const Program& p, const std::string& layer) {
  uint32_t index = 0;
  while (p.layers.at(index).name != layer) ++index;
  const TensorPlacement* t = nullptr;
  for (const TensorPlacement& tp : p.tensors) {
    if (tp.name == layer) t = &tp;
  }
  ASSERT_NE(t, nullptr) << layer;
  std::vector<int> written(t->bytes, 0);
  for (const Instruction& in : p.instructions) {
    if (in.layer != index || in.op != Opcode::kStore) continue;
    const DmaDescriptor& d = in.dma();
    for (uint64_t pl = 0; pl < d.planes; ++pl) {
      for (uint64_t r = 0; r < d.rows; ++r) {
        const uint64_t a = d.dram_addr + pl * d.plane_stride_bytes + r * d.row_stride_bytes - t->dram_addr;
        for (uint64_t b = 0; b < d.row_bytes; ++b) ++written.at(a + b);
      }
    }
  }
  for (size_t b = 0; b < written.size(); ++b) ASSERT_EQ(written[b], 1) << layer << " byte " << b;
}

}  // namespace testnet
}  // namespace systole
