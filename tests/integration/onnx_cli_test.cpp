// ONNX models as a user gives them (docs/onnx.md): `systole import` writes the workload YAML, and
// `--workload model.onnx` runs exactly what that YAML runs; the import is recorded in report.json;
// unsupported nodes and missing dims are refused with exit 2, or become placeholders.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"
#include "systole/numeric/npy.h"
#include "unit/onnx/model_builder.h"

namespace systole {
namespace {

using Json = nlohmann::json;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

const std::string kResnet18 = std::string(SYSTOLE_SOURCE_DIR) + "/workloads/onnx/resnet18.onnx";
// An ONNX node test whose only node (Sin) Systole does not map.
const std::string kSin = "/usr/share/libonnx-testdata/data/node/test_sin/model.onnx";

TEST(OnnxCli, RunningTheModelIsRunningItsImportedYaml) {
  const auto dir = fresh_dir("onnx_cli_run");
  const auto imported =
      run_systole("import " + q(kResnet18) + " --set-dim batch=1 -o " + q(dir / "r18.yaml"), dir);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const auto a = run_systole("run -q -w " + q(dir / "r18.yaml") + " -o " + q(dir / "yaml"), dir);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto b = run_systole("run -q -w " + q(kResnet18) + " --set-dim batch=1 -o " + q(dir / "onnx"), dir);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const Json ya = Json::parse(read_file(dir / "yaml" / "report.json"));
  const Json on = Json::parse(read_file(dir / "onnx" / "report.json"));
  EXPECT_EQ(ya["total"], on["total"]);
  EXPECT_EQ(ya["layers"], on["layers"]);
  EXPECT_EQ(on["total"]["macs"], 1814073344);
  EXPECT_FALSE(ya["inputs"].contains("onnx"));
  const Json& o = on["inputs"]["onnx"];
  EXPECT_EQ(o["set_dims"], Json::array({"batch=1"}));
  EXPECT_EQ(o["placeholders"], 0);
  EXPECT_EQ(o["folded_nodes"], 16);  // PyTorch's 16 Identity nodes of shared initializers
  // The same again is byte-identical.
  const auto c = run_systole("run -q -w " + q(kResnet18) + " --set-dim batch=1 -o " + q(dir / "again"), dir);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(read_file(dir / "onnx" / "report.json"), read_file(dir / "again" / "report.json"));
}

TEST(OnnxCli, ImportPrintsToStandardOutputAndListsItsOperators) {
  const auto dir = fresh_dir("onnx_cli_stdout");
  const auto r = run_systole("import " + q(kResnet18) + " --set-dim batch=2", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# Systole workload imported from ONNX", 0), 0u) << r.out.substr(0, 200);
  EXPECT_NE(r.out.find("  - {name: \"image\", shape: [2, 3, 224, 224]}"), std::string::npos);
  const auto ops = run_systole("import --list-ops", dir);
  ASSERT_EQ(ops.exit_code, 0);
  EXPECT_NE(ops.out.find("\nConv\n"), std::string::npos) << ops.out;
  EXPECT_NE(ops.out.find("\nLayerNormalization\n"), std::string::npos) << ops.out;
}

TEST(OnnxCli, ValidateAndCompileTakeAModel) {
  const auto dir = fresh_dir("onnx_cli_validate");
  const auto v = run_systole("validate -w " + q(kResnet18) + " --set-dim batch=1", dir);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("1814073344 MACs"), std::string::npos) << v.out;
  const auto c = run_systole("compile -w " + q(kResnet18) + " --set-dim batch=1", dir);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  // The extension in any case, as .yaml and .csv.
  std::filesystem::copy_file(kResnet18, dir / "R18.ONNX");
  const auto upper = run_systole("validate -w " + q(dir / "R18.ONNX") + " --set-dim batch=1", dir);
  EXPECT_EQ(upper.exit_code, 0) << upper.err;
}

TEST(OnnxCli, UserMistakesExitTwoNamingTheProblem) {
  const auto dir = fresh_dir("onnx_cli_bad");
  write_file(dir / "net.yaml", testing::kSmallWorkload);
  const struct {
    std::string args, message;
  } cases[] = {
      {"run -q -w " + q(kResnet18) + " -o " + q(dir / "o"),
       "'batch' is symbolic: give its value with --set-dim batch=N"},
      {"run -q -w " + q(kResnet18) + " --set-dim batch=0 -o " + q(dir / "o"), "--set-dim 'batch=0'"},
      {"run -q -w " + q(kResnet18) + " --set-dim batch=1 --set-dim seq=4 -o " + q(dir / "o"),
       "no input dimension has this name"},
      {"run -q -w " + q(dir / "net.yaml") + " --set-dim batch=1 -o " + q(dir / "o"),
       "--set-dim and --skip-unsupported apply to ONNX workloads"},
      {"run -q -w " + q(kSin) + " -o " + q(dir / "o"), "(Sin, opset 7) = 'Sin': operator not supported"},
      {"import " + q(dir / "missing.onnx"), "cannot open the ONNX model"},
      {"import " + q(dir / "net.yaml"), "not an ONNX model"},
      {"import " + q(kResnet18) + " --set-dim batch=1 --dtype int4", "--dtype 'int4'"},
      {"import " + q(kResnet18) + " --set-dim batch=1 -o " + q(dir / "net.yaml"), "--out"},
  };
  for (const auto& c : cases) {
    const auto r = run_systole(c.args, dir);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "o"));
  EXPECT_EQ(read_file(dir / "net.yaml"), testing::kSmallWorkload);  // -o never replaced a hand-written file
}

TEST(OnnxCli, SkipUnsupportedRunsWithAZeroCostPlaceholderThatFunctionalRunsRefuse) {
  const auto dir = fresh_dir("onnx_cli_skip");
  const auto r = run_systole("run -q -w " + q(kSin) + " --skip-unsupported -o " + q(dir / "o"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.err.find(
          "warning: node #0 (Sin, opset 7): operator not supported; imported as a zero-cost placeholder"),
      std::string::npos)
      << r.err;
  const Json rep = Json::parse(read_file(dir / "o" / "report.json"));
  EXPECT_EQ(rep["inputs"]["onnx"]["placeholders"], 1);
  EXPECT_TRUE(rep["inputs"]["onnx"]["skip_unsupported"].get<bool>());
  ASSERT_EQ(rep["layers"].size(), 1u);
  EXPECT_EQ(rep["layers"][0]["type"], "placeholder");
  EXPECT_EQ(rep["layers"][0]["cycles"], 0);
  const auto f =
      run_systole("run -q --functional -w " + q(kSin) + " --skip-unsupported -o " + q(dir / "f"), dir);
  EXPECT_EQ(f.exit_code, 2) << f.err;
  EXPECT_NE(f.err.find("placeholder for the unsupported operator 'Sin'"), std::string::npos) << f.err;
}

// A model that carries its weights feeds them to functional runs on a float arch: a convolution
// with zero weights gives zeros, where the same model stripped of its data runs on seeded weights.
TEST(OnnxCli, AModelsWeightsFeedFunctionalRunsOnAFloatArch) {
  const auto dir = fresh_dir("onnx_cli_weights");
  for (const bool data : {true, false}) {
    onnx_test::ModelBuilder b;
    b.input("x", {1, 2, 4, 4}).output("y");
    if (data)
      b.floats("w", {3, 2, 1, 1}, std::vector<float>(6, 0.0f));
    else
      b.weight("w", {3, 2, 1, 1});
    b.node("Conv", {"x", "w"}, {"y"}, {}, "conv");
    const std::string name = data ? "zeros" : "stripped";
    write_file(dir / (name + ".onnx"), b.bytes());
    const auto r = run_systole("run -q --functional -w " + q(dir / (name + ".onnx")) +
                                   " --set core.array.input_type=fp32 --set core.array.weight_type=fp32 "
                                   "--set core.array.accumulator_type=fp32 --dump-tensors " +
                                   q(dir / (name + "_t")) + " -o " + q(dir / name),
                               dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json rep = Json::parse(read_file(dir / name / "report.json"));
    EXPECT_EQ(rep["inputs"]["onnx"]["weighted_layers"], data ? 1 : 0);
    EXPECT_EQ(rep["total"]["verified"], true);
    const Tensor y = read_npy((dir / (name + "_t") / "conv.npy").string(), nullptr);
    double sum = 0;
    for (int64_t i = 0; i < y.elements(); ++i) sum += std::abs(y.get_float(i));
    if (data)
      EXPECT_EQ(sum, 0.0);
    else
      EXPECT_GT(sum, 0.0);
  }
  // An int8 arch leaves them out, and says so.
  const auto ints = run_systole("run -q -w " + q(dir / "zeros.onnx") + " -o " + q(dir / "int8"), dir);
  ASSERT_EQ(ints.exit_code, 0) << ints.err;
  EXPECT_NE(ints.err.find("the model's weights are not used"), std::string::npos) << ints.err;
}

}  // namespace
}  // namespace systole
