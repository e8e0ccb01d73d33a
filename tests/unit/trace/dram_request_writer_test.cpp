// The DRAM request traces on hand-made requests: DRAMsim3's and Ramulator 2's line formats, the
// clock DRAMsim3's cycle counts, and the trace window.
#include "systole/trace/dram_request_writer.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/process.h"
#include "systole/common/error.h"

namespace systole::trace {
namespace {

using testing::read_file;

// A file in this test's own fresh folder (support/process.h).
std::string temp_file(const std::string& name) {
  static const std::filesystem::path dir = testing::fresh_dir("dram_request_writer");
  return (dir / name).string();
}

ArchSpec arch_at_1ghz() {
  ArchSpec a;
  a.core.clock_mhz = 1000.0;
  a.dram.kind = DramKind::kSimple;
  return a;
}

void write_three(DramRequestWriter& w) {
  w.on_dram_request({0, 0.0, 0x1000, 64, false, 0});
  w.on_dram_request({7, 7.5, 0x1040, 64, false, 0});
  w.on_dram_request({12, 12.0, 0x20000, 32, true, 1});
}

TEST(DramRequestWriter, Dramsim3LinesAreAddressTypeCycle) {
  const std::string path = temp_file("d3.trace");
  DramRequestWriter w(path, DramTraceFormat::kDramsim3, arch_at_1ghz(), TraceOptions{});
  write_three(w);
  w.finish();
  // Core cycles of 1 ns with a simple DRAM: 7.5 ns is cycle 7.
  EXPECT_EQ(read_file(path), "0x1000 READ 0\n0x1040 READ 7\n0x20000 WRITE 12\n");
  EXPECT_EQ(w.lines(), 3);
}

TEST(DramRequestWriter, Dramsim3CountsTheDramClockOfACycleLevelPreset) {
  ArchSpec a = arch_at_1ghz();
  a.dram.kind = DramKind::kCycle;
  a.dram.device.timing.tck_ps = 625.0;  // DDR4-3200: 1.6 GHz command clock
  const std::string path = temp_file("d3c.trace");
  DramRequestWriter w(path, DramTraceFormat::kDramsim3, a, TraceOptions{});
  write_three(w);
  w.finish();
  // 7.5 ns / 0.625 = 12; 12 ns / 0.625 = 19.2 -> 19.
  EXPECT_EQ(read_file(path), "0x1000 READ 0\n0x1040 READ 12\n0x20000 WRITE 19\n");
}

TEST(DramRequestWriter, Ramulator2LinesAreLoadOrStoreAndAddress) {
  const std::string path = temp_file("r2.trace");
  DramRequestWriter w(path, DramTraceFormat::kRamulator2, arch_at_1ghz(), TraceOptions{});
  write_three(w);
  w.finish();
  EXPECT_EQ(read_file(path), "LD 0x1000\nLD 0x1040\nST 0x20000\n");
}

TEST(DramRequestWriter, TheWindowKeepsOnlyItsLayersAndCycles) {
  TraceOptions layer1;
  layer1.first_layer = layer1.last_layer = 1;
  const std::string a = temp_file("win_layer.trace");
  DramRequestWriter w(a, DramTraceFormat::kRamulator2, arch_at_1ghz(), layer1);
  write_three(w);
  w.finish();
  EXPECT_EQ(read_file(a), "ST 0x20000\n");
  TraceOptions cycles;
  cycles.begin_cycle = 5;
  cycles.end_cycle = 12;  // exclusive
  const std::string b = temp_file("win_cycles.trace");
  DramRequestWriter v(b, DramTraceFormat::kRamulator2, arch_at_1ghz(), cycles);
  write_three(v);
  v.finish();
  EXPECT_EQ(read_file(b), "LD 0x1040\n");
}

TEST(DramRequestWriter, AnUnwritablePathIsAUserError) {
  EXPECT_THROW(DramRequestWriter("/nonexistent-dir/x.trace", DramTraceFormat::kDramsim3, arch_at_1ghz(),
                                 TraceOptions{}),
               UserError);
}

}  // namespace
}  // namespace systole::trace
