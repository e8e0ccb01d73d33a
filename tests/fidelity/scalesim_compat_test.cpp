// SCALE-Sim v2 compatibility: with core.array.scalesim_compat and ideal DRAM, every layer's
// compute cycles equal SCALE-Sim's closed form, for all dataflows and several array shapes
// (square, non-square, prime, larger than the layer), in both array fidelities: the register-level
// array must reproduce the same cycles. The expected E of a conv row is SCALE-Sim's own
// ceil((H - Fh + S) / S), including rows where (H - Fh) % S != 0 and it exceeds PyTorch's floor
// rule by one. One simulation per test process.
#include <gtest/gtest.h>

#include <iterator>
#include <ostream>
#include <vector>

#include <fmt/format.h>

#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/hw/core/simulate.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

// SCALE-Sim topology rows: name, H, W, Fh, Fw, C, N, stride (the ifmap as SCALE-Sim reads it;
// the format has no padding column).
struct ConvRow {
  const char* name;
  int64_t h, w, fh, fw, c, n, stride;
};
// SCALE-Sim's ofmap extent (topology_utils.py): E = ceil((H - Fh + S) / S), per axis.
//   conv_small   (15 - 3 + 2) / 2 = 7                  (remainder 0: 7 x 7)
//   conv_3x3     (30 - 3 + 1) / 1 = 28                 (28 x 28)
//   conv_1x1     (14 - 1 + 1) / 1 = 14                 (14 x 14)
//   fc_like      (1 - 1 + 1) / 1 = 1                   (1 x 1)
//   conv_7x7     (61 - 7 + 2) / 2 = 28                 (remainder 0: 28 x 28)
//   conv_7x7_odd ceil((38 - 7 + 2) / 2) = ceil(16.5) = 17   (17 x 17; PyTorch's floor rule: 16)
//   r50_cb3s     ceil((56 - 1 + 2) / 2) = ceil(28.5) = 29    (29 x 29; floor rule: 28)
//   conv_s3      H: ceil((17 - 3 + 3) / 3) = ceil(5.67) = 6 (floor rule: 5),
//                W: ceil((21 - 2 + 3) / 3) = ceil(7.33) = 8 (floor rule: 7)   (6 x 8)
//   conv_s4_1x1  ceil((10 - 1 + 4) / 4) = ceil(3.25) = 4     (4 x 4; floor rule: 3 -- the extra
//                row's window lies wholly past the ifmap)
// r50_cb3s is CB3s of SCALE-Sim's mlperf ResNet-50 topology with fewer channels.
constexpr ConvRow kConvRows[] = {
    {"conv_small", 15, 15, 3, 3, 5, 7, 2},   {"conv_3x3", 30, 30, 3, 3, 64, 96, 1},
    {"conv_1x1", 14, 14, 1, 1, 256, 130, 1}, {"fc_like", 1, 1, 1, 1, 512, 100, 1},
    {"conv_7x7", 61, 61, 7, 7, 3, 64, 2},    {"conv_7x7_odd", 38, 38, 7, 7, 3, 64, 2},
    {"r50_cb3s", 56, 56, 1, 1, 48, 40, 2},   {"conv_s3", 17, 21, 3, 2, 6, 9, 3},
    {"conv_s4_1x1", 10, 10, 1, 1, 8, 12, 4},
};
// Tile fidelity only (on the register-level array it made this suite eight times slower): Conv1
// of SCALE-Sim's mlperf ResNet-50 topology, E = ceil((224 - 7 + 2) / 2) = ceil(109.5) = 110
// (110 x 110; floor rule: 109).
constexpr ConvRow kTileOnlyConvRows[] = {
    {"r50_conv1", 224, 224, 7, 7, 3, 64, 2},
};

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// SCALE-Sim v2's ofmap extent along one axis, written as its topology_utils.py writes it.
int64_t scalesim_ofmap(int64_t in, int64_t filter, int64_t stride) {
  return ceil_div(in - filter + stride, stride);
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

// arch/scalesim_default.yaml as an R x C array of one dataflow, with ideal DRAM.
ArchSpec compat_arch(const std::string& dataflow, int64_t rows, int64_t cols, bool rtl) {
  const int64_t spm_kib = rows * cols >= 256 * 256 ? 1024 : 64;  // SCALE-Sim default: 64 KiB
  return load_arch(std::string(SYSTOLE_SOURCE_DIR) + "/arch/scalesim_default.yaml",
                   {fmt::format("core.array.rows={}", rows), fmt::format("core.array.cols={}", cols),
                    "core.array.dataflow=" + dataflow, "dram.kind=ideal",
                    // A 256x256 fold of int8 operands is 64 KiB; the array must hold
                    // two (double buffering), so large arrays get larger SRAMs.
                    fmt::format("core.scratchpads.ifmap.capacity_kib={}", spm_kib),
                    fmt::format("core.scratchpads.weight.capacity_kib={}", spm_kib),
                    fmt::format("core.scratchpads.ofmap.capacity_kib={}", spm_kib),
                    std::string("core.array.fidelity=") + (rtl ? "rtl" : "tile")});
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
    std::vector<ConvRow> rows(std::begin(kConvRows), std::end(kConvRows));
    if (!p.rtl) rows.insert(rows.end(), std::begin(kTileOnlyConvRows), std::end(kTileOnlyConvRows));
    for (const auto& r : rows) {
      csv +=
          fmt::format("{}, {}, {}, {}, {}, {}, {}, {},\n", r.name, r.h, r.w, r.fh, r.fw, r.c, r.n, r.stride);
      const int64_t e = scalesim_ofmap(r.h, r.fh, r.stride) * scalesim_ofmap(r.w, r.fw, r.stride);
      ekn.emplace_back(e, r.fh * r.fw * r.c, r.n);
    }
  }
  const Network net = load_network_from_string(csv, "compat.csv", true);
  const ArchSpec arch = compat_arch(p.dataflow, p.rows, p.cols, p.rtl);
  ASSERT_TRUE(arch.core.array.scalesim_compat);
  const Program program = compile(arch, net);
  const SimResult result = simulate(arch, program);
  ASSERT_EQ(result.layers.size(), ekn.size());
  for (size_t i = 0; i < ekn.size(); ++i) {
    const auto [e, k, n] = ekn[i];
    EXPECT_EQ(result.layers[i].compute_cycles, scalesim_cycles(p.dataflow, p.rows, p.cols, e, k, n))
        << result.layers[i].name << " E=" << e << " K=" << k << " N=" << n;
    // SCALE-Sim's num_mac = Eh * Ew * Fh * Fw * C * N
    EXPECT_EQ(result.layers[i].macs, e * k * n) << result.layers[i].name;
  }
}

// The example, as SCALE-Sim v2 reports it: Conv1 of its mlperf ResNet-50 topology on a
// 128 x 128 WS array. E = ceil((224 - 7 + 2) / 2)^2 = 110^2 = 12100, K = 7 * 7 * 3 = 147, N = 64:
// ceil(147 / 128) * ceil(64 / 128) * (2 * 128 + 128 + 12100 - 2) - 1 = 2 * 1 * 12482 - 1 = 24963
// cycles (PyTorch's floor rule, E = 109^2 = 11881, gave 24525), MACs 12100 * 147 * 64.
TEST(ScaleSimCompatExample, ResNet50Conv1On128x128Ws) {
  const Network net = load_network_from_string(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
      "Conv1, 224, 224, 7, 7, 3, 64, 2,\n",
      "Resnet50.csv", true);
  const ArchSpec arch = compat_arch("ws", 128, 128, false);
  const SimResult result = simulate(arch, compile(arch, net));
  ASSERT_EQ(result.layers.size(), 1u);
  EXPECT_EQ(result.layers[0].compute_cycles, 24963);
  EXPECT_EQ(result.layers[0].macs, 113836800);
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
