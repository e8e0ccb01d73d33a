// `systole run --functional`: the CLI end to end with real data. Needs the lead's CLI wiring:
//   --functional          -> SimOptions::functional = true, SimOptions::network = &the loaded network
//   --seed N              -> SimOptions::seed
//   --dump-tensors DIR    -> SimOptions::keep_tensors = true, then write_npy(DIR/<layer>.npy, tensor)
//                            for every entry of SimResult::tensors
//   --fidelity tile|rtl   -> core.array.fidelity
// and in report.json per layer (and in "total"): "verified" (JSON true/false, null when not
// checked), "max_abs_error" (number), "first_mismatch" (string).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"
#include "systole/numeric/npy.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

const char* const kWorkload = testing::kSmallWorkload;

void expect_verified(const std::filesystem::path& report_path) {
  const auto report = nlohmann::json::parse(read_file(report_path));
  ASSERT_EQ(report["layers"].size(), 5u);
  for (const auto& l : report["layers"]) {
    if (l["type"] == "reshape") continue;
    EXPECT_EQ(l["verified"], true) << l.dump();  // JSON true, not the string "true"
    EXPECT_EQ(l["max_abs_error"].get<double>(), 0.0) << l.dump();
  }
}

class FunctionalRun : public ::testing::TestWithParam<std::string> {};

TEST_P(FunctionalRun, EveryLayerIsVerified) {
  auto dir = fresh_dir("functional_" + GetParam());
  write_file(dir / "small.yaml", kWorkload);
  auto r = run_systole("run --workload '" + (dir / "small.yaml").string() +
                           "' --functional --seed 3 --fidelity " + GetParam() + " --dump-tensors '" +
                           (dir / "tensors").string() + "' --out '" + (dir / "out").string() + "'",
                       dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_verified(dir / "out" / "report.json");
  const Tensor fc = read_npy((dir / "tensors" / "fc.npy").string());
  EXPECT_EQ(fc.shape, (Shape{1, 10}));
}

INSTANTIATE_TEST_SUITE_P(Fidelities, FunctionalRun, ::testing::Values("tile", "rtl"));

TEST(FunctionalRunErrors, UnsupportedLayerIsRefusedWithExitCode2) {
  // A placeholder (an ONNX node imported with --skip-unsupported) has no values.
  auto dir = fresh_dir("functional_gelu");
  write_file(dir / "gelu.yaml", R"(name: gelu_int8
inputs:
  - {name: x, shape: [1, 4, 8, 8]}
layers:
  - {name: g, type: placeholder, op: Gelu, shape: [1, 4, 8, 8]}
)");
  auto r = run_systole("run --workload '" + (dir / "gelu.yaml").string() + "' --functional --out '" +
                           (dir / "out").string() + "'",
                       dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("gelu.yaml:5: g = 'placeholder'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("a placeholder for the unsupported operator 'Gelu'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "report.json"));
}

TEST(FunctionalRunErrors, ArrayVcdOnlyInRtlFidelityAndForASmallArray) {
  auto dir = fresh_dir("functional_vcd");
  write_file(dir / "small.yaml", kWorkload);
  const std::string base =
      "run --workload '" + (dir / "small.yaml").string() + "' --out '" + (dir / "out").string() + "'";
  // Tile fidelity: the unit busy signals only (units.vcd); there are no PE registers to dump.
  auto tile = run_systole(base + " --trace vcd --quiet", dir);
  EXPECT_EQ(tile.exit_code, 0) << tile.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "units.vcd"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "array.vcd"));
  std::filesystem::remove_all(dir / "out");
  auto big = run_systole(base + " --trace vcd --fidelity rtl", dir);  // default arch: 32x32
  EXPECT_EQ(big.exit_code, 2);
  EXPECT_NE(big.err.find("16x16"), std::string::npos) << big.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "array.vcd.tmp"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "units.vcd.tmp"));
}

