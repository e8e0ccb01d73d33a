// The shipped presets in arch/ load cleanly and say what their header comments say.
#include <gtest/gtest.h>

#include <filesystem>

#include "config_test_util.h"
#include "systole/config/loader.h"

namespace systole {
namespace {

using testing::source_path;

TEST(Presets, EveryPresetLoads) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("arch"))) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    EXPECT_NO_THROW(load_arch(entry.path().string())) << entry.path();
  }
  EXPECT_GE(count, 3);
}

TEST(Presets, DefaultIsTheSchemaDefaultsSpelledOut) {
  const ArchSpec a = load_arch(source_path("arch/default.yaml"));
  ArchSpec defaults;
  defaults.name = a.name;
  EXPECT_EQ(arch_to_json(a).dump(2), arch_to_json(defaults).dump(2));
  EXPECT_EQ(a.core.array.rows, 32);
  EXPECT_EQ(a.core.array.dataflow, Dataflow::kWeightStationary);
  EXPECT_EQ(a.core.array.input_type, DataType::kInt8);
  EXPECT_DOUBLE_EQ(a.core.clock_mhz, 1000.0);
  // The DMA keeps the DRAM busy: bursts in flight x burst size >= bandwidth x latency
  // (GB/s x ns = bytes).
  EXPECT_GE(static_cast<double>(a.core.dma.max_outstanding * a.core.dma.burst_bytes),
            a.dram.bandwidth_gbps * a.dram.latency_ns);
}

TEST(Presets, EdgeLpddr4IsTheDefaultWithTwoCycleLevelLpddr4Channels) {
  const ArchSpec a = load_arch(source_path("arch/edge_lpddr4.yaml"));
  const ArchSpec d = load_arch(source_path("arch/default.yaml"));
  EXPECT_EQ(arch_to_json(a)["core"]["array"].dump(), arch_to_json(d)["core"]["array"].dump());
  EXPECT_EQ(arch_to_json(a)["core"]["scratchpads"].dump(), arch_to_json(d)["core"]["scratchpads"].dump());
  EXPECT_EQ(a.dram.kind, DramKind::kCycle);
  EXPECT_EQ(a.dram.device.name, "lpddr4-4266");
  EXPECT_EQ(a.dram.device.org.channels, 2);
  // 2 channels x 32 bit / 8 x 2 beats per clock / 0.46875 ns = 34.13 GB/s, as the header says.
  EXPECT_NEAR(a.dram.device.peak_gbps(), 2 * 4 * 2 / 0.46875, 1e-9);
  // The DMA keeps both channels busy through ~200 ns of loaded latency: bursts in flight x burst
  // size >= bandwidth x latency (GB/s x ns = bytes).
  EXPECT_GE(static_cast<double>(a.core.dma.max_outstanding * a.core.dma.burst_bytes),
            a.dram.device.peak_gbps() * 200.0);
}

TEST(Presets, TpuV1FollowsJouppi2017) {
  const ArchSpec a = load_arch(source_path("arch/tpu_v1.yaml"));
  EXPECT_EQ(a.core.array.rows, 256);
  EXPECT_EQ(a.core.array.cols, 256);
  EXPECT_EQ(a.core.array.dataflow, Dataflow::kWeightStationary);
  EXPECT_DOUBLE_EQ(a.core.clock_mhz, 700.0);
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kIfmap).capacity_bytes(), 24LL * 1024 * 1024)
      << "24 MiB Unified Buffer";
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kOfmap).capacity_bytes(), 4096LL * 256 * 4)
      << "4096 x 256 x 32-bit accumulators";
  EXPECT_EQ(a.core.scratchpads.of(OperandRole::kWeight).capacity_bytes(), 4LL * 64 * 1024)
      << "Weight FIFO, four 64 KiB tiles";
  EXPECT_DOUBLE_EQ(a.dram.bandwidth_gbps, 34.0);
  // Peak: 256 x 256 MACs x 2 ops x 700 MHz = 91.75 TOPS ("92 TOPS").
  EXPECT_NEAR(2.0 * a.core.array.rows * a.core.array.cols * a.core.clock_mhz * 1e6 / 1e12, 91.75, 0.01);
  EXPECT_GE(static_cast<double>(a.core.dma.max_outstanding * a.core.dma.burst_bytes),
            a.dram.bandwidth_gbps * a.dram.latency_ns);
}

TEST(Presets, ScalesimDefaultUsesTheScaleSimMicroarchitecture) {
  const ArchSpec a = load_arch(source_path("arch/scalesim_default.yaml"));
  EXPECT_TRUE(a.core.array.scalesim_compat);
  const ArrayMicroarch want = ArrayMicroarch::scalesim();
  EXPECT_EQ(a.core.array.microarch.preload_overlap, want.preload_overlap);
  EXPECT_EQ(a.core.array.microarch.fold_pipelining, want.fold_pipelining);
  EXPECT_EQ(a.core.array.microarch.scalesim_counting, want.scalesim_counting);
  EXPECT_EQ(a.core.array.dataflow, Dataflow::kOutputStationary);
}

}  // namespace
}  // namespace systole
