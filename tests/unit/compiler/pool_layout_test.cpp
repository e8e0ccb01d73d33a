// The pool VECTORs' PoolGeometry (isa/isa.h) against the LOADs and STOREs around them, in
// both chunkings (whole channel planes, and output rows of one plane with their input halo):
// every (plane, output row) is computed exactly once, each chunk's LOADs bring the input rows its
// windows read (padding excluded; row chunks start at their first row read) to the VECTOR's source
// address, in [plane][row][w] order from the DRAM rows the geometry names, and its STORE drains
// the output rows it names.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <utility>

#include "test_networks.h"

namespace systole {
namespace {

struct PoolCase {
  const char* name;
  Shape in;
  int64_t kh, kw, sh, sw, pt, pb, pl, pr;
  bool global;
  PoolMode mode;
  int64_t kib;
  bool expect_row_chunks;
};

Network pool_net(const PoolCase& c) {
  Network net = testnet::Builder("pool").input("x", c.in).build();
  PoolAttrs a;
  a.mode = c.mode;
  a.global = c.global;
  a.kernel_h = c.global ? c.in[2] : c.kh, a.kernel_w = c.global ? c.in[3] : c.kw;
  a.stride_h = c.global ? 1 : c.sh, a.stride_w = c.global ? 1 : c.sw;
  if (!c.global) a.pad_top = c.pt, a.pad_bottom = c.pb, a.pad_left = c.pl, a.pad_right = c.pr;
  Layer l;
  l.name = "p";
  l.kind = LayerKind::kPool;
  l.inputs = {"x"};
  l.input_shapes = {c.in};
  const int64_t ho = (c.in[2] + a.pad_top + a.pad_bottom - a.kernel_h) / a.stride_h + 1;
  const int64_t wo = (c.in[3] + a.pad_left + a.pad_right - a.kernel_w) / a.stride_w + 1;
  l.output_shape = {c.in[0], c.in[1], ho, wo};
  l.vector_ops = num_elements(l.output_shape) * a.kernel_h * a.kernel_w;
  l.attrs = a;
  net.layers.push_back(l);
  return net;
}

uint64_t tensor_addr(const Program& p, const std::string& name) {
  for (const TensorPlacement& t : p.tensors) {
    if (t.name == name) return t.dram_addr;
  }
  throw std::runtime_error("no tensor " + name);
}

class PoolLayout : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolLayout, ChunksCarryTheirWindowsAndHalo) {
  const PoolCase& c = GetParam();
  const Network net = pool_net(c);
  const Layer& l = net.layers[0];
  const auto& a = l.as<PoolAttrs>();
  const int64_t h = c.in[2], w = c.in[3], ho = l.output_shape[2], wo = l.output_shape[3];
  const int64_t planes = c.in[0] * c.in[1];
  const ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary, c.kib, c.kib, c.kib);
  const Program p = compile(arch, net);
  const uint64_t in_addr = tensor_addr(p, "x"), out_addr = tensor_addr(p, "p");
  const int64_t e = 1;  // int8

