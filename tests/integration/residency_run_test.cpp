// Activation residency as a user meets it: ResNet-50 on the TPU v1 preset moves little more than
// its weights, input and output through DRAM; a residual network with a concatenation runs with
// real data through the on-chip store and verifies every layer; off reproduces the old traffic.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

int64_t dram_bytes(const Json& s) {
  return s["dram_reads_bytes"].get<int64_t>() + s["dram_writes_bytes"].get<int64_t>();
}

Json run_report(const fs::path& dir, const std::string& name, const std::string& args) {
  const auto r = run_systole("run " + args + " -q -o " + q(dir / name), dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return Json();
  return Json::parse(read_file(dir / name / "report.json"));
}

TEST(ResidencyRun, ResNet50OnTpuV1MovesWithinOnePointTwoOfWeightsInputAndOutput) {
  auto dir = fresh_dir("residency_tpu_r50");
  const auto c =
      run_systole("compile --arch tpu_v1 --workload resnet50 --set compiler.residency=auto --json", dir);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const Json program = Json::parse(c.out);
  // weights + the network input + its output (the last layer's tensor).
  int64_t floor = 0;
  for (const Json& t : program["tensors"]) {
    const std::string name = t["name"];
    if (name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0)
      floor += t["bytes"].get<int64_t>();
  }
  floor += program["tensors"][0]["bytes"].get<int64_t>();  // the input is placed first
  const std::string last = program["layers"].back()["name"];
  for (const Json& t : program["tensors"]) {
    if (t["name"] == last) floor += t["bytes"].get<int64_t>();
  }
  EXPECT_EQ(program["residency"]["mode"], "auto");
  EXPECT_GT(program["residency"]["resident_tensors"].get<int64_t>(), 50);

  const Json on = run_report(dir, "auto", "--arch tpu_v1 --workload resnet50 --set compiler.residency=auto");
  const Json off = run_report(dir, "off", "--arch tpu_v1 --workload resnet50 --set compiler.residency=off");
  ASSERT_FALSE(on.is_null());
  ASSERT_FALSE(off.is_null());
  const int64_t moved = dram_bytes(on["total"]);
  EXPECT_GE(moved, floor);
  EXPECT_LE(static_cast<double>(moved), 1.2 * static_cast<double>(floor)) << moved << " vs " << floor;
  EXPECT_GT(dram_bytes(off["total"]), 2 * moved);  // every activation through DRAM, twice
  EXPECT_GT(on["total"]["on_chip_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(off["total"]["on_chip_bytes"].get<int64_t>(), 0);
  EXPECT_LT(on["total"]["cycles"].get<int64_t>(), off["total"]["cycles"].get<int64_t>());
  EXPECT_LT(on["total"]["energy_pj"].get<double>(), off["total"]["energy_pj"].get<double>());
  EXPECT_EQ(on["total"]["macs"], off["total"]["macs"]);
  // The stat tree and the report agree on the on-chip traffic.
  EXPECT_EQ(on["stats"]["core0"]["dma"]["on_chip_bytes"]["value"], on["total"]["on_chip_bytes"]);
}

// A residual block with a concatenation and a pooling; every intermediate tensor fits the store.
constexpr const char* kResidual = R"(name: residual_concat
dtype: int8
inputs:
  - {name: x, shape: [1, 16, 12, 12]}
layers:
  - {name: stem, type: conv2d, out_channels: 16, kernel: 3, padding: 1}
  - {name: stem_relu, type: relu}
  - {name: body, type: conv2d, out_channels: 16, kernel: 3, padding: 1}
  - {name: skip, type: add, inputs: [body, stem_relu]}
  - {name: side, type: conv2d, input: stem_relu, out_channels: 8, kernel: 1}
  - {name: cat, type: concat, inputs: [skip, side], axis: 1}
  - {name: pool, type: pool, mode: max, kernel: 2, stride: 2}
  - {name: head, type: conv2d, out_channels: 8, kernel: 1}
)";

TEST(ResidencyRun, AResidualNetworkVerifiesWithRealDataThroughTheStore) {
  auto dir = fresh_dir("residency_functional");
  write_file(dir / "net.yaml", kResidual);
  for (const std::string arch : {"tpu_v1", "default"}) {
    const Json r = run_report(dir, arch,
                              "--arch " + arch + " --workload " + q(dir / "net.yaml") +
                                  " --functional --set compiler.residency=auto");
    ASSERT_FALSE(r.is_null());
    EXPECT_EQ(r["functional"]["verified"], true) << arch;
    EXPECT_GE(r["residency"]["resident_tensors"].get<int64_t>(), 6) << arch;
    for (const Json& l : r["layers"]) {
      const std::string where = l["mapping"]["residency"];
      if (l["name"] == "head") {
        EXPECT_EQ(where, "DRAM: a network output (no layer reads it)");
      } else {
        EXPECT_NE(where.find("on chip"), std::string::npos) << arch << " " << l["name"] << ": " << where;
      }
    }
    // Only the input, the weights and the output touch DRAM. Written: head's output, 8 x 6 x 6
    // int8 = 288 B. Read: at least the input, 16 x 12 x 12 = 2304 B, and the weights, stem and body
    // 16 x 16 x 9 = 2304 B each, side 8 x 16 = 128 B, head 8 x 24 = 192 B: 7232 B.
    EXPECT_EQ(r["total"]["dram_writes_bytes"].get<int64_t>(), 288) << arch;
    EXPECT_GE(r["total"]["dram_reads_bytes"].get<int64_t>(), 2304 + 2304 + 2304 + 128 + 192) << arch;
  }
}

TEST(ResidencyRun, AFixedStoreTooLargeForTheTilesNamesBothKeys) {
  auto dir = fresh_dir("residency_too_large");
  // A softmax row of 2048 B fits half of 8 KiB, not half of the 1 KiB a 7 KiB store leaves.
  write_file(dir / "net.yaml", R"(name: rows
dtype: int8
inputs:
  - {name: x, shape: [1, 4, 2048]}
layers:
  - {name: sm, type: softmax}
)");
  const auto r = run_systole("run --workload " + q(dir / "net.yaml") +
                                 " --set core.scratchpads.ifmap.capacity_kib=8 --set compiler.residency=auto "
                                 "--set compiler.resident_kib=7 -q -o " +
                                 q(dir / "out"),
                             dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("core.scratchpads.ifmap.capacity_kib"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("compiler.resident_kib = 7"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out" / "report.json"));
}

}  // namespace
}  // namespace systole
