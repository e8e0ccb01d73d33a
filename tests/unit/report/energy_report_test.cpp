// Pricing a run from report.json (report/energy_report.h) on a hand-made report and a small table.
#include "systole/report/energy_report.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "systole/common/error.h"
#include "unit/energy/energy_test_util.h"

namespace systole {
namespace {

using Json = nlohmann::ordered_json;

Json actions(double macs, double shift, double if_rd, double if_wr, double w_rd, double of_rd, double of_wr,
             double rmw, double vec_add_acc, double dram_rd, double dram_wr, double vec_mac = 0) {
  return {{"macs", macs},
          {"register_shift_bytes", shift},
          {"scratchpads",
           {{"ifmap", {{"read_accesses", if_rd}, {"write_accesses", if_wr}}},
            {"weight", {{"read_accesses", w_rd}, {"write_accesses", 0}}},
            {"ofmap", {{"read_accesses", of_rd}, {"write_accesses", of_wr}, {"accumulator_rmw", rmw}}}}},
          {"dma_bursts", 1},
          {"vector_lane_ops",
           {{"add_on_accumulator", vec_add_acc},
            {"mul_on_accumulator", 0},
            {"add_on_input", 0},
            {"mul_on_input", 0},
            {"mac", vec_mac}}},
          {"dram_read_bytes", dram_rd},
          {"dram_write_bytes", dram_wr}};
}

// Layer A: 100 cycles of work; layer B: 50 idle cycles. 500 MHz (2 ns per cycle). Scratchpads
// (capacity KiB / banks / word bytes): ifmap 32/4/8 (8 KiB macros), weight 64/2/4 (32 KiB),
// ofmap 16/2/8 (8 KiB). Static power: array 10, scratchpads 60 (split 32:64:16), control 5 mW.
Json hand_made_report() {
  auto spm = [](int kib, int banks, int width) {
    return Json{{"capacity_kib", kib}, {"banks", banks}, {"bank_width_bytes", width}};
  };
  Json r;
  r["config"] = {
      {"schema_version", 1},
      {"name", "hand-made"},
      {"core",
       {{"array", {{"input_type", "int8"}, {"weight_type", "int8"}, {"accumulator_type", "int32"}}},
        {"scratchpads", {{"ifmap", spm(32, 4, 8)}, {"weight", spm(64, 2, 4)}, {"ofmap", spm(16, 2, 8)}}},
        {"clock_mhz", 500.0}}},
      {"energy",
       {{"table", "small"},
        {"static_power_mw", {{"array", 10.0}, {"vector", 0.0}, {"scratchpads", 60.0}, {"control", 5.0}}}}}};
  Json a = {{"name", "A"}, {"macs", 100}, {"cycles", 100}};
  a["actions"] = actions(100, 40, 5, 2, 4, 3, 1, 3, 20, 16, 8, 10);
  Json b = {{"name", "B"}, {"macs", 0}, {"cycles", 50}};
  b["actions"] = actions(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  r["layers"] = Json::array({a, b});
  r["total"] = {{"name", "total"}, {"macs", 100}, {"cycles", 150}, {"time_us", 0.3}};
  r["total"]["actions"] = actions(100, 40, 5, 2, 4, 3, 1, 3, 20, 16, 8, 10);
  r["total"]["inferences"] = 2;
  r["memory"] = {{"dram", {{"standard", "DDR4"}}}};
  // Two windows of 100 cycles (the last one 50): all of A's actions in the first.
  Json w0 = Json::array({0, 100, 100, 40, 1, 16, 8, 5, 2, 4, 0, 3, 1, 3, 20, 0, 0, 0, 10});
  Json w1 = Json::array({100, 150, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  r["activity"] = {{"window_cycles", 100},
                   {"columns",
                    {"begin_cycle", "end_cycle", "macs", "register_shift_bytes", "dma_bursts",
                     "dram_read_bytes", "dram_write_bytes", "scratchpads.ifmap.read_accesses",
                     "scratchpads.ifmap.write_accesses", "scratchpads.weight.read_accesses",
                     "scratchpads.weight.write_accesses", "scratchpads.ofmap.read_accesses",
                     "scratchpads.ofmap.write_accesses", "scratchpads.ofmap.accumulator_rmw",
                     "vector_lane_ops.add_on_accumulator", "vector_lane_ops.mul_on_accumulator",
                     "vector_lane_ops.add_on_input", "vector_lane_ops.mul_on_input", "vector_lane_ops.mac"}},
                   {"windows", Json::array({w0, w1})}};
  return r;
}

energy::EnergyTable small_table() {
  return energy::load_energy_table(energy::test::write_table("report_small", energy::test::small_table()));
}

double component(const Json& record, const std::string& name) {
  return record["energy_by_component"][name].get<double>();
}

TEST(EnergyReport, HandComputedLayer) {
  Json r = hand_made_report();
  price_report(r, small_table(), "small", "r.json");
  const Json& a = r["layers"][0];
  const double ns = 200.0;                             // 100 cycles at 2 ns
  const double array = 100 * 0.3 + 40 * 0.5;           // MACs + register shifts = 50
  const double ifmap = 5 * 10.0 + 2 * 12.0;            // 8 KiB macros, 64-bit words = 74
  const double weight = 4 * 20.0 * 32 / 64;            // 32 KiB macros, 32-bit words = 40
  const double ofmap = 3 * 10.0 + 1 * 12.0 + 3 * 0.1;  // + int32 adds of the RMWs = 42.3
  const double vector = 20 * 0.1 + 10 * 0.3;           // int32 adds on accumulators + int8 MACs
  const double dram = (16 + 8) * 8 * 20.0;             // DDR4 20 pJ/bit
  const double clock = 0.2 / 0.8 * (array + ifmap + weight + ofmap + vector);
  EXPECT_NEAR(component(a, "array"), array + 10 * ns, 1e-9);
  EXPECT_NEAR(component(a, "scratchpad.ifmap"), ifmap + 60.0 * 32 / 112 * ns, 1e-9);
  EXPECT_NEAR(component(a, "scratchpad.weight"), weight + 60.0 * 64 / 112 * ns, 1e-9);
  EXPECT_NEAR(component(a, "scratchpad.ofmap"), ofmap + 60.0 * 16 / 112 * ns, 1e-9);
  EXPECT_NEAR(component(a, "vector"), vector, 1e-9);
  EXPECT_NEAR(component(a, "control"), 5 * ns, 1e-9);
  EXPECT_NEAR(component(a, "dram"), dram, 1e-9);
  EXPECT_NEAR(component(a, "clock_tree"), clock, 1e-9);
  const double dynamic = array + ifmap + weight + ofmap + vector + dram + clock;
  EXPECT_NEAR(a["energy_dynamic_pj"].get<double>(), dynamic, 1e-9);
  EXPECT_NEAR(a["energy_static_pj"].get<double>(), 75 * ns, 1e-9);
  EXPECT_NEAR(a["energy_pj"].get<double>(), dynamic + 75 * ns, 1e-9);
  EXPECT_NEAR(a["avg_power_w"].get<double>(), (dynamic + 75 * ns) / ns / 1000, 1e-12);
  EXPECT_NEAR(a["gops"].get<double>(), 200.0 / ns, 1e-12);
  EXPECT_NEAR(a["tops_per_w"].get<double>(), 200.0 / (dynamic + 75 * ns), 1e-12);
  // Layer B does nothing: static power only.
  const Json& b = r["layers"][1];
  EXPECT_NEAR(b["energy_pj"].get<double>(), 75 * 100.0, 1e-9);
  EXPECT_EQ(b["energy_dynamic_pj"].get<double>(), 0.0);
  EXPECT_EQ(b["tops_per_w"].get<double>(), 0.0);
}

TEST(EnergyReport, BreakdownsAndLayersSumToTheTotal) {
  Json r = hand_made_report();
  price_report(r, small_table(), "small", "r.json");
  double layers = 0.0;
  for (const Json& rec : {r["layers"][0], r["layers"][1], r["total"]}) {
    double sum = 0.0;
    for (const auto& item : rec["energy_by_component"].items()) sum += item.value().get<double>();
    EXPECT_NEAR(sum, rec["energy_pj"].get<double>(), 1e-9 * sum) << rec["name"];
    std::vector<std::string> keys;
    for (const auto& item : rec["energy_by_component"].items()) keys.push_back(item.key());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"array", "scratchpad.ifmap", "scratchpad.weight", "scratchpad.ofmap",
                                        "vector", "control", "dram", "clock_tree"}));
  }
  layers = r["layers"][0]["energy_pj"].get<double>() + r["layers"][1]["energy_pj"].get<double>();
  EXPECT_NEAR(layers, r["total"]["energy_pj"].get<double>(), 1e-9 * layers);
  EXPECT_NEAR(r["total"]["energy_per_inference_pj"].get<double>(), r["total"]["energy_pj"].get<double>() / 2,
              1e-9);
}

TEST(EnergyReport, PowerTraceIntegratesToTheTotalAndPeakIsTheLargestWindow) {
  Json r = hand_made_report();
  const std::string csv = price_report(r, small_table(), "small", "r.json");
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "begin_cycle,end_cycle,begin_us,end_us,array_w,scratchpad.ifmap_w,scratchpad.weight_w,"
            "scratchpad.ofmap_w,vector_w,control_w,dram_w,clock_tree_w,total_w");
  double integral = 0.0, peak = 0.0;
  int rows = 0;
  while (std::getline(in, line)) {
    std::vector<double> v;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) v.push_back(std::stod(cell));
    ASSERT_EQ(v.size(), 13u);
    double parts = 0.0;
    for (size_t i = 4; i < 12; ++i) parts += v[i];
    EXPECT_NEAR(parts, v[12], 1e-6 * v[12]);
    integral += v[12] * (v[3] - v[2]) * 1e6;  // W x us = 1e6 pJ
    peak = std::max(peak, v[12]);
    ++rows;
  }
  EXPECT_EQ(rows, 2);
  EXPECT_NEAR(integral, r["total"]["energy_pj"].get<double>(), 1e-6 * integral);
  EXPECT_NEAR(r["total"]["peak_power_w"].get<double>(), peak, 1e-6 * peak);
  EXPECT_GT(peak, r["total"]["avg_power_w"].get<double>());
}

