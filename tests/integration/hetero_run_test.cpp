// Heterogeneous multi-core NPUs as a user runs them (docs/multicore.md "Heterogeneous cores"):
// per-core overrides of the array, its dataflow and the scratchpads compute bit-exactly what one
// core computes under every strategy, the shares follow each core's size, utilization is over
// each core's own PEs, each class's scratchpads are priced at their own size, and runs repeat
// byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
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

// conv (batch 2, fused relu) -> residual add -> maxpool -> 1x1 conv -> fc.
std::string net(const std::string& dtype) {
  return "name: het\ndtype: " + dtype +
         "\n"
         "inputs:\n"
         "  - {name: x, shape: [2, 8, 16, 16]}\n"
         "layers:\n"
         "  - {name: conv, type: conv2d, out_channels: 40, kernel: 3, padding: 1}\n"
         "  - {name: relu, type: relu}\n"
         "  - {name: conv2, type: conv2d, out_channels: 40, kernel: 3, padding: 1}\n"
         "  - {name: res, type: add, inputs: [conv2, relu]}\n"
         "  - {name: pool, type: pool, mode: max, kernel: 2, stride: 2}\n"
         "  - {name: proj, type: conv2d, out_channels: 24, kernel: 1}\n"
         "  - {name: flat, type: reshape, shape: [2, 1536]}\n"
         "  - {name: fc, type: fc, out_features: 40}\n";
}

// Cores 0-1: 8x8 weight-stationary; core 2: 4x4; core 3: 4x4 output-stationary with a smaller
// ifmap scratchpad.
const char* kHetero =
    " --set cores.count=4 --set core.array.rows=8 --set core.array.cols=8"
    " --set cores.2-3.array.rows=4 --set cores.2-3.array.cols=4 --set cores.3.array.dataflow=os"
    " --set cores.3.scratchpads.ifmap.capacity_kib=32";

TEST(HeteroRun, EveryStrategyIsBitExactForIntegerAndFloatData) {
  for (const char* dtype : {"int8", "fp16"}) {
    const auto dir = fresh_dir(std::string("hetero_functional_") + dtype);
    write_file(dir / "net.yaml", net(dtype));
    const std::string types = std::string(dtype) == "fp16"
                                  ? " --set core.array.input_type=fp16 --set core.array.weight_type=fp16 "
                                    "--set core.array.accumulator_type=fp32"
                                  : "";
    for (const char* strategy : {"auto", "output_channels", "spatial", "batch"}) {
      SCOPED_TRACE(std::string(dtype) + ", " + strategy);
      const Json r = run_net_report(
          dir, strategy,
          std::string("--functional") + kHetero + types + " --set compiler.partition=" + strategy);
      ASSERT_TRUE(r.contains("functional"));
      EXPECT_EQ(r["functional"]["verified"], true);
      for (const Json& l : r["layers"]) EXPECT_NE(l.value("verified", Json()), false) << l["name"];
    }
  }
}

// "a-b" -> b - a + 1 elements; "none" -> 0.
int64_t share_size(const std::string& range) {
  if (range == "none") return 0;
  const auto dash = range.find('-');
  return std::stoll(range.substr(dash + 1)) - std::stoll(range.substr(0, dash)) + 1;
}

// The shares of a layer's split ("n 0-15 | 16-31 | none | 32-39"), per core.
std::vector<int64_t> share_sizes(const std::string& split) {
  std::vector<int64_t> out;
  size_t at = split.find(' ') + 1;
  while (at <= split.size()) {
    const size_t bar = split.find(" | ", at);
    out.push_back(share_size(split.substr(at, bar == std::string::npos ? std::string::npos : bar - at)));
    if (bar == std::string::npos) break;
    at = bar + 3;
  }
  return out;
}

TEST(HeteroRun, SharesFollowEachCoresSpeedAndUtilizationIsOverItsOwnPes) {
  const auto dir = fresh_dir("hetero_report");
  write_file(dir / "net.yaml", net("int8"));
  const Json r = run_net_report(dir, "a", std::string(kHetero) + " --set compiler.partition=output_channels");
  ASSERT_FALSE(r.is_null());
  // A conv: the big cores get the most, and the record says how each class was weighed and tiled.
  const Json& conv = r["layers"][0]["mapping"]["partition"];
  const std::string reason = conv["reason"];
  EXPECT_NE(reason.find("in proportion to each core's estimated speed on this layer"), std::string::npos)
      << reason;
  EXPECT_NE(reason.find("core 2 (4x4 ws): "), std::string::npos) << reason;
  EXPECT_NE(reason.find("core 3 (4x4 os): "), std::string::npos) << reason;
  const std::vector<int64_t> conv_shares = share_sizes(conv["split"]);
  ASSERT_EQ(conv_shares.size(), 4U) << conv["split"];
  EXPECT_EQ(conv_shares[0] + conv_shares[1] + conv_shares[2] + conv_shares[3], 40);
  for (int small : {2, 3}) {
    for (int big : {0, 1}) EXPECT_GE(conv_shares[big], conv_shares[small]) << conv["split"];
  }
  // Each core's PEs and utilization over them.
  const Json& stats = r["stats"];
  EXPECT_EQ(stats["core0"]["array"]["pes"]["value"], 64);
  EXPECT_EQ(stats["core3"]["array"]["pes"]["value"], 16);
  const double cycles = r["total"]["cycles"].get<double>();
  for (const Json& c : r["cores"]) {
    const double pes = c["name"] == "core2" || c["name"] == "core3" ? 16.0 : 64.0;
    EXPECT_NEAR(c["utilization"].get<double>(), c["macs"].get<double>() / (cycles * pes), 1e-9) << c["name"];
  }
  EXPECT_NEAR(r["total"]["utilization"].get<double>(), r["total"]["macs"].get<double>() / (cycles * 160.0),
              1e-9);
  // The summary names each class of cores.
  const std::string summary = read_file(dir / "a" / "summary.txt");
  EXPECT_EQ(summary.substr(0, summary.find('\n'))
                .find("4 cores (cores 0-1: 8x8 ws; core 2: 4x4 ws; core 3: 4x4 os)"),
            summary.find(':') + 2)
      << summary.substr(0, summary.find('\n'));
}

