// Multi-core NPUs as a user runs them (docs/multicore.md): every partitioning strategy computes
// bit-exactly what one core computes, the report has each core and the NoC, runs are
// deterministic, and a compute-bound layer speeds up with the cores.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/net_report.h"
#include "support/process.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_net_report;
using testing::run_systole;
using testing::write_file;

// conv (batch 2, fused relu) -> maxpool -> residual add -> 1x1 conv -> fc -> concat of two fcs.
const char* kNet = R"(name: mc
dtype: int8
inputs:
  - {name: x, shape: [2, 8, 16, 16]}
layers:
  - {name: conv, type: conv2d, out_channels: 40, kernel: 3, padding: 1}
  - {name: relu, type: relu}
  - {name: conv2, type: conv2d, out_channels: 40, kernel: 3, padding: 1}
  - {name: res, type: add, inputs: [conv2, relu]}
  - {name: pool, type: pool, mode: max, kernel: 2, stride: 2}
  - {name: proj, type: conv2d, out_channels: 24, kernel: 1}
  - {name: flat, type: reshape, shape: [2, 1536]}
  - {name: fc_a, type: fc, out_features: 40}
  - {name: fc_b, type: fc, input: flat, out_features: 24}
  - {name: cat, type: concat, inputs: [fc_a, fc_b], axis: 1}
)";

TEST(MulticoreRun, EveryStrategyIsBitExactOnTwoAndFourCores) {
  const auto dir = fresh_dir("multicore_functional");
  write_file(dir / "net.yaml", kNet);
  const Json one = run_net_report(dir, "one", "--functional");
  ASSERT_EQ(one["functional"]["verified"], true);
  for (const char* cores : {"2", "4"}) {
    for (const char* strategy : {"auto", "output_channels", "spatial", "batch"}) {
      SCOPED_TRACE(std::string(cores) + " cores, " + strategy);
      const Json r = run_net_report(dir, std::string("c") + cores + strategy,
                                    std::string("--functional --set cores.count=") + cores +
                                        " --set compiler.partition=" + strategy +
                                        " --set core.array.rows=8 "
                                        "--set core.array.cols=8");
      ASSERT_TRUE(r.contains("functional"));
      EXPECT_EQ(r["functional"]["verified"], true);
      for (const Json& l : r["layers"]) EXPECT_NE(l.value("verified", Json()), false) << l["name"];
      EXPECT_EQ(r["total"]["macs"], one["total"]["macs"]);
      EXPECT_EQ(r["cores"].size(), static_cast<size_t>(std::stoi(cores)));
    }
  }
}

