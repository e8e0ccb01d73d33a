// simulate() end to end on a small two-layer program: per-layer attribution, consistency of the
// module counters with the per-layer statistics, and the once-per-process rule.
#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/hw/core/simulate.h"
#include "systole/stats/attribution.h"
#include "unit/hw/program_builder.h"
#include "unit/hw/run_top.h"

namespace systole {
namespace {

using hwtest::ProgramBuilder;
using hwtest::run_top;
using hwtest::test_arch;

Program two_layers() {
  ProgramBuilder b(2);
  const uint32_t w0 = b.load(Buffer::kWeight, 1, 1024, {}, 0);
  const uint32_t i0 = b.load(Buffer::kIfmap, 2, 1024, {}, 0);
  const uint32_t m0 = b.matmul(Dataflow::kWeightStationary, 64, 32, 32, {w0, i0}, 0);
  const uint32_t s0 = b.store(Buffer::kOfmap, 1, 2048, {m0}, 0);
  const uint32_t m1 = b.matmul(Dataflow::kOutputStationary, 32, 32, 64, {s0}, 1);
  const uint32_t v1 = b.vector(1024, 1, {m1}, 1);
  b.store(Buffer::kOfmap, 1, 1024, {v1}, 1);
  return b.program();
}

TEST(Simulate, LayersSumToTheTotal) {
  const SimResult r = simulate(test_arch(), two_layers());
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].name, "L0");
  EXPECT_GT(r.total_cycles, 0);
  EXPECT_EQ(r.layers[0].cycles + r.layers[1].cycles, r.total_cycles);
  EXPECT_EQ(r.total.cycles, r.total_cycles);
  for (const LayerStats& l : r.layers) {
    EXPECT_EQ(l.compute_cycles + l.stall_cycles, l.cycles) << l.name;
    EXPECT_GE(l.stall_cycles, 0) << l.name;
  }
  EXPECT_EQ(r.total.macs, 64 * 32 * 32 + 32 * 32 * 64);
  EXPECT_EQ(r.total.dram_reads_bytes, 1024 + 2048);
  EXPECT_EQ(r.total.dram_writes_bytes, 2048 + 1024);
  EXPECT_EQ(r.total.instructions, 7);
  EXPECT_DOUBLE_EQ(r.simulated_ns, static_cast<double>(r.total_cycles));  // 1 GHz, ends on an edge
}

TEST(Simulate, ModuleCountersAgreeWithLayerStatistics) {
  const ArchSpec arch = test_arch();
  const Program p = two_layers();
  auto top = run_top(arch, p);
  const auto& c = top->controller();
  const SimResult r = hw::attribute(c.program(), c.records(), top->clock().cycle_of(c.end_time()), 0.0,
                                    arch.core.array.rows * arch.core.array.cols);
  int64_t spm_reads = 0, spm_writes = 0;
  for (Buffer b : {Buffer::kIfmap, Buffer::kWeight, Buffer::kOfmap}) {
    spm_reads += top->scratchpad(b).counters().read_bytes;
    spm_writes += top->scratchpad(b).counters().write_bytes;
  }
  EXPECT_EQ(spm_reads, r.total.sram_reads_bytes);
  EXPECT_EQ(spm_writes, r.total.sram_writes_bytes);
  EXPECT_EQ(top->dram().counters().read_bytes, r.total.dram_reads_bytes);
  EXPECT_EQ(top->dram().counters().write_bytes, r.total.dram_writes_bytes);
  EXPECT_EQ(top->array().counters().macs, r.total.macs);
  EXPECT_EQ(top->array().counters().compute_cycles + top->vector_unit().counters().busy_cycles,
            r.total.compute_cycles);  // nothing overlaps in this program
  EXPECT_EQ(top->dma().counters().descriptors, 4);
}

TEST(Simulate, RunsOncePerProcess) {
  SYSTOLE_SKIP_UNDER_ASAN_IF_SC_THROWS();
  ProgramBuilder b;
  b.vector(64, 1);
  EXPECT_EQ(simulate(test_arch(), b.program()).total_cycles, 2);
  EXPECT_THROW(simulate(test_arch(), b.program()), InternalError);
}

}  // namespace
}  // namespace systole
