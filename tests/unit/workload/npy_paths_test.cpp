// `npy` on network inputs and `weights_npy` on conv2d/matmul layers: resolved against the workload
// file's directory and checked to exist when the workload is loaded (their shape and dtype are
// checked by the functional simulation, which reads them).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "systole/common/error.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("systole_npy_paths_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "data");
  return dir;
}

Network load_with(const std::filesystem::path& dir, const std::string& input_extra,
                  const std::string& layer_extra,
                  const std::string& type = "conv2d, out_channels: 4, kernel: 3") {
  const std::string text = "name: t\ninputs:\n  - {name: x, shape: [1, 2, 8, 8]" + input_extra +
                           "}\nlayers:\n  - {name: c, type: " + type + layer_extra + "}\n";
  std::ofstream(dir / "net.yaml") << text;
  return load_network((dir / "net.yaml").string());
}

std::string error_of(const std::filesystem::path& dir, const std::string& input_extra,
                     const std::string& layer_extra,
                     const std::string& type = "conv2d, out_channels: 4, kernel: 3") {
  try {
    load_with(dir, input_extra, layer_extra, type);
  } catch (const WorkloadError& e) {
    return e.what();
  }
  return "";
}

TEST(NpyPaths, ResolvedAgainstTheWorkloadDirectory) {
  const auto dir = scratch_dir("ok");
  std::ofstream(dir / "data" / "x.npy") << "x";
  std::ofstream(dir / "data" / "w.npy") << "w";
  const Network net = load_with(dir, ", npy: data/x.npy", ", weights_npy: data/w.npy");
  EXPECT_EQ(net.inputs[0].npy_path, (dir / "data" / "x.npy").string());
  EXPECT_EQ(net.layers[0].weights_npy_path, (dir / "data" / "w.npy").string());
}

TEST(NpyPaths, AbsentMeansRandomData) {
  const auto dir = scratch_dir("absent");
  const Network net = load_with(dir, "", "");
  EXPECT_TRUE(net.inputs[0].npy_path.empty());
  EXPECT_TRUE(net.layers[0].weights_npy_path.empty());
}

TEST(NpyPaths, MissingFileNamesKeyAndPath) {
  const auto dir = scratch_dir("missing");
  const std::string err = error_of(dir, ", npy: data/nope.npy", "");
  EXPECT_NE(err.find("net.yaml:3: inputs[0].npy = 'data/nope.npy'"), std::string::npos) << err;
  EXPECT_NE(err.find("no such file"), std::string::npos) << err;
}

TEST(NpyPaths, WrongExtensionIsRejected) {
  const auto dir = scratch_dir("ext");
  std::ofstream(dir / "data" / "w.bin") << "w";
  const std::string err = error_of(dir, "", ", weights_npy: data/w.bin");
  EXPECT_NE(err.find("layers[0].weights_npy = 'data/w.bin'"), std::string::npos) << err;
  EXPECT_NE(err.find(".npy"), std::string::npos) << err;
}

TEST(NpyPaths, WeightsOnlyOnLayersThatOwnWeights) {
  const auto dir = scratch_dir("pool");
  std::ofstream(dir / "data" / "w.npy") << "w";
  const std::string err = error_of(dir, "", ", weights_npy: data/w.npy", "pool, kernel: 2");
  EXPECT_NE(err.find("layers[0].weights_npy"), std::string::npos) << err;
  EXPECT_NE(err.find("unknown key"), std::string::npos) << err;
}

}  // namespace
}  // namespace systole