TEST(EnergyReport, RepricingReplacesTheFieldsInPlace) {
  Json r = hand_made_report();
  price_report(r, small_table(), "small", "r.json");
  const std::string once = r.dump();
  price_report(r, small_table(), "small", "r.json");
  EXPECT_EQ(r.dump(), once);
  // Another DRAM figure changes the dram component and what follows from it, nothing else.
  const energy::EnergyTable t = energy::load_energy_table(energy::test::write_table(
      "report_dram", energy::test::edited("value: 20, unit: pJ/bit", "value: 10, unit: pJ/bit")));
  Json before = r;
  price_report(r, t, "edited", "r.json");
  for (const auto& item : before["layers"][0]["energy_by_component"].items()) {
    const double after = r["layers"][0]["energy_by_component"][item.key()].get<double>();
    if (item.key() == "dram") {
      EXPECT_NEAR(after, item.value().get<double>() / 2, 1e-9);
    } else {
      EXPECT_EQ(after, item.value().get<double>()) << item.key();
    }
  }
  EXPECT_EQ(r["energy"]["table"], "edited");
}

TEST(EnergyReport, MissingOrMalformedKeysNameTheFileAndKey) {
  auto expect_error = [](Json r, const std::string& fragment) {
    try {
      price_report(r, small_table(), "small", "some/report.json");
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const UserError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("some/report.json"), std::string::npos) << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    }
  };
  Json r = hand_made_report();
  r["memory"]["dram"].erase("standard");
  expect_error(r, "memory.dram.standard");
  r = hand_made_report();
  r["config"]["core"]["scratchpads"]["weight"]["banks"] = 0;
  expect_error(r, "config.core.scratchpads.weight.banks");
  r = hand_made_report();
  r["layers"][1]["actions"].erase("macs");
  expect_error(r, "layers[1].actions");
  r = hand_made_report();
  r["total"]["actions"]["dram_read_bytes"] = -1;
  expect_error(r, "dram_read_bytes");
  r = hand_made_report();
  r["activity"]["windows"][0] = Json::array({0, 100});
  expect_error(r, "activity.windows[0]");
  r = hand_made_report();
  r["activity"]["windows"][1][1] = "150";
  expect_error(r, "activity.windows[1]");
  r = hand_made_report();
  r["config"]["core"]["array"]["input_type"] = "int7";
  expect_error(r, "config.core.array.input_type");
}

