// Sweep specs (sweep/spec.h): axes as lists and ranges, grid / zip / points, derived parameters
// that provision a design consistently, constraints that prune, and every error named.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "systole/common/error.h"
#include "systole/sweep/spec.h"

namespace systole::sweep {
namespace {

// The base arch's values for the keys the tests' expressions read and nobody sweeps.
std::optional<ParamValue> base(const std::string& name) {
  static const std::map<std::string, ParamValue> values = {
      {"core.array.rows", int64_t{32}}, {"core.array.cols", int64_t{32}}, {"core.vector.lanes", int64_t{32}}};
  const auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

SweepPlan expand(const std::string& yaml) {
  return expand_sweep(parse_sweep_spec(yaml, "s.yaml"), base);
}

std::string params(const SweepPoint& p) {
  std::string s;
  for (const auto& [k, v] : p.params)
    s += (s.empty() ? "" : " ") + k.substr(k.rfind('.') + 1) + "=" + value_text(v);
  return s;
}

// The diagnostics of a spec that fails, as "key: rule" lines.
std::string errors(const std::string& yaml, bool expand_too = true) {
  try {
    const SweepSpec s = parse_sweep_spec(yaml, "s.yaml");
    if (expand_too) expand_sweep(s, base);
  } catch (const UserError& e) {
    std::string out;
    for (const Diagnostic& d : e.diagnostics()) out += d.str() + "\n";
    return out.empty() ? e.what() : out;
  }
  return "";
}

constexpr const char* kHead = "name: t\narch: default\nworkloads: [resnet18]\n";

TEST(SweepSpec, AGridVariesTheFirstAxisSlowest) {
  const SweepPlan p = expand(std::string(kHead) + R"(axes:
  core.array.rows: [16, 32]
  core.array.cols: {from: 8, to: 24, step: 8}
  core.array.dataflow: [ws, os]
)");
  ASSERT_EQ(p.points.size(), 12u);
  EXPECT_EQ(p.combinations, 12u);
  EXPECT_EQ(params(p.points[0]), "rows=16 cols=8 dataflow=ws");
  EXPECT_EQ(params(p.points[1]), "rows=16 cols=8 dataflow=os");
  EXPECT_EQ(params(p.points[2]), "rows=16 cols=16 dataflow=ws");
  EXPECT_EQ(params(p.points[11]), "rows=32 cols=24 dataflow=os");
  EXPECT_EQ(p.points[5].index, 5u);
  EXPECT_EQ(p.points[5].overrides,
            (std::vector<std::string>{"core.array.rows=16", "core.array.cols=24", "core.array.dataflow=os"}));
}

TEST(SweepSpec, RangesIncludeTheirEndAndGeometricRangesMultiply) {
  const SweepPlan p = expand(std::string(kHead) + R"(combine: zip
axes:
  core.scratchpads.ifmap.capacity_kib: {from: 64, to: 1024, times: 2}
  core.clock_mhz: {from: 500, to: 2500, step: 500.0}
)");
  ASSERT_EQ(p.points.size(), 5u);  // zip: 64 .. 1024 is five values, as 0.5 .. 2.5
  EXPECT_EQ(params(p.points[0]), "capacity_kib=64 clock_mhz=500.0");
  EXPECT_EQ(params(p.points[4]), "capacity_kib=1024 clock_mhz=2500.0");
  EXPECT_EQ(p.points[4].overrides[1], "core.clock_mhz=2500.0");
}

TEST(SweepSpec, DerivedParametersProvisionEveryPointAndConstraintsPrune) {
  const SweepPlan p = expand(std::string(kHead) + R"Y(set: {core.array.input_type: int8}
axes:
  core.array.rows: [16, 32, 64, 128]
  core.array.cols: [16, 32, 64, 128]
derived:
  core.scratchpads.ifmap.read_bytes_per_cycle: "core.array.rows * 2"
  core.vector.lanes: "max(core.array.cols, core.vector.lanes)"
  core.scratchpads.ifmap.banks: "core.scratchpads.ifmap.read_bytes_per_cycle // 4"
constraints:
  - "core.array.rows * core.array.cols <= 4096"
  - "core.array.rows >= core.array.cols"
)Y");
  EXPECT_EQ(p.combinations, 16u);
  // rows >= cols and rows x cols <= 4096: (16,16) (32,16) (32,32) (64,16) (64,32) (64,64) (128,16) (128,32).
  ASSERT_EQ(p.points.size(), 8u);
  EXPECT_EQ(p.pruned, 8u);
  EXPECT_EQ(params(p.points[0]), "rows=16 cols=16 read_bytes_per_cycle=32 lanes=32 banks=8");
  EXPECT_EQ(params(p.points[7]), "rows=128 cols=32 read_bytes_per_cycle=256 lanes=32 banks=64");
  EXPECT_EQ(p.points[7].overrides.front(), "core.array.input_type=int8");  // the set first
  EXPECT_EQ(p.points[7].overrides.back(), "core.scratchpads.ifmap.banks=64");
}

TEST(SweepSpec, ExplicitPoints) {
  const SweepPlan p = expand(std::string(kHead) + R"(combine: points
points:
  - {core.array.rows: 8, core.array.dataflow: os}
  - {core.array.rows: 64, core.array.dataflow: ws}
derived:
  core.array.cols: "core.array.rows * 2"
)");
  ASSERT_EQ(p.points.size(), 2u);
  EXPECT_EQ(params(p.points[1]), "rows=64 dataflow=ws cols=128");
}

TEST(SweepSpec, EveryProblemIsNamed) {
  const std::string h = kHead;
  struct Case {
    std::string yaml;
    std::string part;
  };
  const Case cases[] = {
      {"name: t\narch: default\naxes: {core.array.rows: [8]}\n", "workloads = '': required"},
      {h + "axes: {core.array.rowz: [8]}\n",
       "axes.core.array.rowz = 'core.array.rowz': unknown key; did you mean 'core.array.rows'?"},
      {h + "axes: {core.array.rows: [8, -1]}\n", "axes.core.array.rows[1] = '-1': must be an integer >= 1"},
      {h + "axes: {core.array.rows: []}\n", "must list at least one value"},
      {h + "axes: {core.array.rows: {from: 8, to: 4, step: 1}}\n", "to (4) must not be below from (8)"},
      {h + "axes: {core.array.rows: {from: 8, to: 64, step: 0}}\n", "a linear range needs step > 0"},
      {h + "axes: {core.array.rows: {from: 8, to: 64, times: 1}}\n",
       "a geometric range needs from > 0 and times > 1"},
      {h + "axes: {core.array.rows: {from: 8, to: 64}}\n",
       "exactly one of step (linear) and times (geometric)"},
      {h + "axes: {core.array.rows: {from: 8, to: 64, tims: 2}}\n", "(did you mean 'times'?)"},
      {h + "axes: {core.array.rows: {from: 8.5, to: 64, step: 8}}\n",
       "must be an integer: core.array.rows is an integer key"},
      {h + "axes: {core.array.dataflow: {from: 1, to: 2, step: 1}}\n", "a range needs a numeric key"},
      {h + "axes: {core.array.rows: {from: 1, to: 1000000000, step: 1}}\n", "at most 100000 per axis"},
      {h + "combine: zip\naxes: {core.array.rows: [8, 16], core.array.cols: [8]}\n",
       "combine: zip needs axes of one length"},
      {h + "combine: mesh\naxes: {core.array.rows: [8]}\n",
       "combine = 'mesh': must be one of: grid, zip, points"},
      {h + "combine: points\naxes: {core.array.rows: [8]}\n", "takes its values from `points`"},
      {h + "combine: points\npoints: [{core.array.rows: 8}, {core.array.cols: 8}]\n",
       "every point sets the same keys"},
      {h + "axes: {core.array.rows: [8]}\nset: {core.array.rows: 16}\n",
       "set.core.array.rows = '16': is also swept"},
      {h + "axes: {core.array.rows: [8]}\nderived: {core.array.rows: '2'}\n", "is an axis"},
      {h + "axes: {core.array.rows: [8]}\nderived: {core.array.cols: 'core.array.rows *'}\n",
       "derived.core.array.cols = 'core.array.rows *': at column 18: unexpected end"},
      {h + "axes: {core.array.rows: [8]}\nderived: {core.array.cols: 'rows * 2'}\n", "'rows': unknown key"},
      {h + "axes: {core.array.rows: [8, 4096]}\nderived: {core.array.cols: 'core.array.rows * 2'}\n",
       "derived.core.array.cols = '8192': at point {core.array.rows: 4096}: must be an integer >= 1 and <= "
       "4096"},
      {h + "axes: {core.array.rows: [8]}\nderived: {core.array.cols: 'core.array.rows / 3'}\n",
       "must be an integer"},
      {h + "axes: {core.array.rows: [8]}\nderived: {core.array.dataflow: 'core.array.rows'}\n",
       "must be one of: ws, os, is"},
      {h + "axes: {core.array.rows: [8]}\nconstraints: ['core.array.rows * 2']\n",
       "constraints[0] = 'core.array.rows * 2': at point {core.array.rows: 8}: must be true or false, not "
       "int 16"},
      {h + "axes: {core.array.rows: [8]}\ncolour: red\n", "colour = 'red': unknown key of a sweep spec"},
      {"name: t\narch: default\nworkloads: [a, a]\naxes: {core.array.rows: [8]}\n",
       "workloads[1] = 'a': listed twice"},
      {"- a\n- b\n", "a sweep spec is a map"},
      {"name: ../up\narch: default\nworkloads: [a]\naxes: {core.array.rows: [8]}\n",
       "name = '../up': must be at most 64 letters"},
  };
  for (const Case& c : cases) {
    const std::string got = errors(c.yaml);
    EXPECT_NE(got.find(c.part), std::string::npos) << c.yaml << "\ngot: " << got;
    EXPECT_NE(got.find("s.yaml"), std::string::npos) << got;
  }
}

TEST(SweepSpec, AGridPastTheLimitIsRefusedBeforeItIsBuilt) {
  const std::string got = errors(std::string(kHead) + R"(axes:
  core.array.rows: {from: 1, to: 1000, step: 1}
  core.array.cols: {from: 1, to: 1000, step: 1}
  core.vector.lanes: {from: 1, to: 1000, step: 1}
)");
  EXPECT_NE(got.find("more than 1000000 points"), std::string::npos) << got;
}

}  // namespace
}  // namespace systole::sweep
