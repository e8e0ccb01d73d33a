// `systole run --trace dramsim3,ramulator2`: every DRAM request of the run, once, in submission
// order, in the two simulators' trace formats; the counts and bytes equal report.json's.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::read_file;
using testing::run_systole;

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(DramRequestTrace, EveryRequestOnceInBothFormats) {
  const auto dir = fresh_dir("dram_request_trace");
  const auto r =
      run_systole("run --workload workloads/resnet50_conv2x.yaml -q --out '" + (dir / "out").string() +
                      "' --trace dramsim3,ramulator2 --set dram.kind=cycle --set dram.preset=ddr4-3200",
                  dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir / "out" / "report.json"));
  const auto& dram = report["memory"]["dram"];
  const auto d3 = lines_of(dir / "out" / "dram_requests.dramsim3.trace");
  const auto r2 = lines_of(dir / "out" / "dram_requests.ramulator2.trace");
  ASSERT_EQ(static_cast<int64_t>(d3.size()), dram["reads"].get<int64_t>() + dram["writes"].get<int64_t>());
  ASSERT_EQ(d3.size(), r2.size());
  int64_t reads = 0, last_cycle = -1;
  // Core clock 1 GHz, DDR4-3200 command clock 1.6 GHz: the run lasts cycles x 1.6 DRAM clocks.
  const double run_dram_clocks = report["total"]["cycles"].get<double>() * 1.6;
  for (size_t i = 0; i < d3.size(); ++i) {
    std::istringstream a(d3[i]), b(r2[i]);
    std::string addr, type, op, addr2, extra;
    int64_t cycle = -1;
    ASSERT_TRUE(static_cast<bool>(a >> addr >> type >> cycle)) << d3[i];
    ASSERT_FALSE(static_cast<bool>(a >> extra)) << d3[i];
    ASSERT_TRUE(static_cast<bool>(b >> op >> addr2)) << r2[i];
    ASSERT_EQ(addr.rfind("0x", 0), 0u) << d3[i];
    EXPECT_EQ(addr, addr2) << "line " << i;
    EXPECT_TRUE((type == "READ" && op == "LD") || (type == "WRITE" && op == "ST")) << d3[i] << " / " << r2[i];
    reads += type == "READ" ? 1 : 0;
    EXPECT_GE(cycle, last_cycle) << "line " << i << ": submission order";
    last_cycle = cycle;
  }
  EXPECT_EQ(reads, dram["reads"].get<int64_t>());
  EXPECT_LE(static_cast<double>(last_cycle), run_dram_clocks);
  EXPECT_GT(last_cycle, 0);
}

TEST(DramRequestTrace, AnUnknownFormatNamesTheNewOnes) {
  const auto dir = fresh_dir("dram_request_trace_bad");
  const auto r = run_systole("run --workload workloads/resnet50_conv2x.yaml -q --out '" +
                                 (dir / "out").string() + "' --trace dramsim2",
                             dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown trace format 'dramsim2'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dramsim3, ramulator2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace systole
