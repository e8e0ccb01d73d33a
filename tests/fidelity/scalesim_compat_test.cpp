// SCALE-Sim v2 compatibility: with core.array.scalesim_compat and ideal DRAM, every layer's
// compute cycles equal SCALE-Sim's closed form, for all dataflows and several array shapes
// (square, non-square, prime, larger than the layer), in both array fidelities: the register-level
// array must reproduce the same cycles. One simulation per test process.
#include <gtest/gtest.h>

#include <ostream>

#include <fmt/format.h>

#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/hw/simulate.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

// SCALE-Sim topology rows: name, H, W, Fh, Fw, C, N, stride (ifmap already padded).
struct ConvRow {
  const char* name;
  int64_t h, w, fh, fw, c, n, stride;
};
constexpr ConvRow kConvRows[] = {
    {"conv_small", 15, 15, 3, 3, 5, 7, 2},   {"conv_3x3", 30, 30, 3, 3, 64, 96, 1},
    {"conv_1x1", 14, 14, 1, 1, 256, 130, 1}, {"fc_like", 1, 1, 1, 1, 512, 100, 1},
    {"conv_7x7", 61, 61, 7, 7, 3, 64, 2},
};

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// The formulas: E = Eh*Ew, K = Fh*Fw*C, N = filters;
//   OS: Sr=E, Sc=N, T=K, per fold T + R + C - 2
//   WS: Sr=K, Sc=N, T=E, per fold 2R + C + T - 2
//   IS: Sr=K, Sc=E, T=N, per fold 2R + C + T - 2
//   layer cycles = ceil(Sr/R) * ceil(Sc/C) * per_fold - 1
int64_t scalesim_cycles(const std::string& dataflow, int64_t r, int64_t c, int64_t e, int64_t k, int64_t n) {
  if (dataflow == "os") return ceil_div(e, r) * ceil_div(n, c) * (k + r + c - 2) - 1;
  if (dataflow == "ws") return ceil_div(k, r) * ceil_div(n, c) * (2 * r + c + e - 2) - 1;
  return ceil_div(k, r) * ceil_div(e, c) * (2 * r + c + n - 2) - 1;
}

struct CompatCase {
  std::string dataflow;
  int64_t rows, cols;
  bool gemm;  // GEMM topology (M, N, K) instead of conv rows
  bool rtl;   // register-level array instead of the closed form: must give the same cycles
};

std::ostream& operator<<(std::ostream& os, const CompatCase& c) {
  return os << c.dataflow << " " << c.rows << "x" << c.cols << (c.gemm ? " gemm" : " conv")
            << (c.rtl ? " rtl" : " tile");
}

class ScaleSimCompat : public ::testing::TestWithParam<CompatCase> {};

TEST_P(ScaleSimCompat, PerLayerComputeCyclesMatchTheClosedForm) {
  const CompatCase& p = GetParam();
  std::string csv;
  std::vector<std::tuple<int64_t, int64_t, int64_t>> ekn;  // expected (E, K, N) per layer
  if (p.gemm) {
    csv = "Layer, M, N, K,\n";
    for (auto [m, n, k] :
         {std::tuple<int64_t, int64_t, int64_t>{128, 768, 768}, {31, 17, 300}, {1, 1000, 512}}) {
      csv += fmt::format("g{}x{}x{}, {}, {}, {},\n", m, n, k, m, n, k);
      ekn.emplace_back(m, k, n);
    }
  } else {
    csv =
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
        "Strides,\n";
    for (const auto& r : kConvRows) {
      csv +=
          fmt::format("{}, {}, {}, {}, {}, {}, {}, {},\n", r.name, r.h, r.w, r.fh, r.fw, r.c, r.n, r.stride);
      const int64_t e = ((r.h - r.fh) / r.stride + 1) * ((r.w - r.fw) / r.stride + 1);
      ekn.emplace_back(e, r.fh * r.fw * r.c, r.n);
    }
  }
  const Network net = load_network_from_string(csv, "compat.csv", true);
  const int64_t spm_kib = p.rows * p.cols >= 256 * 256 ? 1024 : 64;  // SCALE-Sim default: 64 KiB
  const ArchSpec arch =
      load_arch(std::string(SYSTOLE_SOURCE_DIR) + "/arch/scalesim_default.yaml",
                {fmt::format("core.array.rows={}", p.rows), fmt::format("core.array.cols={}", p.cols),
                 "core.array.dataflow=" + p.dataflow, "dram.kind=ideal",
                 // A 256x256 fold of int8 operands is 64 KiB; the array must hold
                 // two (double buffering), so large arrays get larger SRAMs.
                 fmt::format("core.scratchpads.ifmap.capacity_kib={}", spm_kib),
                 fmt::format("core.scratchpads.weight.capacity_kib={}", spm_kib),
                 fmt::format("core.scratchpads.ofmap.capacity_kib={}", spm_kib),
                 std::string("core.array.fidelity=") + (p.rtl ? "rtl" : "tile")});
  ASSERT_TRUE(arch.core.array.scalesim_compat);
  const Program program = compile(arch, net);
  const SimResult result = simulate(arch, program);
  ASSERT_EQ(result.layers.size(), ekn.size());
  for (size_t i = 0; i < ekn.size(); ++i) {
    const auto [e, k, n] = ekn[i];
    EXPECT_EQ(result.layers[i].compute_cycles, scalesim_cycles(p.dataflow, p.rows, p.cols, e, k, n))
        << result.layers[i].name << " E=" << e << " K=" << k << " N=" << n;
  }
}

std::vector<CompatCase> compat_cases() {
  std::vector<CompatCase> out;
  for (const char* df : {"ws", "os", "is"}) {
    for (bool rtl : {false, true}) {
      for (auto [r, c] : {std::pair<int64_t, int64_t>{32, 32}, {8, 16}, {16, 4}, {7, 5}, {256, 256}}) {
        out.push_back({df, r, c, false, rtl});
      }
      out.push_back({df, 32, 32, true, rtl});
      out.push_back({df, 13, 64, true, rtl});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Dataflows, ScaleSimCompat, ::testing::ValuesIn(compat_cases()),
                         [](const ::testing::TestParamInfo<CompatCase>& info) {
                           return fmt::format("{}_{}x{}_{}_{}", info.param.dataflow, info.param.rows,
                                              info.param.cols, info.param.gemm ? "gemm" : "conv",
                                              info.param.rtl ? "rtl" : "tile");
                         });

}  // namespace
}  // namespace systole
