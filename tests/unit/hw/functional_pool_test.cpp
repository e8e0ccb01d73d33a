// Functional pooling on the vector unit: max / avg pools with padding (symmetric and asymmetric),
// stride != kernel (overlapping and gapped windows), global pools, and planes too large for one
// scratchpad half (row chunks with their input halo), verified against oracle/reference.h in
// every number format and both array fidelities; a resnet-like network with pools verified end to
// end for every dataflow; a corrupted pool output is caught and named; what is still unsupported
// is refused naming the layer.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/compiler.h"
#include "systole/config/loader.h"
#include "systole/hw/core/simulate.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

// x: small planes (whole planes per chunk); y: a 24 x 30 plane is larger than one scratchpad half
// (512 B of 1 KiB; fp32 1 KiB of 2 KiB), so its pools run in row chunks whose windows span chunks.
const char* kPools = R"(
name: pools
inputs:
  - {name: x, shape: [2, 3, 9, 11]}
  - {name: y, shape: [1, 2, 24, 30]}
layers:
  - {name: mp, type: pool, input: x, mode: max, kernel: 3, stride: 2, padding: 1}
  - {name: ap, type: pool, input: x, mode: avg, kernel: 3, stride: 2, padding: 1}
  - {name: ap_asym, type: pool, input: x, mode: avg, kernel: [2, 3], stride: [3, 2], padding: [1, 0, 2, 1]}
  - {name: mp_overlap, type: pool, input: x, mode: max, kernel: 3, stride: 1, padding: 1}
  - {name: mp_gaps, type: pool, input: x, mode: max, kernel: 2, stride: 3}
  - {name: gap, type: pool, input: x, mode: avg, global: true}
  - {name: gmp, type: pool, input: x, mode: max, global: true}
  - {name: ymp, type: pool, input: y, mode: max, kernel: 3, stride: 2, padding: 1}
  - {name: yap, type: pool, input: y, mode: avg, kernel: 5, stride: 1, padding: 2}
  - {name: yap_gaps, type: pool, input: y, mode: avg, kernel: 2, stride: 3, padding: [1, 1, 0, 0]}
)";

// conv -> relu -> maxpool 3x3 s2 p1 -> conv -> add (residual) -> global avgpool -> fc.
const char* kMiniResnet = R"(
name: mini_resnet
inputs:
  - {name: x, shape: [2, 3, 16, 16]}
layers:
  - {name: conv1, type: conv2d, out_channels: 8, kernel: 3, padding: 1}
  - {name: relu1, type: relu}
  - {name: pool1, type: pool, mode: max, kernel: 3, stride: 2, padding: 1}
  - {name: conv2, type: conv2d, out_channels: 8, kernel: 3, padding: 1}
  - {name: sum, type: add, inputs: [conv2, pool1]}
  - {name: gap, type: pool, mode: avg, global: true}
  - {name: flat, type: reshape, shape: [2, -1]}
  - {name: fc, type: fc, out_features: 5}
)";

ArchSpec arch(const std::string& dataflow, const std::string& in, const std::string& fidelity, int kib = 1) {
  const bool ints = in == "int8" || in == "int16";
  return load_arch_from_string(
      fmt::format(R"(
schema_version: 1
name: tiny
core:
  array: {{rows: 4, cols: 4, dataflow: {}, input_type: {}, weight_type: {}, accumulator_type: {}, fidelity: {}}}
  scratchpads:
    ifmap: {{capacity_kib: {}}}
    weight: {{capacity_kib: {}}}
    ofmap: {{capacity_kib: {}}}
)",
                  dataflow, in, in, ints ? "int32" : "fp32", fidelity, kib, kib, kib),
      "tiny.yaml");
}

SimOptions functional(const Network& net) {
  SimOptions opt;
  opt.functional = true;
  opt.seed = 11;
  opt.network = &net;
  opt.keep_tensors = true;
  return opt;
}

const LayerStats& stats(const SimResult& r, const std::string& name) {
  for (const LayerStats& l : r.layers) {
    if (l.name == name) return l;
  }
  throw std::runtime_error("no layer " + name);
}