TEST(FunctionalRun, VcdOfAnRtlRunHasEveryPeRegister) {
  auto dir = fresh_dir("functional_vcd_ok");
  write_file(dir / "small.yaml", kWorkload);
  auto r = run_systole(
      "run --workload '" + (dir / "small.yaml").string() +
          "' --fidelity rtl --trace vcd --set core.array.rows=4 --set core.array.cols=4 --quiet --out '" +
          (dir / "out").string() + "'",
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string vcd = read_file(dir / "out" / "array.vcd");
  EXPECT_EQ(vcd.rfind("$version", 0), 0u);
  EXPECT_NE(vcd.find("$enddefinitions $end"), std::string::npos);
  for (const char* pe : {"pe_0_0", "pe_3_3"}) EXPECT_NE(vcd.find(pe), std::string::npos) << pe;
  EXPECT_EQ(vcd.find("pe_4_0"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "units.vcd"));
}

TEST(FunctionalRun, Resnet18IsVerifiedLayerByLayer) {
  auto dir = fresh_dir("functional_resnet18");
  auto r =
      run_systole("run --workload resnet18 --functional --quiet --out '" + (dir / "out").string() + "'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir / "out" / "report.json"));
  EXPECT_EQ(report["functional"]["verified"], true);
  EXPECT_EQ(report["total"]["verified"], true);
  int checked = 0;
  for (const auto& l : report["layers"]) {
    ASSERT_TRUE(l["verified"].is_boolean() || l["verified"].is_null()) << l.dump();
    if (l["verified"].is_null()) continue;
    EXPECT_EQ(l["verified"], true) << l.dump();
    ++checked;
  }
  EXPECT_GT(checked, 40);  // 20 convs, relus, adds, pools and the fc
}

TEST(FunctionalRun, UserTensorsFromNpyGiveTheExpectedOutput) {
  // x [2, 2] times W [2, 2] in int8 with an int32 accumulator; the STORE requantises with
  // shift = ceil(ceil(log2 K) / 2) + bits(in) + bits(w) - bits(out) - 1 = 1 + 8 + 8 - 8 - 1 = 8
  // (docs/functional.md), i.e. out = round_half_even(acc / 256):
  //   acc = [[100*100 + 100*100, 100*-128 + 100*127], [-128*100 + 127*100, -128*-128 + 127*127]]
  //       = [[20000, -100], [-100, 32513]]  ->  out = [[78, 0], [0, 127]]
  auto dir = fresh_dir("functional_npy");
  Tensor x(DataType::kInt8, {2, 2}), w(DataType::kInt8, {2, 2});
  const int64_t xv[] = {100, 100, -128, 127}, wv[] = {100, -128, 100, 127};
  for (int i = 0; i < 4; ++i) {
    x.set_int(i, xv[i]);
    w.set_int(i, wv[i]);
  }
  write_npy((dir / "x.npy").string(), x);
  write_npy((dir / "w.npy").string(), w);
  write_file(dir / "net.yaml", R"(name: npy_inputs
inputs:
  - {name: x, shape: [2, 2], npy: x.npy}
layers:
  - {name: fc, type: fc, out_features: 2, weights_npy: w.npy}
)");
  auto r = run_systole("run --workload '" + (dir / "net.yaml").string() + "' --dump-tensors '" +
                           (dir / "t").string() + "' --quiet --out '" + (dir / "out").string() + "'",
                       dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Tensor out = read_npy((dir / "t" / "fc.npy").string());
  ASSERT_EQ(out.shape, (Shape{2, 2}));
  const int64_t expected[] = {78, 0, 0, 127};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out.get_int(i), expected[i]) << "element " << i;
  const auto report = nlohmann::json::parse(read_file(dir / "out" / "report.json"));
  EXPECT_EQ(report["layers"][0]["verified"], true);
}

TEST(FunctionalRunErrors, NpyWithTheWrongShapeIsAUserError) {
  auto dir = fresh_dir("functional_npy_shape");
  write_npy((dir / "x.npy").string(), Tensor(DataType::kInt8, {3, 2}));
  write_file(dir / "net.yaml", R"(name: npy_bad
inputs:
  - {name: x, shape: [2, 2], npy: x.npy}
layers:
  - {name: fc, type: fc, out_features: 2}
)");
  auto r = run_systole("run --workload '" + (dir / "net.yaml").string() + "' --functional --out '" +
                           (dir / "out").string() + "'",
                       dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("x.npy"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "report.json"));
}

}  // namespace
}  // namespace systole
