// The optional `power:` section of a DRAM preset (config/dram_power.h): the shipped presets that
// carry datasheet currents and those that do not, and one broken copy of ddr4-3200.yaml per rule,
// each error naming file:line, the key path, the value and the rule.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dram_test_util.h"
#include "systole/common/error.h"

namespace systole {
namespace {

using dram::test::preset;

std::string shipped_text(const std::string& name) {
  std::ifstream in(dram_preset_path(name, ""));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ddr4-3200.yaml with the first occurrence of `from` replaced by `to` (which must exist).
std::string edited(const std::string& from, const std::string& to) {
  std::string text = shipped_text("ddr4-3200");
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string write_temp(const std::string& text) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("systole_dram_power_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "ddr4-broken.yaml";
  std::ofstream(path) << text;
  return path.string();
}

int line_of(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find(needle) != std::string::npos) return n;
  }
  return 0;
}

std::string error_of(const std::string& text) {
  try {
    load_dram_preset(write_temp(text));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(DramPowerSpec, Ddr4AndLpddr4CarryCurrentsLpddr5AndHbm2DoNot) {
  const DramDeviceSpec ddr4 = preset("ddr4-3200");
  ASSERT_TRUE(ddr4.power.present());
  EXPECT_NE(ddr4.power.source.find("MT40A1G8"), std::string::npos);
  EXPECT_EQ(ddr4.power.device_width_bits, 8);
  EXPECT_EQ(ddr4.devices_per_rank(), 8);  // 64-bit rank of x8 devices
  ASSERT_EQ(ddr4.power.rails.size(), 2u);
  EXPECT_EQ(ddr4.power.rails[0].name, "vdd");
  EXPECT_EQ(ddr4.power.rails[0].voltage_v, 1.2);
  EXPECT_EQ(ddr4.power.rails[0].idd0_ma, 57.0);
  EXPECT_EQ(ddr4.power.rails[0].idd5b_ma, 66.0);
  EXPECT_EQ(ddr4.power.rails[1].name, "vpp");
  EXPECT_EQ(ddr4.power.rails[1].voltage_v, 2.5);

  const DramDeviceSpec lp4 = preset("lpddr4-4266");
  ASSERT_TRUE(lp4.power.present());
  EXPECT_EQ(lp4.devices_per_rank(), 2);  // two x16 channels in lock step
  ASSERT_EQ(lp4.power.rails.size(), 2u);
  EXPECT_EQ(lp4.power.rails[0].name, "vdd1");
  EXPECT_EQ(lp4.power.rails[1].name, "vdd2");
  EXPECT_EQ(lp4.power.rails[1].idd4r_ma, 275.0);

  for (const char* name : {"lpddr5-6400", "hbm2"}) {
    const DramDeviceSpec d = preset(name);
    EXPECT_FALSE(d.power.present()) << name;
    EXPECT_EQ(d.devices_per_rank(), 0) << name;
  }
}

struct BrokenCase {
  const char* what;
  std::string from, to;
  std::string needle;    // a line of the edited text the error must point at
  std::string expected;  // "key = 'value': rule" part
};

TEST(DramPowerSpec, EachBrokenRuleIsReportedWithFileLineKeyValueAndRule) {
  const std::vector<BrokenCase> cases = {
      {"unit", "idd0: {value: 57, unit: mA", "idd0: {value: 57, unit: A", "idd0: {value: 57, unit: A",
       "power.rails.vdd.idd0.unit = 'A': must be 'mA'"},
      {"negative current", "idd2n: {value: 37,", "idd2n: {value: -37,", "idd2n: {value: -37,",
       "power.rails.vdd.idd2n.value = '-37': must be a number >= 0 and <= 10000 (mA)"},
      {"not a number", "idd3n: {value: 56,", "idd3n: {value: lots,", "idd3n: {value: lots,",
       "power.rails.vdd.idd3n.value = 'lots': must be a number"},
      {"quoted number", "idd3n: {value: 56,", "idd3n: {value: \"56\",", "idd3n: {value: \"56\",",
       "power.rails.vdd.idd3n.value = '56': must be a number"},
      {"hexadecimal float", "idd3n: {value: 56,", "idd3n: {value: 0x1p5,", "idd3n: {value: 0x1p5,",
       "power.rails.vdd.idd3n.value = '0x1p5': must be a number"},
      {"zero voltage", "voltage: {value: 1.2,", "voltage: {value: 0,", "voltage: {value: 0,",
       "power.rails.vdd.voltage.value = '0': must be a number > 0 and <= 5 (V)"},
      {"empty source",
       "idd4w: {value: 155, unit: mA, source: \"IDD4W burst write, x8, DDR4-3200 (DRAMPower idd4w)\"}",
       "idd4w: {value: 155, unit: mA, source: \"\"}", "idd4w: {value: 155, unit: mA, source: \"\"}",
       "power.rails.vdd.idd4w.source = '': must name the datasheet table"},
      {"missing current", "      idd5b: {value: 5,", "      idd5x: {value: 5,", "idd5x: {value: 5,",
       "power.rails.vpp.idd5x = "},
      {"unknown top-level power key", "  device_width_bits:", "  devices: 8\n  device_width_bits:",
       "devices: 8", "power.devices = '8': unknown key (expected one of: source, device_width_bits, rails)"},
      {"width not a power of two", "device_width_bits: {value: 8,", "device_width_bits: {value: 12,",
       "device_width_bits: {value: 12,", "power.device_width_bits.value = '12': must be a power of two"},
      {"bad rail name", "    vpp:\n", "    VPP:\n", "VPP:", "power.rails.VPP = "},
  };
  for (const BrokenCase& c : cases) {
    const std::string text = edited(c.from, c.to);
    const std::string err = error_of(text);
    const int line = line_of(text, c.needle);
    ASSERT_GT(line, 0) << c.what;
    EXPECT_NE(err.find("ddr4-broken.yaml:" + std::to_string(line) + ": " + c.expected), std::string::npos)
        << c.what << ": " << err;
  }
  // A rail missing an entry names it (the rail's line, since the key is absent).
  const std::string missing = edited("      idd5b: {value: 5,", "      idd5x: {value: 5,");
  EXPECT_NE(
      error_of(missing).find("power.rails.vpp.idd5b = '': missing required entry {value, unit, source}"),
      std::string::npos)
      << error_of(missing);
}

TEST(DramPowerSpec, CrossChecksAgainstTheDevice) {
  // IDD4R below IDD3N: the read energy above active standby would be negative.
  std::string text = edited("idd4r: {value: 168,", "idd4r: {value: 50,");
  EXPECT_NE(error_of(text).find("power.rails.vdd.idd4r.value = '50': must be >= idd3n (56 mA)"),
            std::string::npos)
      << error_of(text);
  // IDD0 x tRC below the standby it replaces: 40 x 74 < 56 x 52 + 37 x 22 = 3726 mA x nCK.
  text = edited("idd0: {value: 57,", "idd0: {value: 40,");
  EXPECT_NE(error_of(text).find("power.rails.vdd.idd0.value = '40': must satisfy idd0 x rc >= idd3n x ras + "
                                "idd2n x (rc - ras) = 3726 mA x nCK"),
            std::string::npos)
      << error_of(text);
  // A 128-bit device cannot make up a 64-bit rank.
  text = edited("device_width_bits: {value: 8,", "device_width_bits: {value: 128,");
  EXPECT_NE(error_of(text).find("power.device_width_bits.value = '128': must divide "
                                "organization.bus_width_bits (64)"),
            std::string::npos)
      << error_of(text);
}

TEST(DramPowerSpec, PowerMustBeAMapWithRails) {
  std::string text = shipped_text("hbm2") + "power: 5\n";
  EXPECT_NE(error_of(text).find("power = '5': must be a map"), std::string::npos) << error_of(text);
  text = shipped_text("hbm2") +
         "power:\n  source: \"x\"\n  device_width_bits: {value: 64, unit: bit, source: \"x\"}\n";
  EXPECT_NE(error_of(text).find("power.rails = '': missing required section"), std::string::npos)
      << error_of(text);
}

}  // namespace
}  // namespace systole
