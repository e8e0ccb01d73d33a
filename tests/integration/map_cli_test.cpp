// `systole map` as a user meets it: the ranked tilings of each GEMM layer, as text and JSON, the
// chosen one first and equal to the mapping `systole run` reports; bad flags exit 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

TEST(MapCli, RanksEachGemmLayerAndAgreesWithTheRun) {
  const auto dir = fresh_dir("map_cli");
  const auto m = run_systole("map -w resnet18 --top 4 --json", dir);
  ASSERT_EQ(m.exit_code, 0) << m.err;
  const auto layers = nlohmann::json::parse(m.out);
  ASSERT_EQ(layers.size(), 21u) << "resnet18: 20 convolutions and the fc layer";
  const auto r = run_systole("run -w resnet18 -q -o " + q(dir / "run"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir / "run" / "report.json"));
  for (const auto& l : layers) {
    ASSERT_LE(l["ranked"].size(), 4u);
    ASSERT_GE(l["ranked"].size(), 1u);
    for (const auto& rl : report["layers"]) {
      if (rl["name"] != l["layer"]) continue;
      const auto& chosen = l["ranked"][0];
      EXPECT_EQ(chosen["tile"]["m"], rl["mapping"]["tile_m"]) << l["layer"];
      EXPECT_EQ(chosen["tile"]["k"], rl["mapping"]["tile_k"]) << l["layer"];
      EXPECT_EQ(chosen["loop_order"], rl["mapping"]["loop_order"]) << l["layer"];
      EXPECT_EQ(chosen["estimated_cost"], rl["mapping"]["estimated_cost"]) << l["layer"];
      if (l["ranked"].size() > 1) {
        EXPECT_EQ(l["ranked"][1], rl["mapping"]["runner_up"]) << l["layer"];
      }
    }
  }
}

TEST(MapCli, TextMarksTheChosenTiling) {
  const auto dir = fresh_dir("map_cli_text");
  const auto m = run_systole("map -w resnet18 --layer fc --top 2", dir);
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.out.find("fc (matmul): gemm m=1 n=1000 k=512, ws on 32x32"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("<- chosen"), std::string::npos) << m.out;
}

TEST(MapCli, AMappingFileDrivesRunValidateAndMap) {
  const auto dir = fresh_dir("map_cli_file");
  write_file(dir / "m.yaml", "layers:\n  fc: {tile: [1, 250, 512], loop_order: \"n,m,k\"}\n");
  const auto r =
      run_systole("run -w resnet18 -q --mapping " + q(dir / "m.yaml") + " -o " + q(dir / "run"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir / "run" / "report.json"));
  EXPECT_EQ(report["inputs"]["mapping"]["path"], (dir / "m.yaml").string())
      << "the input is recorded, with its hash";
  EXPECT_EQ(report["inputs"]["mapping"]["sha256"].get<std::string>().size(), 64u);
  for (const auto& l : report["layers"]) {
    if (l["name"] != "fc") continue;
    EXPECT_EQ(l["mapping"]["tile_n"], 250);
    EXPECT_EQ(l["mapping"]["loop_order"], "n,m,k");
  }
  const auto m = run_systole("map -w resnet18 --layer fc --json --mapping " + q(dir / "m.yaml"), dir);
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(nlohmann::json::parse(m.out)[0]["ranked"][0]["tile"]["n"], 250);

  write_file(dir / "bad.yaml", "layers:\n  fc: {tile: [1, 250, 512]}\n  fc_typo: {tile: [1, 1, 1]}\n");
  const auto v = run_systole("validate -w resnet18 --mapping " + q(dir / "bad.yaml"), dir);
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_NE(v.err.find("bad.yaml:3: layers.fc_typo"), std::string::npos) << v.err;
  const auto empty = run_systole("run -w resnet18 -q --mapping '' -o " + q(dir / "x"), dir);
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
}

TEST(MapCli, TilesThatAreNoMultipleOfTheArrayComputeRightInBothFidelities) {
  // The search only tries multiples of the array; a user's tile may be any size.
  const auto dir = fresh_dir("map_cli_odd");
  write_file(dir / "small.yaml", testing::kSmallWorkload);
  const std::string first_gemm = "conv1";  // kSmallWorkload's first layer: a 3x3 convolution
  write_file(dir / "odd.yaml", "layers:\n  " + first_gemm + ": {tile: [7, 3, 5], loop_order: \"n,m,k\"}\n");
  int64_t cycles[2] = {0, 0};
  int i = 0;
  for (const char* fidelity : {"tile", "rtl"}) {
    const auto r = run_systole("run -w " + q(dir / "small.yaml") + " --mapping " + q(dir / "odd.yaml") +
                                   " --functional --fidelity " + fidelity + " -q -o " + q(dir / fidelity),
                               dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto report = nlohmann::json::parse(read_file(dir / fidelity / "report.json"));
    EXPECT_EQ(report["functional"]["verified"], true) << fidelity;
    cycles[i++] = report["total"]["cycles"].get<int64_t>();
  }
  EXPECT_EQ(cycles[0], cycles[1]) << "rtl and tile agree on odd tiles";
}

TEST(MapCli, BadFlagsExitTwo) {
  const auto dir = fresh_dir("map_cli_bad");
  for (const char* args : {"map -w resnet18 --top 0", "map -w resnet18 --top 6",
                           "map -w resnet18 --layer nope", "map --top 2"}) {
    const auto r = run_systole(args, dir);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << args;
  }
}

}  // namespace
}  // namespace systole
