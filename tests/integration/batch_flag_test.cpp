// `--batch N` as a user gives it (docs/workload-format.md "Batch"): the run is the workload on N images,
// report.json records it, compile and validate take it too, and a bad value or a workload that
// cannot take another batch exits 2 without writing a report.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"
#include "systole/numeric/npy.h"

namespace systole {
namespace {

using Json = nlohmann::json;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

TEST(BatchFlag, RunsTheWorkloadOnNImagesAndRecordsIt) {
  const auto dir = fresh_dir("batch_flag_run");
  auto one = run_systole("run -w resnet18 -q -o " + q(dir / "one"), dir);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  auto three = run_systole("run -w resnet18 --batch 3 -q -o " + q(dir / "three"), dir);
  ASSERT_EQ(three.exit_code, 0) << three.err;
  const Json a = Json::parse(read_file(dir / "one" / "report.json"));
  const Json b = Json::parse(read_file(dir / "three" / "report.json"));
  EXPECT_FALSE(a["inputs"].contains("batch"));
  EXPECT_EQ(b["inputs"]["batch"], 3);
  EXPECT_EQ(b["total"]["inferences"], 3);
  EXPECT_EQ(b["total"]["macs"].get<int64_t>(), 3 * a["total"]["macs"].get<int64_t>());
  const auto compiled = run_systole("compile -w resnet18 --batch 2", dir);
  EXPECT_EQ(compiled.exit_code, 0) << compiled.err;
  EXPECT_NE(compiled.out.find("# tensor image dram=0x0 bytes=301056\n"), std::string::npos)
      << compiled.out.substr(0, 400);  // 2 x 3 x 224 x 224 int8
  const auto mapped = run_systole("map -w resnet18 --batch 2 --layer conv1", dir);
  EXPECT_EQ(mapped.exit_code, 0) << mapped.err;
  EXPECT_NE(mapped.out.find("gemm m=25088 "), std::string::npos) << mapped.out;  // 2 x 112 x 112 pixels
  const auto validated = run_systole("validate -w bert_base_encoder --batch 2", dir);
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  EXPECT_NE(validated.out.find(std::to_string(2 * int64_t{931135488}) + " MACs"), std::string::npos)
      << validated.out;
}

TEST(BatchFlag, ABadValueOrAWorkloadThatCannotTakeItExitsTwo) {
  const auto dir = fresh_dir("batch_flag_bad");
  for (const char* bad : {"0", "-2", "1.5", "x", "65537"}) {
    const auto r =
        run_systole(std::string("run -w alexnet -q --batch ") + bad + " -o " + q(dir / "out"), dir);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--batch"), std::string::npos) << r.err;
  }
  write_file(dir / "fixed.yaml", R"(name: fixed
dtype: int8
inputs:
  - {name: x, shape: [1, 4, 4, 4]}
layers:
  - {name: flat, type: reshape, shape: [1, 64]}
  - {name: fc, type: fc, out_features: 8}
)");
  const auto r =
      run_systole("run --workload " + q(dir / "fixed.yaml") + " --batch 2 -q -o " + q(dir / "out"), dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fixed.yaml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("flat"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "report.json"));
  // An input whose data comes from a .npy of the workload's batch is not silently replaced by
  // random data of the new one: the functional run names the file and both shapes.
  write_npy((dir / "x.npy").string(), Tensor(DataType::kInt8, {1, 4, 4, 4}));
  write_file(dir / "npy.yaml", R"(name: npy
dtype: int8
inputs:
  - {name: x, shape: [1, 4, 4, 4], npy: x.npy}
layers:
  - {name: conv, type: conv2d, out_channels: 4, kernel: 3, padding: 1}
)");
  const auto n = run_systole(
      "run --workload " + q(dir / "npy.yaml") + " --batch 2 --functional -q -o " + q(dir / "out3"), dir);
  EXPECT_EQ(n.exit_code, 2) << n.err;
  EXPECT_NE(n.err.find("x.npy: shape [1, 4, 4, 4] but input 'x' is [2, 4, 4, 4]"), std::string::npos)
      << n.err;
}

}  // namespace
}  // namespace systole
