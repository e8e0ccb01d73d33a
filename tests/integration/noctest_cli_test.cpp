// `systole noctest` as a user runs it: the JSON fields the issue names, consistent with the
// network's zero-load formula; the sweep and its picture; --set on noc.* keys; exit-2 errors
// naming the flag or key for bad arguments.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::run_systole;

nlohmann::json noctest_json(const std::string& args, const std::string& scratch) {
  auto r = run_systole("noctest " + args + " --json", fresh_dir(scratch));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(Noctest, JsonHasTheIssueFieldsAndAgreesWithTheZeroLoadFormula) {
  const auto j = noctest_json("--rate 0.05 --cycles 4000", "noctest_json");
  for (const char* key : {"latency_avg_cycles", "latency_p99_cycles", "offered_rate", "accepted_rate",
                          "zero_load_latency_cycles", "drained"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["noc"]["topology"], "mesh");
  EXPECT_EQ(j["noc"]["nodes"], 16);
  // Uniform random over 16 nodes (self included) averages 2.5 hops: (2.5 + 1) x 2 + 2.5 x 1 = 9.5.
  EXPECT_NEAR(j["zero_load_latency_cycles"].get<double>(), 9.5, 0.3);
  EXPECT_GE(j["latency_avg_cycles"].get<double>(), j["zero_load_latency_cycles"].get<double>());
  EXPECT_NEAR(j["accepted_rate"].get<double>(), j["offered_rate"].get<double>(), 0.005);
  EXPECT_EQ(j["drained"], true);
}

TEST(Noctest, SetChangesTheNocAndTheSameSeedGivesTheSameBytes) {
  const std::string args = "--set noc.topology=ring --set noc.x=8 --set noc.y=1 --rate 0.2 --cycles 3000";
  const auto a = noctest_json(args, "noctest_set_a"), b = noctest_json(args, "noctest_set_b");
  EXPECT_EQ(a["noc"]["topology"], "ring");
  EXPECT_EQ(a["noc"]["nodes"], 8);
  EXPECT_EQ(a.dump(), b.dump());
  const auto c = noctest_json(args + " --seed 2", "noctest_set_c");
  EXPECT_NE(a["latency_avg_cycles"], c["latency_avg_cycles"]);
}

TEST(Noctest, SweepPrintsTheCurveAndDrawsIt) {
  const auto dir = fresh_dir("noctest_sweep");
  auto r = run_systole(
      "noctest --rate 0.9 --sweep-rate --points 6 --cycles 3000 --plot " + (dir / "c.png").string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("offered  accepted  latency avg"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::file_size(dir / "c.png") > 10000);
  const auto j = noctest_json("--rate 0.9 --sweep-rate --points 3 --cycles 3000", "noctest_sweep_json");
  ASSERT_EQ(j["sweep"].size(), 3u);
  // Below saturation the network accepts what is offered; at 0.9 a 4 x 4 mesh cannot.
  EXPECT_NEAR(j["sweep"][0]["accepted_rate"].get<double>(), j["sweep"][0]["offered_rate"].get<double>(),
              0.01);
  EXPECT_LT(j["sweep"][2]["accepted_rate"].get<double>(), j["sweep"][2]["offered_rate"].get<double>() - 0.05);
}

TEST(Noctest, BadArgumentsExitTwoNamingWhatIsWrong) {
  struct Case {
    std::string args, expect;
  };
  for (const Case& c : std::vector<Case>{
           {"--pattern zigzag",
            "--pattern = 'zigzag': must be one of uniform, transpose, hotspot, neighbour"},
           {"--rate 0", "--rate = '0': must be above 0"},
           {"--rate 1.5", "--rate"},
           {"--set core.array.rows=8", "--set core.array.rows=8: noctest reads only the noc.* keys"},
           {"--set noc.topology=ring --set noc.x=8 --set noc.y=1 --set noc.vcs=3", "noc.vcs"},
           {"--set noc.topology=torus", "noc.topology"},
           {"--set noc.x=64 --set noc.y=64 --cycles 10000", "node-cycles"},
           {"--points 4", "--points: only --sweep-rate reads it"},
           {"--sweep-rate --plot out.pdf", "must end in .png or .svg"},
           {"--hotspot-node 0", "--hotspot-node: only --pattern hotspot reads it"},
           {"--pattern hotspot --hotspot-node 16", "--hotspot-node"},
       }) {
    const auto r = run_systole("noctest " + c.args, fresh_dir("noctest_bad"));
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.args << "\n" << r.err;
  }
}

}  // namespace
}  // namespace systole