TEST(MulticoreRun, TheReportHasEachCoreAndTheNocAndRepeatsByteForByte) {
  const auto dir = fresh_dir("multicore_report");
  write_file(dir / "net.yaml", kNet);
  const std::string args = "--set cores.count=4 --set noc.x=2 --set noc.y=2";
  const Json r = run_net_report(dir, "a", args + " --trace perfetto,vcd,csv");
  ASSERT_TRUE(r.contains("cores"));
  ASSERT_EQ(r["cores"].size(), 4u);
  int64_t macs = 0, dram = 0;
  for (const Json& c : r["cores"]) {
    macs += c["macs"].get<int64_t>();
    dram += c["dram_reads_bytes"].get<int64_t>() + c["dram_writes_bytes"].get<int64_t>();
    int64_t causes = 0;
    for (const auto& [k, v] : c["cycle_breakdown"].items()) causes += v.get<int64_t>();
    EXPECT_EQ(causes, r["total"]["cycles"].get<int64_t>()) << "each core's every cycle has a cause";
  }
  EXPECT_EQ(macs, r["total"]["macs"].get<int64_t>());
  EXPECT_EQ(dram,
            r["total"]["dram_reads_bytes"].get<int64_t>() + r["total"]["dram_writes_bytes"].get<int64_t>());
  const Json& noc = r["noc"];
  EXPECT_EQ(noc["topology"], "mesh");
  EXPECT_EQ(noc["links"].size(), 8u);  // 2x2 mesh: 4 links, both directions
  EXPECT_GT(noc["flit_hops"].get<int64_t>(), 0);
  ASSERT_EQ(noc["cores"].size(), 4u);
  int64_t read = 0;
  for (const Json& c : noc["cores"]) {
    EXPECT_GT(c["barriers"].get<int64_t>(), 0);
    read += c["read_bytes"].get<int64_t>();
  }
  EXPECT_EQ(read, r["total"]["dram_reads_bytes"].get<int64_t>()) << "every DRAM read crossed the NoC";
  // Every layer's mapping says how the cores shared it, with each core's range and why.
  int partitioned = 0;
  for (const Json& l : r["layers"]) {
    const std::string type = l["type"];
    if (type != "conv2d" && type != "matmul" && type != "add" && type != "pool" && type != "concat") continue;
    ASSERT_TRUE(l.contains("mapping") && l["mapping"].contains("partition")) << l["name"];
    const Json& part = l["mapping"]["partition"];
    EXPECT_FALSE(part["strategy"].get<std::string>().empty()) << l["name"];
    EXPECT_FALSE(part["reason"].get<std::string>().empty()) << l["name"];
    if (type == "conv2d" || type == "matmul") {
      // "m 0-127 | 128-255 | 256-383 | 384-511": one range (or "none") per core.
      const std::string split = part["split"];
      EXPECT_EQ(std::count(split.begin(), split.end(), '|'), 3) << l["name"] << ": " << split;
      ++partitioned;
    }
  }
  EXPECT_EQ(partitioned, 5);  // conv, conv2, proj, fc_a, fc_b
  // The stats tree has each core's own counters (utilization over its own PEs, at most 1) and
  // the NoC's per link and per router, adding up to the totals.
  const Json& stats = r["stats"];
  int64_t stat_macs = 0;
  for (int c = 0; c < 4; ++c) {
    const Json& array = stats["core" + std::to_string(c)]["array"];
    stat_macs += array["macs"]["value"].get<int64_t>();
    EXPECT_LE(array["utilization"]["value"].get<double>(), 1.0) << "core " << c;
    EXPECT_GT(array["utilization"]["value"].get<double>(), 0.0) << "core " << c;
    EXPECT_TRUE(stats["core" + std::to_string(c)].contains("scratchpad")) << "core " << c;
  }
  EXPECT_EQ(stat_macs, r["total"]["macs"].get<int64_t>());
  int64_t link_flits = 0, router_flits = 0;
  for (const auto& [name, link] : stats["noc"]["link"].items()) {
    link_flits += link["flits"]["value"].get<int64_t>();
    EXPECT_LE(link["utilization"]["value"].get<double>(), 1.0) << name;
  }
  for (const auto& [name, router] : stats["noc"]["router"].items())
    router_flits += router["traversals"]["value"].get<int64_t>();
  EXPECT_EQ(stats["noc"]["link"].size(), 8u);
  EXPECT_EQ(stats["noc"]["router"].size(), 4u);
  EXPECT_EQ(link_flits, noc["flit_hops"].get<int64_t>());
  EXPECT_EQ(router_flits, noc["router_traversals"].get<int64_t>());
  const std::string summary = read_file(dir / "a" / "summary.txt");
  EXPECT_NE(summary.find("cores (each over the whole run):"), std::string::npos);
  EXPECT_NE(summary.find("NoC mesh 2x2"), std::string::npos);
  EXPECT_NE(summary.find(": 4 cores of a 32x32 ws array at 1000 MHz, DRAM simple, mesh 2x2 NoC"),
            std::string::npos)
      << summary;
  // The trace has a process per core (core 0 keeps pid 1), each with its units' slices.
  const Json trace = Json::parse(read_file(dir / "a" / "trace.json"));
  std::map<int, int> slices;
  std::set<std::string> processes;
  for (const Json& e : trace["traceEvents"]) {
    if (e["ph"] == "X") ++slices[e["pid"].get<int>()];
    if (e["ph"] == "M" && e["name"] == "process_name") processes.insert(e["args"]["name"].get<std::string>());
  }
  for (const int pid : {1, 101, 102, 103}) EXPECT_GT(slices[pid], 0) << "pid " << pid;
  // Process 3 has a utilisation counter per busy link (at most 16): the busiest link's samples,
  // held until the next, integrate to its flits.
  std::map<std::string, std::vector<std::pair<double, double>>> links;  // name -> (ts us, %)
  for (const Json& e : trace["traceEvents"]) {
    if (e["ph"] == "C" && e["pid"] == 3)
      links[e["name"].get<std::string>()].emplace_back(e["ts"].get<double>(),
                                                       e["args"]["utilisation"].get<double>());
  }
  ASSERT_FALSE(links.empty());
  // The array-utilisation counter is over every core's PEs: never above 100 %.
  for (const Json& e : trace["traceEvents"]) {
    if (e["ph"] == "C" && e["name"] == "array utilisation %") {
      EXPECT_LE(e["args"]["utilisation"].get<double>(), 100.0 + 1e-9);
    }
  }
  EXPECT_LE(links.size(), 16u);
  int64_t busiest = 0;
  for (const Json& l : noc["links"]) busiest = std::max(busiest, l["flits"].get<int64_t>());
  double best = 0.0;
  const double window_us = 10000.0 / 1000.0;  // power window 10000 core cycles; NoC at 1000 MHz
  for (const auto& [name, samples] : links) {
    EXPECT_EQ(name.rfind("link ", 0), 0u) << name;
    double flits = 0.0;
    for (const auto& [ts, percent] : samples) {
      EXPECT_GE(percent, 0.0);
      EXPECT_LE(percent, 100.0);
      flits += percent / 100.0 * window_us * 1000.0;  // % of the window's NoC cycles
    }
    best = std::max(best, flits);
  }
  EXPECT_NEAR(best, static_cast<double>(busiest), 1e-3 * static_cast<double>(busiest));
  EXPECT_EQ(processes.count("core 3: systole-default-edge-npu"), 1u);
  // units.vcd has a scope per core, each with its own signals that go busy.
  const std::string vcd = read_file(dir / "a" / "units.vcd");
  const char* dma_ids[] = {"!", "%", ")", "-"};  // identifier 4c: core c's dma_busy
  for (int c = 0; c < 4; ++c) {
    EXPECT_NE(vcd.find("$scope module core" + std::to_string(c) + " $end\n$var wire 1 " + dma_ids[c] +
                       " dma_busy $end"),
              std::string::npos)
        << "core " << c;
    EXPECT_NE(vcd.find(std::string("\n1") + dma_ids[c] + "\n"), std::string::npos) << "core " << c;
  }
  // events.csv ends each row with the instruction's core; every core has rows.
  const std::string events = read_file(dir / "a" / "events.csv");
  EXPECT_NE(events.find("dma_bursts,energy_pj,core\n"), std::string::npos);
  for (int c = 0; c < 4; ++c) {
    EXPECT_NE(events.find("," + std::to_string(c) + "\n"), std::string::npos) << "core " << c;
  }
  run_net_report(dir, "b", args + " --trace perfetto,vcd,csv");
  EXPECT_EQ(read_file(dir / "a" / "report.json"), read_file(dir / "b" / "report.json"));
}

