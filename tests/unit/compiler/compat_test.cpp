// SCALE-Sim counting: whatever tiles the scratchpads force, the emitted MATMULs of a layer must
// sum (by tile_timing) to ceil(Sr/R) * ceil(Sc/C) * per_fold - 1 for the whole layer's GEMM,
// per_fold = 2R + C + T - 2 (WS, IS) or T + R + C - 2 (OS).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "stream_checks.h"
#include "systole/array/array_timing.h"
#include "test_networks.h"

namespace systole {
namespace {

int64_t cdiv(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// The closed form, written out from SCALE-Sim's definitions rather than through fold_shape().
int64_t scalesim_layer_cycles(Dataflow df, int64_t r, int64_t c, int64_t m, int64_t n, int64_t k) {
  switch (df) {
    case Dataflow::kWeightStationary:
      return cdiv(k, r) * cdiv(n, c) * (2 * r + c + m - 2) - 1;
    case Dataflow::kOutputStationary:
      return cdiv(m, r) * cdiv(n, c) * (k + r + c - 2) - 1;
    case Dataflow::kInputStationary:
      return cdiv(k, r) * cdiv(m, c) * (2 * r + c + n - 2) - 1;
  }
  return -1;
}

struct Case {
  Dataflow df;
  int64_t rows, cols, kib;
};

class CompatIdentity : public ::testing::TestWithParam<Case> {};

TEST_P(CompatIdentity, EmittedTilesSumToTheLayerClosedForm) {
  const Case& c = GetParam();
  const ArchSpec arch = testnet::scalesim_arch(c.rows, c.cols, c.df, c.kib);
  const Network net = testnet::Builder("compat")
                          .input("x", {1, 5, 15, 15})
                          .conv("conv_small", "x", 7, 3, 3, 2)
                          .input("y", {1, 16, 12, 12})
                          .conv("conv_3x3", "y", 20, 3, 3)
                          .input("z", {31, 300})
                          .matmul("gemm", {"z"}, 17)
                          .build();
  const Program p = compile(arch, net);
  testnet::check_stream(arch, p);
  const ArrayGeometry geo{c.rows, c.cols, arch.core.array.microarch};
  int64_t split_layers = 0;
  for (size_t li = 0; li < net.layers.size(); ++li) {
    const MappingRecord& r = p.mappings[li];
    int64_t sum = 0, last = 0;
    for (const Instruction& in : p.instructions) {
      if (in.op != Opcode::kMatmul || in.layer != li) continue;
      sum += tile_timing(geo, in.matmul()).cycles;
      last += in.matmul().layer_last ? 1 : 0;
    }
    EXPECT_EQ(last, 1) << r.layer;
    EXPECT_EQ(sum, scalesim_layer_cycles(c.df, c.rows, c.cols, r.gemm_m, r.gemm_n, r.gemm_k))
        << r.layer << " tiles=" << r.tiles << " tile=" << r.tile_m << "x" << r.tile_n << "x" << r.tile_k;
    split_layers += r.tiles > 1 ? 1 : 0;
  }
  // The small scratchpads must actually force splits, or the sweep proves little.
  if (c.kib <= 2) {
    EXPECT_GT(split_layers, 0);
  }
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (Dataflow df : {Dataflow::kWeightStationary, Dataflow::kOutputStationary, Dataflow::kInputStationary}) {
    for (auto [r, c] : {std::pair<int64_t, int64_t>{4, 4}, {8, 3}, {3, 8}, {5, 7}}) {
      out.push_back({df, r, c, 1});
      out.push_back({df, r, c, 2});
      out.push_back({df, r, c, 512});
    }
    // Larger than every layer: one fold per tile; the minimum tile needs 2 x 64 x 64 x 4 B ofmap.
    out.push_back({df, 64, 64, 32});
    out.push_back({df, 64, 64, 512});
    out.push_back({df, 128, 16, 64});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Sweep, CompatIdentity, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return fmt::format("{}_{}x{}_{}kib", to_string(info.param.df), info.param.rows,
                                              info.param.cols, info.param.kib);
                         });

}  // namespace
}  // namespace systole