TEST(HeteroRun, ADramBoundLayerGivesSmallCoresMoreThanTheirPes) {
  // An fc of batch 1 streams its weights: a 4x4 core is nearly as fast as an 8x8 one, so its
  // share is well above what its PEs would give it (128 blocks of 8 columns by PEs 64:64:16:16:
  // 51, 51, 13, 13 blocks, 104 columns beside a big core's 408, less than a third).
  const auto dir = fresh_dir("hetero_fc");
  write_file(dir / "net.yaml",
             "name: fc\ndtype: int8\ninputs:\n  - {name: x, shape: [1, 1024]}\n"
             "layers:\n  - {name: fc, type: fc, out_features: 1024}\n");
  const Json r = run_net_report(dir, "a", kHetero);
  ASSERT_FALSE(r.is_null());
  const std::vector<int64_t> shares = share_sizes(r["layers"][0]["mapping"]["partition"]["split"]);
  ASSERT_EQ(shares.size(), 4U);
  EXPECT_GT(shares[2], shares[0] / 3) << r["layers"][0]["mapping"]["partition"]["split"];
}

TEST(HeteroRun, EachClassPricesItsOwnScratchpadsAndRePricingRepeatsTheRun) {
  const auto dir = fresh_dir("hetero_energy");
  write_file(dir / "net.yaml", net("int8"));
  // Every trace prices each instruction with its core's scratchpads.
  const Json r = run_net_report(dir, "a", std::string(kHetero) + " --trace perfetto,csv,vcd");
  ASSERT_FALSE(r.is_null());
  for (const char* f : {"trace.json", "events.csv", "units.vcd"}) EXPECT_TRUE(fs::exists(dir / "a" / f)) << f;
  const Json& classes = r["total"]["actions"]["core_classes"];
  ASSERT_EQ(classes.size(), 2U);
  EXPECT_EQ(classes[0]["cores"], "core 2");
  EXPECT_EQ(classes[1]["cores"], "core 3");
  // Core 3's accesses are its own: its ifmap reads are no more than the NPU's.
  EXPECT_LE(classes[1]["scratchpads"]["ifmap"]["read_accesses"].get<int64_t>(),
            r["total"]["actions"]["scratchpads"]["ifmap"]["read_accesses"].get<int64_t>());
  EXPECT_GT(classes[1]["scratchpads"]["ifmap"]["read_accesses"].get<int64_t>(), 0);
  const Json& by = r["total"]["energy_by_component"];
  EXPECT_TRUE(by.contains("scratchpad.ifmap@core_3")) << by.dump();
  EXPECT_TRUE(by.contains("scratchpad.ifmap@core_2")) << by.dump();
  // Each class at its own macros (16 banks of 4-byte words; the 7 nm table: 7.5 pJ at 8 KiB, 8.5 pJ
  // at 32 KiB per 64-bit access, read = write, log-interpolated, clamped below 8 KiB): core 3's
  // 32 KiB ifmap has 2 KiB macros, 7.5 x 4/8 = 3.75 pJ an access; the others' 256 KiB, 16 KiB
  // macros, sqrt(7.5 x 8.5) x 4/8 pJ.
  auto accesses = [](const Json& spm) {
    return spm["ifmap"]["read_accesses"].get<double>() + spm["ifmap"]["write_accesses"].get<double>();
  };
  const double all = accesses(r["total"]["actions"]["scratchpads"]);
  const double core2 = accesses(classes[0]["scratchpads"]), core3 = accesses(classes[1]["scratchpads"]);
  const double big = std::sqrt(7.5 * 8.5) * 0.5;
  EXPECT_NEAR(by["scratchpad.ifmap@core_3"].get<double>() / core3, 3.75, 1e-9);
  EXPECT_NEAR(by["scratchpad.ifmap@core_2"].get<double>() / core2, big, 1e-9);
  EXPECT_NEAR(by["scratchpad.ifmap"].get<double>() / (all - core2 - core3), big, 1e-9);
  const std::string csv = read_file(dir / "a" / "power.csv");
  EXPECT_NE(csv.substr(0, csv.find('\n')).find("scratchpad.ifmap@core_3_w"), std::string::npos);
  // systole energy re-prices the run byte for byte.
  const auto e = run_systole("energy --report " + q(dir / "a") + " -o " + q(dir / "e"), dir);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(read_file(dir / "e" / "report.json"), read_file(dir / "a" / "report.json"));
  EXPECT_EQ(read_file(dir / "e" / "power.csv"), csv);
  // The same run again: the same bytes.
  run_net_report(dir, "b", std::string(kHetero) + " --trace perfetto,csv,vcd");
  for (const char* f : {"report.json", "trace.json", "events.csv", "units.vcd"})
    EXPECT_EQ(read_file(dir / "b" / f), read_file(dir / "a" / f)) << f;
}

}  // namespace
}  // namespace systole
