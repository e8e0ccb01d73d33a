// `systole map` as a user meets it: the ranked tilings of each GEMM layer, as text and JSON, the
// chosen one first and equal to the mapping `systole run` reports; bad flags exit 2.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

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

TEST(MapCli, TheObjectiveDecidesTheRankingAndTheRecordSaysWhich) {
  const auto dir = fresh_dir("map_cli_objective");
  for (const char* objective : {"cycles", "energy", "edp"}) {
    const auto m = run_systole(std::string("map -w resnet18 --top 5 --json --objective ") + objective, dir);
    ASSERT_EQ(m.exit_code, 0) << m.err;
    for (const auto& l : nlohmann::json::parse(m.out)) {
      EXPECT_EQ(l["objective"], objective);
      EXPECT_EQ(l["mapper"], "heuristic");
      double previous = -1;
      for (const auto& t : l["ranked"]) {
        const double cost = t["estimated_cost"].get<double>(),
                     energy = t["estimated_energy_pj"].get<double>();
        ASSERT_GT(energy, 0) << l["layer"];
        const double expected = std::string(objective) == "cycles"   ? cost
                                : std::string(objective) == "energy" ? energy
                                                                     : energy * cost;
        EXPECT_DOUBLE_EQ(t["score"].get<double>(), expected) << objective << " " << l["layer"];
        EXPECT_GE(t["score"].get<double>(), previous) << "ranked by score, best first: " << l["layer"];
        previous = t["score"].get<double>();
      }
    }
  }
  // The run's mapping record says which objective chose the tiling and shows the runner-up's score.
  const auto r = run_systole("run -w resnet18 -q --set compiler.objective=edp -o " + q(dir / "run"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir / "run" / "report.json"));
  EXPECT_EQ(report["config"]["compiler"]["objective"], "edp");
  const auto& conv1 = report["layers"][0]["mapping"];
  EXPECT_EQ(conv1["objective"], "edp");
  EXPECT_EQ(conv1["mapper"], "heuristic");
  EXPECT_LE(conv1["score"].get<double>(), conv1["runner_up"]["score"].get<double>());
}

TEST(MapCli, TheExhaustiveMapperIsNeverWorseThanTheHeuristic) {
  const auto dir = fresh_dir("map_cli_exhaustive");
  const auto h = run_systole("map -w resnet18 --top 1 --json", dir);
  ASSERT_EQ(h.exit_code, 0) << h.err;
  const auto x = run_systole("map -w resnet18 --top 1 --json --mapper exhaustive", dir);
  ASSERT_EQ(x.exit_code, 0) << x.err;
  const auto hl = nlohmann::json::parse(h.out), xl = nlohmann::json::parse(x.out);
  ASSERT_EQ(hl.size(), xl.size());
  for (size_t i = 0; i < hl.size(); ++i) {
    EXPECT_EQ(xl[i]["mapper"], "exhaustive");
    EXPECT_LE(xl[i]["ranked"][0]["estimated_cost"], hl[i]["ranked"][0]["estimated_cost"]) << hl[i]["layer"];
  }
}

TEST(MapCli, SimulateRunsEachListedTilingAndCleansUp) {
  const auto dir = fresh_dir("map_cli_simulate");
  write_file(dir / "small.yaml", testing::kSmallWorkload);
  // The children's temporary files go under TMPDIR: a fresh one, which must be empty afterwards.
  const auto tmp = dir / "tmp";
  std::filesystem::create_directories(tmp);
  const char* old_tmp = std::getenv("TMPDIR");
  const std::string saved = old_tmp ? old_tmp : "";
  ::setenv("TMPDIR", tmp.c_str(), 1);
  const auto m = run_systole("map -w " + q(dir / "small.yaml") + " --top 2 --simulate --json", dir);
  const auto text = run_systole("map -w " + q(dir / "small.yaml") + " --layer conv2 --top 2 --simulate", dir);
  if (old_tmp) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  ASSERT_EQ(m.exit_code, 0) << m.err;
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(std::filesystem::is_empty(tmp)) << "the temporary directory is removed";
  EXPECT_NE(text.out.find("sim cycles"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("ratio"), std::string::npos) << text.out;

  // Rank 1 is the tiling a plain run chooses: its simulated cycles and energy are that run's.
  const auto r = run_systole("run -w " + q(dir / "small.yaml") + " -q -o " + q(dir / "run"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir / "run" / "report.json"));
  const auto layers = nlohmann::json::parse(m.out);
  ASSERT_EQ(layers.size(), 3u) << "conv1, conv2, fc";
  for (const auto& l : layers) {
    ASSERT_EQ(l["ranked"].size(), 2u) << l["layer"];
    for (const auto& t : l["ranked"]) {
      ASSERT_TRUE(t.contains("simulated")) << l["layer"];
      EXPECT_GT(t["simulated"]["cycles"].get<int64_t>(), 0);
      EXPECT_GT(t["simulated"]["energy_pj"].get<double>(), 0);
      EXPECT_DOUBLE_EQ(t["simulated"]["cycles_ratio"].get<double>(),
                       t["simulated"]["cycles"].get<double>() / t["estimated_cost"].get<double>());
    }
    for (const auto& rl : report["layers"]) {
      if (rl["name"] != l["layer"]) continue;
      EXPECT_EQ(l["ranked"][0]["simulated"]["cycles"], rl["cycles"]) << l["layer"];
      EXPECT_DOUBLE_EQ(l["ranked"][0]["simulated"]["energy_pj"].get<double>(), rl["energy_pj"].get<double>())
          << l["layer"];
    }
  }
}

TEST(MapCli, BadObjectiveOrMapperExitsTwoNamingTheKeyAndTheAllowedValues) {
  const auto dir = fresh_dir("map_cli_bad_choice");
  const auto o = run_systole("map -w resnet18 --objective fast", dir);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("compiler.objective"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("cycles, energy, edp"), std::string::npos) << o.err;
  const auto m = run_systole("map -w resnet18 --mapper greedy", dir);
  EXPECT_EQ(m.exit_code, 2) << m.err;
  EXPECT_NE(m.err.find("compiler.mapper"), std::string::npos) << m.err;
  EXPECT_NE(m.err.find("heuristic, exhaustive"), std::string::npos) << m.err;
  // The config keys themselves, as any key is checked.
  const auto s = run_systole("validate -w resnet18 --set compiler.objective=speed", dir);
  EXPECT_EQ(s.exit_code, 2) << s.err;
  EXPECT_NE(s.err.find("compiler.objective"), std::string::npos) << s.err;
  EXPECT_NE(s.err.find("edp"), std::string::npos) << s.err;
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