// The hand-made report priced from IDD figures: 2 ACT x 100 + 3 RD x 10 + 1 WR x 20 = 250 pJ of
// traffic, 1 REF x 1000 + 200 ns x 2 mW + 100 ns x 1 mW = 1500 pJ over time. Layer A moved all 24
// bytes in 200 of the 300 ns, layer B nothing in 100 ns: A = 250 + 1500 x 2/3, B = 1500 x 1/3.
Json with_idd(Json r) {
  Json& d = r["memory"]["dram"];
  d["commands"] = {{"ACT", 2}, {"PRE", 1}, {"RD", 3}, {"WR", 1}, {"REF", 1}};
  d["active_standby_ns"] = 200.0;
  d["precharged_standby_ns"] = 100.0;
  d["energy_model"] = "idd";
  d["idd"] = {{"source", "hand"},
              {"devices_per_rank", 1},
              {"command_pj", {{"ACT_PRE", 100.0}, {"RD", 10.0}, {"WR", 20.0}, {"REF", 1000.0}}},
              {"active_standby_mw", 2.0},
              {"precharged_standby_mw", 1.0}};
  return r;
}

TEST(EnergyReport, IddDramSpreadsTrafficByBytesAndTheRestByTime) {
  Json r = with_idd(hand_made_report());
  const std::string csv = price_report(r, small_table(), "small", "r.json");
  auto dram = [](const Json& rec) { return rec["energy_by_component"]["dram"].get<double>(); };
  EXPECT_NEAR(dram(r["total"]), 1750.0, 1e-9);
  EXPECT_NEAR(dram(r["layers"][0]), 1250.0, 1e-9);
  EXPECT_NEAR(dram(r["layers"][1]), 500.0, 1e-9);
  const Json& e = r["memory"]["dram"]["energy_pj"];
  EXPECT_EQ(e["ACT_PRE"], 200.0);
  EXPECT_EQ(e["REF"], 1000.0);
  EXPECT_EQ(e["background"], 500.0);
  EXPECT_EQ(e["total"], 1750.0);
  // power.csv: window 0 (all bytes, 200 ns) and window 1 (100 ns) carry the layers' DRAM energy;
  // the DRAM column is the 11th: 1250 pJ / 200 ns = 6.25 mW, 500 pJ / 100 ns = 5 mW.
  std::istringstream in(csv);
  std::string line;
  std::vector<double> dram_w;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::string cell;
    for (int c = 0; c <= 10 && std::getline(cells, cell, ','); ++c) {
      if (c == 10) dram_w.push_back(std::stod(cell));
    }
  }
  ASSERT_EQ(dram_w.size(), 2u);
  EXPECT_NEAR(dram_w[0], 0.00625, 1e-12);
  EXPECT_NEAR(dram_w[1], 0.005, 1e-12);

  // The table's DDR4 pJ/bit does not enter: halving it changes no DRAM figure.
  Json again = with_idd(hand_made_report());
  price_report(
      again,
      energy::load_energy_table(energy::test::write_table(
          "report_idd_half", energy::test::edited("value: 20, unit: pJ/bit", "value: 10, unit: pJ/bit"))),
      "half", "r.json");
  EXPECT_EQ(dram(again["total"]), dram(r["total"]));
}

TEST(EnergyReport, IddFieldsAreCheckedLikeTheRest) {
  auto expect_error = [](Json r, const std::string& fragment) {
    try {
      price_report(r, small_table(), "small", "some/report.json");
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  Json r = with_idd(hand_made_report());
  r["memory"]["dram"]["energy_model"] = "dramsim";
  expect_error(r, "memory.dram.energy_model: \"dramsim\" is not \"idd\" or \"per_bit\"");
  r = with_idd(hand_made_report());
  r["memory"]["dram"]["commands"].erase("ACT");
  expect_error(r, "memory.dram.commands.ACT: missing");
  r = with_idd(hand_made_report());
  r["memory"]["dram"]["idd"]["command_pj"]["RD"] = -1.0;
  expect_error(r, "memory.dram.idd.command_pj.RD: '-1.0' is not a number >= 0");
  r = with_idd(hand_made_report());
  r["memory"]["dram"]["active_standby_ns"] = 1e30;
  expect_error(r, "memory.dram.active_standby_ns: 1e+30 is more than 2^63");
}

}  // namespace
}  // namespace systole