// Splits a CSV line at commas.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at = line.find(','); at != std::string::npos; at = line.find(',', start)) {
    out.push_back(line.substr(start, at - start));
    start = at + 1;
  }
  out.push_back(line.substr(start));
  return out;
}

TEST(MulticoreRun, EveryFlitHopIsPricedInTheEnergyAndThePower) {
  const auto dir = fresh_dir("multicore_energy");
  write_file(dir / "net.yaml", kNet);
  // 45nm.yaml: noc.link 0.06 pJ/bit/mm, noc.router 0.1 pJ/bit.
  const Json r = run_net_report(dir, "a",
                                "--set cores.count=4 --set noc.x=2 --set noc.y=2 --set noc.link_mm=2.5 "
                                "--set noc.flit_bytes=16 --set energy.table=45nm");
  ASSERT_TRUE(r.contains("noc"));
  // The instructions' NoC counts add up to the network's own: every flit is someone's.
  const int64_t hops = r["noc"]["flit_hops"].get<int64_t>(),
                traversals = r["noc"]["router_traversals"].get<int64_t>();
  EXPECT_GT(hops, 0);
  EXPECT_EQ(r["total"]["actions"]["noc"]["flit_hops"].get<int64_t>(), hops);
  EXPECT_EQ(r["total"]["actions"]["noc"]["router_traversals"].get<int64_t>(), traversals);
  int64_t layer_hops = 0, core_hops = 0;
  for (const Json& l : r["layers"]) layer_hops += l["actions"]["noc"]["flit_hops"].get<int64_t>();
  for (const Json& c : r["cores"]) core_hops += c["actions"]["noc"]["flit_hops"].get<int64_t>();
  EXPECT_EQ(layer_hops, hops);
  EXPECT_EQ(core_hops, hops);

  const double noc_pj =
      16 * 8 * (static_cast<double>(hops) * 2.5 * 0.06 + static_cast<double>(traversals) * 0.1);
  const Json& by = r["total"]["energy_by_component"];
  ASSERT_TRUE(by.contains("noc"));
  EXPECT_NEAR(by["noc"].get<double>(), noc_pj, 1e-9 * noc_pj);
  double sum = 0.0;
  for (const auto& [name, pj] : by.items()) sum += pj.get<double>();
  EXPECT_NEAR(sum, r["total"]["energy_pj"].get<double>(), 1e-9 * sum);

  // power.csv has a noc_w column whose energy over the windows is the total's.
  const std::string csv = read_file(dir / "a" / "power.csv");
  std::vector<std::string> lines;
  for (size_t start = 0, at; (at = csv.find('\n', start)) != std::string::npos; start = at + 1)
    lines.push_back(csv.substr(start, at - start));
  ASSERT_GE(lines.size(), 2u);
  const std::vector<std::string> header = cells(lines[0]);
  const auto col = std::find(header.begin(), header.end(), "noc_w");
  ASSERT_NE(col, header.end()) << lines[0];
  const auto noc_col = static_cast<size_t>(col - header.begin());
  double windows_pj = 0.0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> row = cells(lines[i]);
    const double us = std::stod(row[3]) - std::stod(row[2]);
    windows_pj += std::stod(row[noc_col]) * us * 1e6;  // W x us = 1e6 pJ
  }
  EXPECT_NEAR(windows_pj, noc_pj, 1e-6 * noc_pj);

  // `systole energy` re-prices it from the report alone, to the same numbers.
  const auto e = run_systole("energy --report " + q(dir / "a") + " --out " + q(dir / "re"), dir);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const Json re = Json::parse(read_file(dir / "re" / "report.json"));
  EXPECT_EQ(re["total"]["energy_by_component"], by);
  EXPECT_EQ(read_file(dir / "re" / "power.csv"), csv);

  // A table without a noc section is refused up front for a multi-core run, naming the table.
  std::string table = read_file(fs::path(SYSTOLE_SOURCE_DIR) / "arch" / "energy" / "45nm.yaml");
  table = table.substr(0, table.find("\nnoc:")) + "\n";
  write_file(dir / "no_noc.yaml", table);
  const auto bad = run_systole("run --workload " + q(dir / "net.yaml") +
                                   " --set cores.count=2 --set energy.table=" + q(dir / "no_noc.yaml") +
                                   " -q -o " + q(dir / "bad"),
                               dir);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("no_noc.yaml"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("no noc section"), std::string::npos) << bad.err;
  // Static power is per core: four cores draw four times energy.static_power_mw.
  const Json st =
      run_net_report(dir, "static", "--set cores.count=4 --set energy.static_power_mw.control=10");
  const double ns =
      st["total"]["cycles"].get<double>() * 1000.0 / st["config"]["core"]["clock_mhz"].get<double>();
  EXPECT_NEAR(st["total"]["energy_static_pj"].get<double>(), 4 * 10 * ns, 1e-9 * 40 * ns);
  EXPECT_NEAR(st["total"]["energy_by_component"]["control"].get<double>(), 4 * 10 * ns, 1e-9 * 40 * ns);
  // A single-core run has no NoC keys at all.
  const Json one = run_net_report(dir, "one", "");
  EXPECT_FALSE(one["total"]["actions"].contains("noc"));
  EXPECT_FALSE(one["total"]["energy_by_component"].contains("noc"));
}

