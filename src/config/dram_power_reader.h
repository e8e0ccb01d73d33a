// Reader of a DRAM preset's `power:` section (config/dram_power.h), used by the preset loader
// (dram_spec.cpp). Internal to src/config.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "systole/common/error.h"
#include "systole/config/dram_spec.h"

namespace systole::config_detail {

// Reads `power` (the node under the preset's `power:` key) of the preset at `path`, adding a
// diagnostic per problem to `diags`: unknown or missing keys, a value outside its range, a unit
// other than V / mA / bit, an empty source, a rail without all seven entries. When `device_ok`
// (organization and timing valid) and the section itself is valid, also checks it against the
// device: device_width_bits divides bus_width_bits, idd4r/idd4w/idd5b >= idd3n and
// idd0 x tRC >= idd3n x tRAS + idd2n x (tRC - tRAS) per rail (no derived energy negative).
DramPowerSpec read_dram_power(const YAML::Node& power, const std::string& path, const DramDeviceSpec& device,
                              bool device_ok, DiagnosticList* diags);

}  // namespace systole::config_detail
