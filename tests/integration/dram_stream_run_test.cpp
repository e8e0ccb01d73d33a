// The DRAM streaming shortcut (hw/dram/dram_stream.h) changes no result: whole runs give the same
// report.json byte for byte with it and with every burst through the per-request interface
// (`--dram-per-request`): one core and several sharing the DRAM, with and without a NoC, decoder
// steps and CNNs, and with a trace whose observer takes no bursts.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/process.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;

void expect_same_report(const std::string& name, const std::string& args) {
  const auto dir = fresh_dir("dram_stream_" + name);
  const auto streamed = run_systole("run -q " + args + " --out " + q(dir / "streamed"), dir);
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  const auto per_request =
      run_systole("run -q --dram-per-request " + args + " --out " + q(dir / "per_request"), dir);
  ASSERT_EQ(per_request.exit_code, 0) << per_request.err;
  const std::string a = read_file(dir / "streamed" / "report.json"),
                    b = read_file(dir / "per_request" / "report.json");
  EXPECT_GT(a.size(), 1000u);
  EXPECT_TRUE(a == b) << name << ": the reports differ";
  EXPECT_EQ(read_file(dir / "streamed" / "power.csv"), read_file(dir / "per_request" / "power.csv"));
}

TEST(DramStreamRun, ADecodeStepIsTheSameReport) {
  expect_same_report("decode", "--workload gpt2_small --context 64 --batch 3");
}

TEST(DramStreamRun, ACnnWithOddRowsIsTheSameReport) {
  expect_same_report("cnn",
                     "--workload resnet50_conv2x --set dram.latency_ns=37.5 --set dram.bandwidth_gbps=12.3");
}

TEST(DramStreamRun, CoresSharingTheDramAreTheSameReport) {
  expect_same_report("cores", "--workload resnet50_conv2x --set cores.count=2");
  expect_same_report("noc", "--workload resnet50_conv2x --set cores.count=4 --set noc.x=2 --set noc.y=2");
}

// A functional run moves data with every burst, so it never streams; a trace whose observer takes
// no bursts (csv) still streams.
TEST(DramStreamRun, ATracedRunIsTheSameReport) {
  expect_same_report("traced", "--workload resnet50_conv2x --trace csv");
}

}  // namespace
}  // namespace systole