TEST(MulticoreRun, SpatialBandsInsideAnImageFitTheTilingTheCoresShare) {
  // Every core tiles its band as core 0 tiled its own; a band inside the image fetches its whole
  // halo where core 0's, at the padded top edge, fetches one row less. With a tight ifmap
  // scratchpad the shared tiling must leave room for that row (before the fix, 5-7 KiB on 8 or
  // 16 cores overflowed a scratchpad half: an internal error).
  const auto dir = fresh_dir("multicore_halo");
  write_file(dir / "net.yaml", R"(name: halo
dtype: int8
inputs:
  - {name: x, shape: [1, 64, 32, 32]}
layers:
  - {name: conv, type: conv2d, out_channels: 32, kernel: 3, padding: 1}
)");
  for (const char* cores : {"8", "16"}) {
    for (const char* kib : {"5", "6", "7"}) {
      SCOPED_TRACE(std::string(cores) + " cores, " + kib + " KiB");
      const Json r =
          run_net_report(dir, std::string("c") + cores + "k" + kib,
                         std::string("--functional --set compiler.partition=spatial --set cores.count=") +
                             cores + " --set core.scratchpads.ifmap.capacity_kib=" + kib);
      ASSERT_TRUE(r.contains("functional"));
      EXPECT_EQ(r["functional"]["verified"], true);
      EXPECT_EQ(r["layers"][0]["mapping"]["partition"]["strategy"], "spatial");
    }
  }
}