uint64_t dram_addr(const Program& p, const std::string& name) {
  for (const TensorPlacement& t : p.tensors) {
    if (t.name == name) return t.dram_addr;
  }
  throw std::runtime_error("no tensor " + name);
}

using Case = std::tuple<std::string, std::string>;  // input type, fidelity

class FunctionalPool : public ::testing::TestWithParam<Case> {};

TEST_P(FunctionalPool, EveryPoolMatchesTheReference) {
  const auto& [type, fidelity] = GetParam();
  // fp32: 1 KiB halves cannot hold yap's 5 input rows of 120 B; 2 KiB still cuts y into rows.
  const ArchSpec a = arch("ws", type, fidelity, type == "fp32" ? 2 : 1);
  const Network net = load_network_from_string(kPools, "pools.yaml");
  const Program p = compile(a, net);
  // The large planes really are cut into row chunks that start past row 0 (a halo is reloaded).
  int64_t row_chunks = 0;
  for (const Instruction& in : p.instructions) {
    if (in.op == Opcode::kVector && in.vector().pool.in_row0 > 0) ++row_chunks;
  }
  EXPECT_GT(row_chunks, 0);

  const SimResult r = simulate(a, p, functional(net));
  for (const LayerStats& l : r.layers) {
    EXPECT_EQ(l.verified, "true") << l.name << ": " << l.first_mismatch;
    if (type == "int8" || type == "int16") {
      EXPECT_EQ(l.max_abs_error, 0.0) << l.name;
    }
    // Not trivially zero: most outputs of a random input's pools are non-zero.
    const Tensor& t = r.tensors.at(l.name);
    int64_t nonzero = 0;
    for (int64_t e = 0; e < t.elements(); ++e) nonzero += t.get_float(e) != 0.0f;
    EXPECT_GT(nonzero, t.elements() / 2) << l.name;
  }
  EXPECT_EQ(r.total.verified, "true");
}

INSTANTIATE_TEST_SUITE_P(Formats, FunctionalPool,
                         ::testing::Combine(::testing::Values("int8", "int16", "fp16", "bf16", "fp32"),
                                            ::testing::Values("tile", "rtl")),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return std::get<0>(i.param) + "_" + std::get<1>(i.param);
                         });

using NetCase = std::tuple<std::string, std::string, std::string>;  // dataflow, type, fidelity

class FunctionalMiniResnet : public ::testing::TestWithParam<NetCase> {};

TEST_P(FunctionalMiniResnet, EveryLayerMatchesTheReference) {
  const auto& [df, type, fidelity] = GetParam();
  const ArchSpec a = arch(df, type, fidelity);
  const Network net = load_network_from_string(kMiniResnet, "mini_resnet.yaml");
  const SimResult r = simulate(a, compile(a, net), functional(net));
  for (const LayerStats& l : r.layers) {
    EXPECT_EQ(l.verified, l.type == "reshape" ? "" : "true") << l.name << ": " << l.first_mismatch;
  }
  EXPECT_EQ(r.total.verified, "true");
}

INSTANTIATE_TEST_SUITE_P(Dataflows, FunctionalMiniResnet,
                         ::testing::Combine(::testing::Values("ws", "os", "is"),
                                            ::testing::Values("int8", "fp16"),
                                            ::testing::Values("tile", "rtl")),
                         [](const ::testing::TestParamInfo<NetCase>& i) {
                           return std::get<0>(i.param) + "_" + std::get<1>(i.param) + "_" +
                                  std::get<2>(i.param);
                         });

class CorruptedPool : public ::testing::TestWithParam<std::string> {};

