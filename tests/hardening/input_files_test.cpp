// Hardening: hostile input files (arch YAML, SCALE-Sim .cfg, workload YAML and CSV, DRAM presets,
// energy tables) and config values. Each case must exit 2 within the time limit and under 1 GiB
// of address space, name the file (or --set) and the key, line or value, never say "internal
// error", and leave no report behind (docs/reliability.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "support/hardening.h"

namespace systole {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_systole_bounded;
using testing::substitute_path;
using testing::write_file;

struct HostileInput {
  std::string name;
  std::string file_name;  // written into the scratch dir as {f}; "" for none
  std::function<std::string()> content;
  std::string args;                   // "{f}" is the written file's path
  std::vector<std::string> expected;  // substrings of stderr ("{f}" likewise)
};

std::ostream& operator<<(std::ostream& os, const HostileInput& c) {
  return os << c.name;
}

const std::string kArch = "schema_version: 1\nname: hostile\n";
const std::string kNet = "name: hostile\ninputs:\n  - {name: x, shape: [1, 3, 16, 16]}\nlayers:\n";
const std::string kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

std::string shipped(const std::string& relative) {
  return read_file(std::filesystem::path(SYSTOLE_SOURCE_DIR) / relative);
}

// `text` with the first occurrence of `from` replaced by `to` (the case is broken if it is absent).
std::string edit(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at == std::string::npos) return "the fixture no longer holds '" + from + "'";
  return text.replace(at, from.size(), to);
}

std::string billion_laughs(const std::string& head) {
  std::string s = head + "l0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    s += "l" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) s += (k ? ", *a" : "*a") + std::to_string(i - 1);
    s += "]\n";
  }
  return s;
}

std::string deep_nesting(const std::string& head, int depth) {
  return head + "core: " + std::string(static_cast<size_t>(depth), '[') + "1" +
         std::string(static_cast<size_t>(depth), ']') + "\n";
}

std::string with_binary(const std::string& head, size_t bytes) {
  std::string s = head + "name2: \"";
  for (size_t i = 0; i < bytes; ++i) s += static_cast<char>(0x80 + (i * 7) % 64);
  return s + "\"\n";
}

std::string layers(const std::string& body) {
  return kNet + body;
}