TEST(MulticoreRun, RegisterLevelArraysMatchTheTileModelOnEveryCore) {
  const auto dir = fresh_dir("multicore_rtl");
  write_file(dir / "net.yaml", kNet);
  const std::string args = "--functional --set cores.count=2 --set core.array.rows=8 --set core.array.cols=8";
  const Json tile = run_net_report(dir, "tile", args + " --fidelity tile");
  const Json rtl = run_net_report(dir, "rtl", args + " --fidelity rtl");
  ASSERT_TRUE(tile.contains("cores") && rtl.contains("cores"));
  EXPECT_EQ(rtl["functional"]["verified"], true);
  EXPECT_EQ(rtl["cores"], tile["cores"]) << "every core's cycles, causes and counts";
  EXPECT_EQ(rtl["total"]["cycles"], tile["total"]["cycles"]);
  EXPECT_EQ(rtl["noc"], tile["noc"]);
}

TEST(MulticoreRun, AComputeBoundConvolutionSpeedsUpWithTheCores) {
  const auto dir = fresh_dir("multicore_speedup");
  write_file(dir / "net.yaml", R"(name: big
dtype: int8
inputs:
  - {name: x, shape: [1, 64, 56, 56]}
layers:
  - {name: conv, type: conv2d, out_channels: 256, kernel: 3, padding: 1}
)");
  const std::string ideal = " --set dram.kind=ideal";
  const int64_t one = run_net_report(dir, "one", ideal)["total"]["cycles"].get<int64_t>();
  const int64_t four =
      run_net_report(dir, "four", ideal + " --set cores.count=4")["total"]["cycles"].get<int64_t>();
  EXPECT_LT(four * 3, one) << one << " cycles on one core, " << four << " on four";
  EXPECT_GT(four * 4, one) << "four cores cannot beat a quarter of one core's time";
}

TEST(MulticoreRun, BadMultiCoreConfigsAreUserErrorsNamingTheKey) {
  const auto dir = fresh_dir("multicore_bad");
  write_file(dir / "net.yaml", kNet);
  const auto r = run_systole(
      "run --workload " + q(dir / "net.yaml") + " --set cores.count=20 -q -o " + q(dir / "out"), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cores.count"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("has 16"), std::string::npos) << r.err;
  const auto k =
      run_systole("run --workload " + q(dir / "net.yaml") +
                      " --set cores.count=2 --set compiler.resident_kib=64 -q -o " + q(dir / "out"),
                  dir);
  EXPECT_EQ(k.exit_code, 2);
  EXPECT_NE(k.err.find("compiler.resident_kib"), std::string::npos) << k.err;
}

}  // namespace
}  // namespace systole