TEST_P(CorruptedPool, IsCaughtAndNamed) {
  const std::string type = GetParam();
  const ArchSpec a = arch("ws", type, "tile");
  const Network net = load_network_from_string(kPools, "pools.yaml");
  const Program p = compile(a, net);
  // ap is [2, 3, 5, 6]; element [1, 2, 3, 4] is flat index ((1 * 3 + 2) * 5 + 3) * 6 + 4 = 172.
  const uint64_t e = type == "int8" ? 1 : 2;
  const uint64_t addr = dram_addr(p, "ap") + 172 * e;
  std::string got;
  SimOptions opt = functional(net);
  opt.before_verify = [&](std::vector<uint8_t>& dram) {
    if (type == "int8") {
      // An average of int8 values moved by 100 (wrapping): never the reference value.
      const auto v = static_cast<int8_t>(dram[addr]);
      const auto bad = static_cast<int8_t>(v >= 0 ? v - 100 : v + 100);
      dram[addr] = static_cast<uint8_t>(bad);
      got = std::to_string(bad);
    } else {
      // 3.0 in fp16: the average of values in [-1, 1] never is.
      const uint16_t three = 0x4200;
      std::memcpy(&dram[addr], &three, 2);
      got = "3";
    }
  };
  const SimResult r = simulate(a, p, opt);
  const LayerStats& ap = stats(r, "ap");
  EXPECT_EQ(ap.verified, "false");
  EXPECT_GT(ap.max_abs_error, 0.0);
  EXPECT_EQ(ap.first_mismatch.rfind("ap[1,2,3,4]: got " + got + ", expected ", 0), 0u) << ap.first_mismatch;
  for (const LayerStats& l : r.layers) {
    if (l.name != "ap") {
      EXPECT_EQ(l.verified, "true") << l.name;
    }
  }
  EXPECT_EQ(r.total.verified, "false");
}

INSTANTIATE_TEST_SUITE_P(Formats, CorruptedPool, ::testing::Values("int8", "fp16"));

// What functional simulation still cannot compute is refused before anything runs, naming the
// layer, its type and why.
void expect_refused(const std::string& yaml, const std::string& layer, const std::string& why) {
  const ArchSpec a = arch("ws", "int8", "tile");
  const Network net = load_network_from_string(yaml, "refused.yaml");
  const Program p = compile(a, net);
  try {
    simulate(a, p, functional(net));
    FAIL() << "expected a WorkloadError";
  } catch (const WorkloadError& err) {
    const std::string what = err.what();
    EXPECT_NE(what.find(layer), std::string::npos) << what;
    EXPECT_NE(what.find("functional simulation does not support"), std::string::npos) << what;
    EXPECT_NE(what.find(why), std::string::npos) << what;
  }
}

TEST(FunctionalPoolCheck, APlaceholderAfterAPoolIsStillRefused) {
  expect_refused(R"(
name: g
inputs:
  - {name: x, shape: [1, 4, 8, 8]}
layers:
  - {name: pool, type: pool, mode: max, kernel: 2, stride: 2}
  - {name: smooth, type: placeholder, op: Expand, shape: [1, 4, 4, 4]}
)",
                 "smooth", "a placeholder for the unsupported operator 'Expand'");
}

// A pool reads its input contiguously, so the transpose it reads is materialised (workload/layout.h):
// copied by the DMA into a tensor of its own, checked itself, and pooled from there.
TEST(FunctionalPoolCheck, PoolOfATransposeRunsOnTheCompilersCopy) {
  const Network net = load_network_from_string(R"(
name: t
inputs:
  - {name: x, shape: [1, 4, 8, 6]}
layers:
  - {name: swap, type: transpose, perm: [0, 1, 3, 2]}
  - {name: pool, type: pool, mode: avg, kernel: 2, stride: 2}
)",
                                               "t.yaml");
  const ArchSpec a = arch("ws", "int8", "tile");
  const SimResult r = simulate(a, compile(a, net), functional(net));
  EXPECT_EQ(stats(r, "swap").verified, "true") << stats(r, "swap").first_mismatch;
  EXPECT_EQ(stats(r, "pool").verified, "true") << stats(r, "pool").first_mismatch;
  EXPECT_GT(stats(r, "swap").dram_reads_bytes, 0) << "the copy reads x";
}

}  // namespace
}  // namespace systole