std::vector<HostileInput> cases() {
  const auto text = [](std::string s) { return [s] { return s; }; };
  const std::string arch_validate = "validate --arch {f}";
  const std::string net_validate = "validate --workload {f}";
  const std::string preset_validate = "validate --set dram.kind=cycle --set dram.preset={f}";
  const std::string table_validate = "validate --set energy.table={f}";
  const std::string conv = "  - {name: c1, type: conv2d, out_channels: 8, kernel: 3}\n";
  return {
      // --- YAML structure: aliases, documents, keys, tags, text -----------------------------
      {"ArchAliasCycle",
       "a.yaml",
       text(kArch + "core: &c {array: *c}\n"),
       arch_validate,
       {"{f}:3", "*c", "cycle"}},
      {"ArchAliasCycleInList", "a.yaml", text(kArch + "core: &c [1, *c]\n"), arch_validate, {"{f}:3", "*c"}},
      {"ArchBillionLaughs", "a.yaml", text(billion_laughs(kArch)), arch_validate, {"{f}", "nodes"}},
      {"ArchAliasEchoedAsAnchor",
       "a.yaml",
       text(kArch + "base: &big [1, 2, 3]\ncore:\n  array:\n    rows: *big\n"),
       arch_validate,
       {"{f}", "core.array.rows = '*big'"}},
      {"ArchDuplicateKey",
       "a.yaml",
       text(kArch + "core:\n  array:\n    rows: 4\n    rows: 8\n"),
       arch_validate,
       {"{f}:6", "core.array.rows", "duplicate key"}},
      {"ArchSecondDocument",
       "a.yaml",
       text(kArch + "---\nschema_version: 1\nname: other\n"),
       arch_validate,
       {"{f}", "more than one YAML document"}},
      {"ArchStrTaggedNumber",
       "a.yaml",
       text(kArch + "core:\n  array:\n    rows: !!str 32\n"),
       arch_validate,
       {"{f}:5", "core.array.rows", "tag"}},
      {"ArchQuotedNumber",
       "a.yaml",
       text(kArch + "core:\n  array:\n    rows: \"32\"\n"),
       arch_validate,
       {"{f}:5", "core.array.rows", "quoted"}},
      {"ArchLeadingZero",
       "a.yaml",
       text(kArch + "core:\n  array:\n    rows: 040\n"),
       arch_validate,
       {"{f}:5", "core.array.rows", "040", "leading zero"}},
      {"ArchTabIndent",
       "a.yaml",
       text(kArch + "core:\n\tarray:\n\t\trows: 4\n"),
       arch_validate,
       {"{f}:4", "TAB"}},
      {"ArchDeepNesting", "a.yaml", text(deep_nesting(kArch, 5000)), arch_validate, {"{f}", "deep"}},
      {"ArchModerateNesting",
       "a.yaml",
       text(deep_nesting(kArch, 100)),
       arch_validate,
       {"{f}", "deeper than"}},
      {"ArchInvalidUtf8Name",
       "a.yaml",
       text("schema_version: 1\nname: ab\xff\xfe\n"),
       arch_validate,
       {"{f}:2", "UTF-8"}},
      {"ArchOverlongUtf8",
       "a.yaml",
       text("schema_version: 1\nname: \xc0\xaf\n"),
       arch_validate,
       {"{f}:2", "UTF-8"}},
      {"ArchSurrogateUtf8",
       "a.yaml",
       text("schema_version: 1\nname: \xed\xa0\x80\n"),
       arch_validate,
       {"{f}:2", "UTF-8"}},
      {"ArchNulByte",
       "a.yaml",
       [] { return std::string("schema_version: 1\nname: a\0b\n", 28); },
       arch_validate,
       {"{f}:2", "0x00"}},
      {"ArchControlChar",
       "a.yaml",
       text("schema_version: 1\nname: a\x1b[31mred\n"),
       arch_validate,
       {"{f}:2", "0x1b"}},
      {"ArchBinaryBlob", "a.yaml", [] { return with_binary(kArch, 4096); }, arch_validate, {"{f}", "UTF-8"}},
      {"ArchEmptyFile", "a.yaml", text(""), arch_validate, {"{f}", "empty"}},
      {"ArchTooLarge",
       "a.yaml",
       [] { return kArch + "# " + std::string(5u << 20, 'x') + "\n"; },
       arch_validate,
       {"{f}", "MiB", "limit"}},
      {"ArchIsDirectory", "", text(""), "validate --arch /tmp", {"/tmp", "directory"}},
      {"ArchIsDevZero", "", text(""), "validate --arch /dev/zero", {"/dev/zero", "not a regular file"}},
      {"ArchIsDevZeroCfg", "", text(""), "validate --arch /dev/zero.cfg", {"/dev/zero.cfg", "No such file"}},
      {"ArchScalarRoot", "a.yaml", text("just text\n"), arch_validate, {"{f}", "map"}},
      {"ArchComplexKey", "a.yaml", text(kArch + "? [a, b]\n: 3\n"), arch_validate, {"{f}", "plain name"}},
      {"ArchUnknownTag",
       "a.yaml",
       text(kArch + "core:\n  clock_mhz: !weird 500\n"),
       arch_validate,
       {"{f}:4", "core.clock_mhz", "tag"}},
      {"CfgInvalidUtf8RunName",
       "a.cfg",
       text("[general]\nrun_name = r\xff\n\n[architecture_presets]\nArrayHeight: 8\n"),
       arch_validate,
       {"{f}:2", "UTF-8"}},
      {"CfgNulByte",
       "a.cfg",
       [] { return std::string("[general]\nrun_name = a\0\n", 24); },
       arch_validate,
       {"{f}:2", "0x00"}},
      {"ArchPathInvalidUtf8",
       "a\xff.yaml",
       [] { return shipped("arch/default.yaml"); },
       "run --arch {f} --workload resnet18 --out {f}.out",
       {"--arch", "\\xff", "UTF-8"}},
      {"WorkloadPathInvalidUtf8",
       "w\xfe.yaml",
       [] { return shipped("workloads/resnet18.yaml"); },
       "run --workload {f} --out {f}.out",
       {"--workload", "\\xfe", "UTF-8"}},
      {"ArchDottedDuplicate",
       "a.yaml",
       text(kArch + "core: {array: {rows: 16}}\ncore.array.rows: 8\n"),
       arch_validate,
       {"{f}:4", "core.array.rows", "duplicate key"}},
      {"ArchBidiOverrideName",
       "a.yaml",
       text("schema_version: 1\nname: abc\u202eevil\n"),
       arch_validate,
       {"{f}:2", "UTF-8"}},
      {"ArchEscapedControlInName",
       "a.yaml",
       text(kArch + "core: {array: {dataflow: \"w\\es\"}}\n"),
       arch_validate,
       {"{f}:3", "core.array.dataflow", "escape"}},
      {"ArchNameTooLong",
       "",
       text(""),
       "validate --set name=" + std::string(5000, 'n'),
       {"--set", "4096 bytes"}},
      {"ManyProblemsAreCapped",
       "a.yaml",
       [] {
         std::string s = kArch;
         for (int i = 0; i < 5000; ++i) s += "k" + std::to_string(i) + ": 1\n";
         return s;
       },
       arch_validate,
       {"{f}", "5000 problems", "... and 4950 more"}},
      {"SeedWithoutFunctional",
       "",
       text(""),
       "run --workload resnet18 --seed 5 --out {f}",
       {"--seed", "functional"}},
      {"FidelityFlagAndSet",
       "",
       text(""),
       "run --workload resnet18 --fidelity rtl --set core.array.fidelity=tile --out {f}",
       {"--fidelity", "core.array.fidelity=tile", "give one"}},
      // --- Physical parameters out of their plausible range ----------------------------------
      {"ClockTiny",
       "",
       text(""),
       "validate --set core.clock_mhz=1e-300",
       {"--set", "core.clock_mhz", ">= 1"}},
      {"ClockInHz", "", text(""), "validate --set core.clock_mhz=1000000000", {"--set", "core.clock_mhz"}},
      {"BandwidthTiny",
       "",
       text(""),
       "validate --set dram.bandwidth_gbps=1e-9",
       {"--set", "dram.bandwidth_gbps", ">= 0.1"}},
      {"LatencyHuge", "", text(""), "validate --set dram.latency_ns=1e9", {"--set", "dram.latency_ns"}},
      {"MaxCyclesTooSmall", "", text(""), "validate --set sim.max_cycles=10", {"--set", "sim.max_cycles"}},
      {"MaxCyclesTooLarge",
       "",
       text(""),
       "validate --set sim.max_cycles=100000000000000000",
       {"--set", "sim.max_cycles"}},
      {"ChannelsHuge",
       "",
       text(""),
       "validate --set dram.kind=cycle --set dram.channels=1099511627776",
       {"--set", "dram.channels"}},
      {"SetNameInvalidUtf8", "", text(""), "validate --set name=$'ab\\xff'", {"--set", "name", "UTF-8"}},
      {"SetNameNewline", "", text(""), "validate --set name=$'a\\nb'", {"--set", "name", "control"}},
      {"SetIntLeadingZero", "", text(""), "validate --set core.array.rows=08", {"--set", "core.array.rows"}},
      {"SetIntOverflow",
       "",
       text(""),
       "validate --set core.array.rows=99999999999999999999",
       {"--set", "core.array.rows", "64 bits"}},
      {"SetFloatNan", "", text(""), "validate --set core.clock_mhz=nan", {"--set", "core.clock_mhz"}},
      {"SetFloatInf", "", text(""), "validate --set core.clock_mhz=1e999", {"--set", "core.clock_mhz"}},
      {"ArchClockTinyInFile",
       "a.yaml",
       text(kArch + "core:\n  clock_mhz: 1e-300\n"),
       arch_validate,
       {"{f}:4", "core.clock_mhz"}},
      // --- Simulated-time and output budgets (run) --------------------------------------------
      {"MaxCyclesReached",
       "",
       text(""),
       "run --workload resnet18 --set sim.max_cycles=10000 --out {f}",
       {"sim.max_cycles", "10000", "had not finished"}},
      {"PowerWindowsTooMany",
       "",
       text(""),
       "run --workload resnet18 --set energy.power_window_cycles=1 --out {f}",
       {"energy.power_window_cycles", "power windows", "at least"}},
      {"FunctionalScratchpadsHuge",
       "",
       text(""),
       "run --workload resnet18 --functional --set core.scratchpads.ifmap.capacity_kib=1048576 --out {f}",
       {"capacity_kib", "functional"}},
      // --- Workload YAML --------------------------------------------------------------------
      {"NetAliasCycle",
       "n.yaml",
       text(layers("  - &l {name: c1, type: conv2d, input: *l}\n")),
       net_validate,
       {"{f}", "*l", "cycle"}},
      {"NetBillionLaughs",
       "n.yaml",
       text(billion_laughs(kNet + "  - {name: r, type: relu}\nextra:\n")),
       net_validate,
       {"{f}", "nodes"}},
      {"NetAliasEchoedAsAnchor",
       "n.yaml",
       text("name: n\nk: &k [3, 3, 3]\ninputs:\n  - {name: x, shape: [1, 3, 16, 16]}\nlayers:\n"
            "  - {name: c1, type: conv2d, out_channels: 8, kernel: *k}\n"),
       net_validate,
       {"{f}", "*k"}},
      {"NetDuplicateKeyInLayer",
       "n.yaml",
       text(layers("  - {name: c1, type: conv2d, out_channels: 8, kernel: 3, kernel: 5}\n")),
       net_validate,
       {"{f}:5", "layers[0].kernel", "duplicate key"}},
      {"NetDuplicateTopKey",
       "n.yaml",
       text(layers(conv) + "name: again\n"),
       net_validate,
       {"{f}:6", "name", "duplicate key"}},
      {"NetSecondDocument",
       "n.yaml",
       text(layers(conv) + "---\nname: b\n"),
       net_validate,
       {"{f}", "more than one YAML document"}},
      {"NetStrTaggedInt",
       "n.yaml",
       text(layers("  - {name: c1, type: conv2d, out_channels: !!str 8, kernel: 3}\n")),
       net_validate,
       {"{f}:5", "layers[0].out_channels", "tagged"}},
      {"NetQuotedInt",
       "n.yaml",
       text(layers("  - {name: c1, type: conv2d, out_channels: \"8\", kernel: 3}\n")),
       net_validate,
       {"{f}:5", "layers[0].out_channels"}},
      {"NetLeadingZero",
       "n.yaml",
       text(layers("  - {name: c1, type: conv2d, out_channels: 010, kernel: 3}\n")),
       net_validate,
       {"{f}:5", "layers[0].out_channels", "010", "leading zero"}},
      {"NetIntOverflow",
       "n.yaml",
       text(layers("  - {name: c1, type: conv2d, out_channels: 99999999999999999999, kernel: 3}\n")),
       net_validate,
       {"{f}:5", "layers[0].out_channels", "64 bits"}},
      {"NetInvalidUtf8LayerName",
       "n.yaml",
       text(layers("  - {name: \"c\xff\", type: relu}\n")),
       net_validate,
       {"{f}:5", "UTF-8"}},
      {"NetNewlineInLayerName",
       "n.yaml",
       text(layers("  - {name: \"c\\n1\", type: relu}\n")),
       net_validate,
       {"{f}:5", "layers[0].name", "control"}},
      {"NetTabInLayerName",
       "n.yaml",
       text(layers("  - {name: \"c\\t1\", type: relu}\n")),
       net_validate,
       {"{f}:5", "layers[0].name"}},
      {"NetInvalidUtf8NetworkName",
       "n.yaml",
       text("name: n\xc3\ninputs:\n  - {name: x, shape: [1, 3, 16, 16]}\nlayers:\n  - {name: r, type: "
            "relu}\n"),
       net_validate,
       {"{f}:1", "UTF-8"}},
      {"NetTabIndent", "n.yaml", text(kNet + "  - name: r\n\t type: relu\n"), net_validate, {"{f}:6", "TAB"}},
      {"NetDeepNesting",
       "n.yaml",
       text(layers("  - {name: r, type: reshape, shape: " + std::string(3000, '[') + "1" +
                   std::string(3000, ']') + "}\n")),
       net_validate,
       {"{f}", "deep"}},
      {"NetBinaryBlob", "n.yaml", [] { return with_binary(kNet, 4096); }, net_validate, {"{f}", "UTF-8"}},
      {"NetTooLarge",
       "n.yaml",
       [] { return kNet + "# " + std::string(65u << 20, 'x') + "\n"; },
       net_validate,
       {"{f}", "limit"}},
      {"NetIsDirectory", "", text(""), "validate --workload /tmp/", {"/tmp/", "directory"}},
      {"NetIsDevZero", "", text(""), "validate --workload /dev/zero", {"/dev/zero", "format"}},
      {"NetListRoot", "n.yaml", text("- a\n- b\n"), net_validate, {"{f}", "map"}},
      {"NetNullByteInQuoted",
       "n.yaml",
       text(layers("  - {name: \"a\\0b\", type: relu}\n")),
       net_validate,
       {"{f}:5", "layers[0].name"}},
      // --- SCALE-Sim CSV --------------------------------------------------------------------
      {"CsvInvalidUtf8Name",
       "t.csv",
       text(kConvHeader + "conv\xff, 8, 8, 3, 3, 3, 8, 1,\n"),
       net_validate,
       {"{f}:2", "UTF-8"}},
      {"CsvNulByte",
       "t.csv",
       [] { return kConvHeader + std::string("c\0, 8, 8, 3, 3, 3, 8, 1,\n", 25); },
       net_validate,
       {"{f}:2", "0x00"}},
      {"CsvEscapeSequence",
       "t.csv",
       text(kConvHeader + "c\x1b[2J, 8, 8, 3, 3, 3, 8, 1,\n"),
       net_validate,
       {"{f}:2", "0x1b"}},
      // --- DRAM presets ---------------------------------------------------------------------
      {"PresetRowsHuge",
       "p.yaml",
       [] { return edit(shipped("arch/dram/ddr4-3200.yaml"), "rows: 65536", "rows: 4611686018427387904"); },
       preset_validate,
       {"{f}", "organization.rows", "<= 1048576"}},
      {"PresetChannelsHuge",
       "p.yaml",
       [] { return edit(shipped("arch/dram/ddr4-3200.yaml"), "channels: 1", "channels: 1099511627776"); },
       preset_validate,
       {"{f}", "organization.channels", "<= 64"}},
      {"PresetRcHuge",
       "p.yaml",
       [] { return edit(shipped("arch/dram/ddr4-3200.yaml"), "rc: 74", "rc: 1099511627776"); },
       preset_validate,
       {"{f}", "timing.rc", "<= 16384"}},
      {"PresetCwlHuge",
       "p.yaml",
       [] { return edit(shipped("arch/dram/ddr4-3200.yaml"), "cwl: 16 ", "cwl: 1000000 "); },
       preset_validate,
       {"{f}", "timing.cwl", "<= 16384"}},
      {"MemtestStrideWithoutStridedPattern",
       "",
       text(""),
       "memtest --dram ddr4-3200 --stride 64 -n 100",
       {"--stride", "strided"}},
      {"PresetRefreshStorm",
       "p.yaml",
       [] {
         std::string s = shipped("arch/dram/ddr4-3200.yaml");
         s = edit(s, "refi: 12480", "refi: 2");
         const size_t at = s.find("rfc: ");
         return s.substr(0, at) + "rfc: 1" + s.substr(s.find('\n', at));
       },
       preset_validate,
       {"{f}", "timing.refi", "half"}},
      {"PresetTckTiny",
       "p.yaml",
       [] { return edit(shipped("arch/dram/ddr4-3200.yaml"), "tck_ps: 625", "tck_ps: 0.001"); },
       preset_validate,
       {"{f}", "timing.tck_ps", ">= 100"}},
      {"PresetNegative",
       "p.yaml",
       [] { return edit(shipped("arch/dram/ddr4-3200.yaml"), "cl: 22", "cl: -22"); },
       preset_validate,
       {"{f}", "timing.cl", "-22"}},
      {"PresetHexNumber",
       "p.yaml",
       [] { return edit(shipped("arch/dram/ddr4-3200.yaml"), "cl: 22", "cl: 0x16"); },
       preset_validate,
       {"{f}", "timing.cl", "0x16"}},
      {"PresetAliasCycle",
       "p.yaml",
       text("standard: DDR4\nsource: x\norganization: &o {a: *o}\n"),
       preset_validate,
       {"{f}:3", "*o", "cycle"}},
      {"PresetInvalidUtf8",
       "p.yaml",
       [] { return edit(shipped("arch/dram/ddr4-3200.yaml"), "standard: DDR4", "standard: DDR\xff"); },
       preset_validate,
       {"{f}", "UTF-8"}},
      {"PresetDuplicateKey",
       "p.yaml",
       [] { return edit(shipped("arch/dram/ddr4-3200.yaml"), "  cl: 22", "  cl: 22\n  cl: 23"); },
       preset_validate,
       {"{f}", "timing.cl", "duplicate key"}},
      {"PresetEscapedControlInSource",
       "p.yaml",
       [] {
         const std::string s = shipped("arch/dram/ddr4-3200.yaml");
         const size_t at = s.find("\nsource: ") + 1;
         return s.substr(0, at) + "source: \"x\\e[31m\\u202ey\"" + s.substr(s.find('\n', at));
       },
       preset_validate,
       {"{f}:10", "source", "escape"}},
      {"PresetIsDirectory",
       "",
       text(""),
       "validate --set dram.kind=cycle --set dram.preset=/tmp",
       {"/tmp", "directory"}},
      // --- Energy tables --------------------------------------------------------------------
      {"TableHugeValue",
       "t.yaml",
       [] {
         return edit(shipped("arch/energy/7nm.yaml"), "value: 0.007, unit: pJ/byte",
                     "value: 1e308, unit: pJ/byte");
       },
       table_validate,
       {"{f}:13", "register_shift.value", "<= 1000000"}},
      {"TableNan",
       "t.yaml",
       [] {
         return edit(shipped("arch/energy/7nm.yaml"), "value: 0.007, unit: pJ/byte",
                     "value: .nan, unit: pJ/byte");
       },
       table_validate,
       {"{f}:13", "register_shift.value"}},
      {"TableClockShareOne",
       "t.yaml",
       [] {
         return edit(shipped("arch/energy/7nm.yaml"), "value: 0.33, unit: fraction",
                     "value: 1, unit: fraction");
       },
       table_validate,
       {"{f}:12", "clock_tree_share.value"}},
      {"TableQuotedValue",
       "t.yaml",
       [] {
         return edit(shipped("arch/energy/7nm.yaml"), "value: 0.33, unit: fraction",
                     "value: \"0.33\", unit: fraction");
       },
       table_validate,
       {"{f}:12", "clock_tree_share.value"}},
      {"TableBlankSource",
       "t.yaml",
       [] {
         const std::string s = shipped("arch/energy/7nm.yaml");
         const size_t at = s.find("source: ", s.find("clock_tree_share"));
         return s.substr(0, at) + "source: \"   \"}" + s.substr(s.find('\n', at));
       },
       table_validate,
       {"{f}:12", "clock_tree_share.source", "must name the paper"}},
      {"TableAliasCycle",
       "t.yaml",
       text("schema_version: 1\nnode: &n {x: *n}\n"),
       table_validate,
       {"{f}:2", "*n", "cycle"}},
      {"TableBillionLaughs",
       "t.yaml",
       text(billion_laughs("schema_version: 1\n")),
       table_validate,
       {"{f}", "nodes"}},
      {"TableInvalidUtf8",
       "t.yaml",
       [] { return "# \xff\n" + shipped("arch/energy/7nm.yaml"); },
       table_validate,
       {"{f}:1", "UTF-8"}},
      {"TableIsDirectory", "", text(""), "validate --set energy.table=/tmp", {"/tmp", "directory"}},
      {"TableIsDevZero",
       "",
       text(""),
       "validate --set energy.table=/dev/zero",
       {"/dev/zero", "regular file"}},
      {"TableMissingMacType",
       "t.yaml",
       [] {
         // Keep only the int8 MAC: an fp16 array cannot be priced, which validate must say up front.
         std::string s = shipped("arch/energy/7nm.yaml");
         const size_t mac = s.find("\nmac:");
         const size_t next = s.find("\nvector_op:");
         const size_t first_end = s.find("\n  - ", s.find("\n  - ", mac) + 1);
         return s.substr(0, first_end) + s.substr(next);
       },
       "validate --set energy.table={f} --set core.array.input_type=fp16 --set core.array.weight_type=fp16 "
       "--set core.array.accumulator_type=fp32",
       {"{f}", "mac", "fp16 x fp16"}},
  };
}

class HostileInputTest : public ::testing::TestWithParam<HostileInput> {};

TEST_P(HostileInputTest, ExitsTwoNamingTheCause) {
  const HostileInput& c = GetParam();
  const auto dir = fresh_dir("hostile_" + c.name);
  std::string path = (dir / "out").string();
  if (!c.file_name.empty()) {
    path = (dir / c.file_name).string();
    write_file(path, c.content());
  }
  const auto r = run_systole_bounded(substitute_path(c.args, path), dir);
  EXPECT_FALSE(r.timed_out) << "killed after " << r.seconds << " s";
  EXPECT_EQ(r.exit_code, 2) << "stderr:\n" << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_LT(r.err.size(), 8192u) << "the message must be bounded:\n" << r.err.substr(0, 2000);
  for (const std::string& e : c.expected) {
    EXPECT_NE(r.err.find(substitute_path(e, path)), std::string::npos)
        << "expected '" << substitute_path(e, path) << "' in stderr:\n"
        << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "report.json")) << "no report may be written on error";
}

INSTANTIATE_TEST_SUITE_P(Cases, HostileInputTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<HostileInput>& info) { return info.param.name; });

}  // namespace
}  // namespace systole
