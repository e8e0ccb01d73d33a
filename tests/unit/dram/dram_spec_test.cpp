#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "dram_test_util.h"
#include "systole/common/error.h"

namespace systole {
namespace {

using dram::test::preset;
using dram::test::shipped_presets;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `text` to a fresh file in the test's temp dir and returns its path.
std::string write_temp(const std::string& stem, const std::string& text) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("systole_dram_spec_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  std::filesystem::create_directories(dir);
  const auto path = dir / (stem + ".yaml");
  std::ofstream(path) << text;
  return path.string();
}

std::string error_of(const std::string& path) {
  try {
    load_dram_preset(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// The line number (1-based) of the first line containing `needle`.
int line_of(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find(needle) != std::string::npos) return n;
  }
  return 0;
}

TEST(DramSpec, ShippedPresetsLoad) {
  const auto names = dram_preset_names();
  for (const auto& name : shipped_presets()) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
    const DramDeviceSpec d = preset(name);
    EXPECT_EQ(d.name, name);
    EXPECT_FALSE(d.source.empty());
    EXPECT_GE(d.timing.rc, d.timing.ras + d.timing.rp) << name;
    EXPECT_EQ(d.timing.bl % d.org.beats_per_clock, 0) << name;
  }
}

TEST(DramSpec, PeakBandwidthAndAtoms) {
  // DDR4-3200: 64-bit bus, 2 beats per 625 ps clock: 8 B * 2 / 0.625 ns = 25.6 GB/s; BL8 -> 64 B.
  const DramDeviceSpec ddr4 = preset("ddr4-3200");
  EXPECT_NEAR(ddr4.peak_gbps(), 8.0 * 2 / 0.625, 1e-9);
  EXPECT_EQ(ddr4.atom_bytes(), 8 * 8);
  EXPECT_EQ(ddr4.burst_clocks(), 4);
  // HBM2: 16 pseudo-channels x 8 B x 2 beats at 1 GHz = 256 GB/s; BL4 -> 32 B.
  const DramDeviceSpec hbm = preset("hbm2");
  EXPECT_NEAR(hbm.peak_gbps(), 16 * 8.0 * 2 / 1.0, 1e-9);
  EXPECT_EQ(hbm.atom_bytes(), 8 * 4);
  // LPDDR5-6400: 2 B x 8 beats per 1.25 ns CK = 12.8 GB/s.
  EXPECT_NEAR(preset("lpddr5-6400").peak_gbps(), 2.0 * 8 / 1.25, 1e-9);
  // LPDDR4-4266: 4 B x 2 beats per 0.46875 ns = 17.07 GB/s.
  EXPECT_NEAR(preset("lpddr4-4266").peak_gbps(), 4.0 * 2 / 0.46875, 1e-9);
}

TEST(DramSpec, PresetPathLookup) {
  const std::string p = dram_preset_path("ddr4-3200", "");
  EXPECT_TRUE(std::filesystem::exists(p));
  EXPECT_EQ(dram_preset_path("some/dir/x.yaml", ""), "some/dir/x.yaml");
  // A preset beside the arch file wins over the shipped one.
  const std::string local = write_temp("ddr4-3200", read_text(p));
  const std::string arch_dir = std::filesystem::path(local).parent_path().parent_path().string();
  std::filesystem::create_directories(arch_dir + "/dram");
  std::filesystem::copy_file(local, arch_dir + "/dram/ddr4-3200.yaml",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(dram_preset_path("ddr4-3200", arch_dir), arch_dir + "/dram/ddr4-3200.yaml");
  try {
    dram_preset_path("ddr9-9999", "");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("ddr9-9999"), std::string::npos) << msg;
    EXPECT_NE(msg.find("no such DRAM preset"), std::string::npos) << msg;
    EXPECT_NE(msg.find("hbm2"), std::string::npos) << msg;  // lists what is available
  }
}

TEST(DramSpec, MissingKeyIsNamed) {
  std::string text = read_text(dram_preset_path("ddr4-3200", ""));
  text = std::regex_replace(text, std::regex("\n  rcd: [^\n]*"), "");
  const std::string msg = error_of(write_temp("broken", text));
  EXPECT_NE(msg.find("timing.rcd"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing required key"), std::string::npos) << msg;
}

TEST(DramSpec, BadValueNamesFileLineKeyValueRule) {
  std::string text = read_text(dram_preset_path("ddr4-3200", ""));
  text = std::regex_replace(text, std::regex("\n  cl: [^\n]*"), "\n  cl: -3");
  const std::string path = write_temp("broken", text);
  const std::string msg = error_of(path);
  const std::string where = path + ":" + std::to_string(line_of(text, "  cl: -3")) + ":";
  EXPECT_NE(msg.find(where + " timing.cl = '-3': must be an integer >= 1"), std::string::npos) << msg;
}

TEST(DramSpec, InconsistentTimingIsRejected) {
  std::string text = read_text(dram_preset_path("ddr4-3200", ""));
  text = std::regex_replace(text, std::regex("\n  rc: [^\n]*"), "\n  rc: 70");  // 52 + 22 = 74 > 70
  const std::string msg = error_of(write_temp("broken", text));
  EXPECT_NE(msg.find("timing.rc = '70'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("must be >= ras + rp = 52 + 22 = 74"), std::string::npos) << msg;
}

TEST(DramSpec, UnknownKeysAndNonPowersOfTwoAreRejected) {
  std::string text = read_text(dram_preset_path("hbm2", ""));
  text = std::regex_replace(text, std::regex("\n  rows: [^\n]*"), "\n  rows: 10000\n  colums: 128");
  const std::string msg = error_of(write_temp("broken", text));
  EXPECT_NE(msg.find("organization.rows = '10000': must be a power of two"), std::string::npos) << msg;
  EXPECT_NE(msg.find("organization.colums"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key"), std::string::npos) << msg;
}

TEST(DramSpec, EnumSpellings) {
  DramPagePolicy p;
  EXPECT_TRUE(parse_dram_page_policy("closed", &p));
  EXPECT_EQ(p, DramPagePolicy::kClosed);
  EXPECT_FALSE(parse_dram_page_policy("shut", &p));
  EXPECT_EQ(dram_page_policy_names(), (std::vector<std::string>{"open", "closed"}));
  for (const auto& name : dram_address_mapping_names()) {
    DramAddressMapping m;
    ASSERT_TRUE(parse_dram_address_mapping(name, &m));
    EXPECT_EQ(name, to_string(m));
  }
  EXPECT_EQ(dram_address_mapping_names().size(), 3u);
}

}  // namespace
}  // namespace systole