  std::map<std::pair<int64_t, int64_t>, int> computed;  // (plane, output row) -> times
  bool row_chunks = false;
  for (const Instruction& in : p.instructions) {
    if (in.op != Opcode::kVector) continue;
    const VectorOp& op = in.vector();
    const PoolGeometry& g = op.pool;
    EXPECT_EQ(op.func, c.mode == PoolMode::kMax ? VectorFunc::kMaxPool : VectorFunc::kAvgPool);
    EXPECT_EQ(g.h, h);
    EXPECT_EQ(g.w, w);
    EXPECT_EQ(g.wo, wo);
    EXPECT_EQ(g.kernel_h, a.kernel_h);
    EXPECT_EQ(g.kernel_w, a.kernel_w);
    EXPECT_EQ(g.stride_h, a.stride_h);
    EXPECT_EQ(g.stride_w, a.stride_w);
    EXPECT_EQ(g.pad_top, a.pad_top);
    EXPECT_EQ(g.pad_left, a.pad_left);
    EXPECT_EQ(static_cast<int64_t>(op.elements), g.planes * g.out_rows * wo);
    EXPECT_EQ(op.ops_per_element, static_cast<uint64_t>(a.kernel_h * a.kernel_w));
    row_chunks |= g.out_rows < ho;

    // The input rows the windows read (padding excluded) are all held: whole planes, or (row
    // chunks) from the first row read to the last window's last row inside the plane (a gap row
    // after the last window's bottom row may ride along when stride > kernel).
    int64_t lo = h, hi = -1;
    for (int64_t oh = g.out_row0; oh < g.out_row0 + g.out_rows; ++oh) {
      for (int64_t r = 0; r < g.kernel_h; ++r) {
        const int64_t ih = oh * g.stride_h - g.pad_top + r;
        if (ih >= 0 && ih < h) lo = std::min(lo, ih), hi = std::max(hi, ih);
      }
    }
    if (g.out_rows == ho) {
      EXPECT_EQ(g.in_row0, 0);
      EXPECT_EQ(g.in_rows, h);
    } else if (hi >= lo) {
      const int64_t last = (g.out_row0 + g.out_rows - 1) * g.stride_h - g.pad_top + g.kernel_h - 1;
      EXPECT_EQ(g.in_row0, lo);
      EXPECT_GE(g.in_row0 + g.in_rows - 1, hi);
      EXPECT_LE(g.in_row0 + g.in_rows - 1, std::min(h - 1, last));
    } else {
      EXPECT_EQ(g.in_rows, 0);
    }

    // The STORE draining this VECTOR names the first plane and the output rows.
    const Instruction* store = nullptr;
    for (const Instruction& s : p.instructions) {
      if (s.op == Opcode::kStore && std::count(s.deps.begin(), s.deps.end(), in.id) > 0) store = &s;
    }
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->dma().bytes(), op.elements * e);
    const auto out_off = static_cast<int64_t>(store->dma().dram_addr - out_addr) / e - g.out_row0 * wo;
    ASSERT_EQ(out_off % (ho * wo), 0);
    const int64_t plane0 = out_off / (ho * wo);
    EXPECT_EQ(g.planes == 1 || g.out_rows == ho, true) << "row chunks hold one plane";

    // Its LOADs put [planes][in_rows][w] at src_spm_addr, read from those DRAM rows (the
    // compiler coalesces contiguous rows and planes, so only start and size are compared).
    uint64_t spm = op.src_spm_addr, bytes = 0;
    for (uint32_t d : in.deps) {
      const Instruction& ld = p.instructions.at(d);
      if (ld.op != Opcode::kLoad || ld.layer != in.layer) continue;
      EXPECT_EQ(ld.dma().spm_addr, spm + bytes);
      EXPECT_EQ(ld.dma().dram_addr, in_addr + static_cast<uint64_t>(((plane0 * h) + g.in_row0) * w * e));
      bytes += ld.dma().bytes();
    }
    EXPECT_EQ(bytes, static_cast<uint64_t>(g.planes * g.in_rows * w * e));
    for (int64_t pl = plane0; pl < plane0 + g.planes; ++pl) {
      for (int64_t oh = g.out_row0; oh < g.out_row0 + g.out_rows; ++oh) ++computed[{pl, oh}];
    }
  }
  EXPECT_EQ(row_chunks, c.expect_row_chunks);
  EXPECT_EQ(static_cast<int64_t>(computed.size()), planes * ho);
  for (const auto& [at, times] : computed) {
    EXPECT_EQ(times, 1) << "plane " << at.first << " row " << at.second;
    EXPECT_LT(at.first, planes);
    EXPECT_LT(at.second, ho);
  }
}

// Int8 throughout (testnet::arch); 1 KiB scratchpads have 512 B halves.
INSTANTIATE_TEST_SUITE_P(
    Shapes, PoolLayout,
    ::testing::Values(
        PoolCase{"planes_k3s2p1", {2, 3, 9, 11}, 3, 3, 2, 2, 1, 1, 1, 1, false, PoolMode::kMax, 1, false},
        PoolCase{"planes_asym", {1, 4, 9, 11}, 2, 3, 3, 2, 1, 0, 2, 1, false, PoolMode::kAvg, 1, false},
        PoolCase{"global", {2, 8, 7, 7}, 0, 0, 0, 0, 0, 0, 0, 0, true, PoolMode::kAvg, 1, false},
        PoolCase{"rows_k3s2p1", {1, 2, 40, 30}, 3, 3, 2, 2, 1, 1, 1, 1, false, PoolMode::kMax, 1, true},
        PoolCase{"rows_k5s1p2", {1, 2, 40, 30}, 5, 5, 1, 1, 2, 2, 2, 2, false, PoolMode::kAvg, 1, true},
        PoolCase{"rows_gaps", {1, 1, 41, 30}, 2, 2, 3, 3, 1, 2, 0, 0, false, PoolMode::kAvg, 1, true},
        PoolCase{"rows_bottom_pad", {1, 1, 20, 60}, 3, 1, 2, 1, 0, 3, 0, 0, false, PoolMode::kMax, 1, true}),
    [](const ::testing::TestParamInfo<PoolCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace systole
