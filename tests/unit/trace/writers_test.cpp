// The trace writers on hand-made records: no simulation involved.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "systole/trace/events_csv_writer.h"
#include "systole/trace/perfetto_writer.h"
#include "systole/trace/units_vcd_writer.h"
#include "unit/energy/energy_test_util.h"
#include "unit/hw/program_builder.h"

namespace systole::trace {
namespace {

std::string temp_file(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("systole_trace_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using hwtest::record;

// LOAD [0,10) 64 B; MATMUL issued 5, works [10,50) 1000 MACs; VECTOR [50,55); SYNC at 55.
struct Fixture {
  Program program;
  std::vector<hw::InstructionRecord> records;
  ArchSpec arch;
  energy::EnergyTable table;
  Fixture() {
    hwtest::ProgramBuilder b(2);
    b.load(Buffer::kIfmap, 1, 64, {}, 0);
    b.matmul(Dataflow::kWeightStationary, 8, 8, 8, {0}, 0);
    b.vector(8, 1, {1}, 1);
    b.sync({2}, 1);
    program = b.program();
    records = {record(0, 10), record(5, 50, 10, 40), record(50, 55, 50, 5), record(55, 55)};
    records[0].dram_read_bytes = 64;
    records[0].actions.ifmap.write_accesses = 16;
    records[1].macs = 1000;
    records[2].actions.vector.add_on_accumulator = 8;
    arch.name = "test";
    arch.energy.power_window_cycles = 20;
    table = energy::load_energy_table(energy::test::shipped("7nm"));
  }
  template <typename W>
  void feed(W& w) {
    for (size_t i = 0; i < records.size(); ++i) w.on_retire(program.instructions[i], records[i]);
  }
};

TEST(TraceWriters, EventsCsvRowsAndEnergy) {
  Fixture f;
  const std::string path = temp_file("events.csv");
  EventsCsvWriter w(path, f.arch, f.program, f.table, TraceOptions{});
  f.feed(w);
  w.finish();
  std::istringstream in(slurp(path));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, EventsCsvWriter::header());
  std::vector<std::string> rows;
  while (std::getline(in, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), 4u);
  // 64 DRAM bytes at LPDDR4 (the simple model's default standard) 7.5 pJ/bit, plus 16 SRAM
  // writes and the clock share of those: the row's energy is priced, not zero.
  EXPECT_EQ(rows[0].rfind("0,L0,LOAD,dma,0,0,10,10,0,0,0,64,0,0,", 0), 0u) << rows[0];
  EXPECT_EQ(rows[1].rfind("1,L0,MATMUL,array,5,10,50,50,1000,", 0), 0u) << rows[1];
  EXPECT_EQ(rows[3].rfind("3,L1,SYNC,controller,55,55,55,55,0,", 0), 0u) << rows[3];
  const double load_pj = std::stod(rows[0].substr(rows[0].rfind(',') + 1));
  EXPECT_GT(load_pj, 64 * 8 * 7.5);
  // A window on layer 1 keeps the VECTOR and the SYNC.
  TraceOptions only_l1;
  only_l1.first_layer = only_l1.last_layer = 1;
  EventsCsvWriter w1(path, f.arch, f.program, f.table, only_l1);
  f.feed(w1);
  w1.finish();
  const std::string text = slurp(path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);  // header, VECTOR, SYNC
}

TEST(TraceWriters, PerfettoSlicesTracksAndCounters) {
  Fixture f;
  const std::string path = temp_file("trace.json");
  PerfettoWriter w(path, f.arch, f.program, f.table, TraceOptions{});
  f.feed(w);
  w.on_dram_burst(0, 9, 64, false);
  SimResult result;
  result.layers.resize(2);
  result.layers[0].name = "L0";
  result.layers[0].cycles = 50;
  result.layers[1].name = "L1";
  result.layers[1].cycles = 10;
  result.activity = hw::activity_windows(f.program, f.records, 60, 20);
  result.activity_window_cycles = 20;
  w.finish(result);
  const auto j = nlohmann::json::parse(slurp(path));
  EXPECT_EQ(j["displayTimeUnit"], "ns");
  int x = 0, instants = 0, counters = 0;
  double layer_us = 0.0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "X") {
      ++x;
      if (e["tid"] == 12) layer_us += e["dur"].get<double>();
    }
    if (e["ph"] == "i") ++instants;
    if (e["ph"] == "C") ++counters;
  }
  // LOAD on DMA + ifmap DMA port, MATMUL on the array + three array ports, VECTOR on the vector
  // unit + ofmap vector port, two layer slices.
  EXPECT_EQ(x, 2 + 4 + 2 + 2);
  EXPECT_EQ(instants, 1);  // the SYNC
  // Three windows x (utilisation, DRAM bandwidth, power) + three DRAM channel samples.
  EXPECT_EQ(counters, 3 * 3 + 3);
  EXPECT_NEAR(layer_us, 60 * 0.001, 1e-9);  // 60 cycles at the default 1 GHz
}

TEST(TraceWriters, UnitsVcdPulses) {
  Fixture f;
  const std::string path = temp_file("units.vcd");
  UnitsVcdWriter w(path, f.arch, TraceOptions{});
  f.feed(w);
  w.finish();
  const std::string vcd = slurp(path);
  EXPECT_NE(vcd.find("$timescale 1ps $end"), std::string::npos);
  // DMA busy 0..10 cycles, array 10..50, vector 50..55 (1 GHz: 1000 ps per cycle). At 50 the array
  // falls before the vector rises.
  EXPECT_NE(vcd.find("#0\n$dumpvars"), std::string::npos);
  EXPECT_NE(vcd.find("#10000\n0!\n1\"\nb0 $\n"), std::string::npos) << vcd;
  EXPECT_NE(vcd.find("#50000\n0\"\n1#\n"), std::string::npos) << vcd;
  EXPECT_NE(vcd.find("#55000\n0#\n"), std::string::npos) << vcd;
}

}  // namespace
}  // namespace systole::trace
